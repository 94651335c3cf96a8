import { describe, expect, it } from "vitest";
import { ConfigError } from "@/lib/config";
import { testConfig } from "./helpers";

describe("trace configuration (OpenTelemetry's variables)", () => {
  it("is off without an OTLP endpoint, whatever else is set", () => {
    expect(testConfig().tracing).toBeNull();
    expect(testConfig({ OTEL_SERVICE_NAME: "board", OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }).tracing).toBeNull();
    expect(testConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" }).tracing).toBeNull();
    // Set but empty, as `VAR: ${VAR:-}` in a compose file passes it: unset, as the specification says.
    expect(testConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "" }).tracing).toBeNull();
  });

  it("exports to the base endpoint's /v1/traces over http/protobuf by default", () => {
    expect(testConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).tracing).toEqual({
      endpoint: "http://collector:4318/v1/traces",
      protocol: "http/protobuf",
      serviceName: "sessionboard",
      sampler: { name: "parentbased_always_on", ratio: 1 },
      propagators: [],
      exportDelayMs: 5000,
    });
    // A base path is kept, a trailing slash is not doubled.
    expect(testConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.example.com/ingest/" }).tracing?.endpoint).toBe("https://otel.example.com/ingest/v1/traces");
  });

  it("takes the traces endpoint and protocol as given, before the general ones", () => {
    const tracing = testConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://jaeger:4318/custom/traces",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "HTTP/JSON",
    }).tracing;
    expect(tracing).toMatchObject({ endpoint: "http://jaeger:4318/custom/traces", protocol: "http/json" });
    expect(testConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://jaeger:4318/v1/traces" }).tracing?.endpoint).toBe("http://jaeger:4318/v1/traces");
  });

  it("reads the service name, sampler, propagators and export delay", () => {
    const tracing = testConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
      OTEL_SERVICE_NAME: "sessionboard-eu",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.25",
      OTEL_PROPAGATORS: "tracecontext, baggage",
      OTEL_BSP_SCHEDULE_DELAY: "200",
    }).tracing;
    expect(tracing).toMatchObject({
      serviceName: "sessionboard-eu",
      sampler: { name: "parentbased_traceidratio", ratio: 0.25 },
      propagators: ["tracecontext", "baggage"],
      exportDelayMs: 200,
    });
    expect(testConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_PROPAGATORS: "none" }).tracing?.propagators).toEqual([]);
  });

  it("refuses grpc, naming the variable and what works instead", () => {
    for (const variable of ["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"]) {
      const parse = () => testConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4317", [variable]: "grpc" });
      expect(parse).toThrow(ConfigError);
      expect(parse).toThrow(new RegExp(`${variable}: grpc is not supported; use http/protobuf`));
    }
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }, "OTEL_EXPORTER_OTLP_ENDPOINT"],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "udp://collector:4318" }, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: "http/xml" }, "OTEL_EXPORTER_OTLP_PROTOCOL"],
    [{ OTEL_TRACES_SAMPLER: "sometimes" }, "OTEL_TRACES_SAMPLER"],
    [{ OTEL_TRACES_SAMPLER_ARG: "1.5" }, "OTEL_TRACES_SAMPLER_ARG"],
    [{ OTEL_PROPAGATORS: "b3" }, "OTEL_PROPAGATORS"],
    [{ OTEL_BSP_SCHEDULE_DELAY: "soon" }, "OTEL_BSP_SCHEDULE_DELAY"],
    [{ OTEL_SDK_DISABLED: "maybe" }, "OTEL_SDK_DISABLED"],
  ])("refuses %o with a message naming %s", (env, variable) => {
    expect(() => testConfig(env)).toThrow(ConfigError);
    expect(() => testConfig(env)).toThrow(variable);
  });
});
