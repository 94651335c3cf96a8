import type { Context } from "@opentelemetry/api";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type Sampler,
  type Span,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { PrismaInstrumentation } from "@prisma/instrumentation";
import type { TracingConfig } from "./config";
import { logger } from "./log";
import { setTracingEnabled } from "./tracing";

/*
 * The OpenTelemetry SDK, loaded only when an OTLP endpoint is configured (instrumentation.ts imports
 * this module dynamically). It registers the global tracer provider that Next.js (request and
 * rendering spans), Prisma (its queries) and lib/tracing.ts (the app's own spans) all report to.
 */

/** Starts exporting spans. Returns what sends the spans still queued and stops (for shutdown). */
export function startTracing(tracing: TracingConfig): () => Promise<void> {
  const exporter =
    tracing.protocol === "http/json" ? new JsonExporter({ url: tracing.endpoint }) : new ProtobufExporter({ url: tracing.endpoint });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: tracing.serviceName }),
    sampler: sampler(tracing.sampler),
    spanProcessors: [new WithoutQueryStrings(new BatchSpanProcessor(exporter, { scheduledDelayMillis: tracing.exportDelayMs }))],
  });
  provider.register({ propagator: propagator(tracing.propagators) });
  // Prisma's client reports each operation and each SQL statement (its text, never the values).
  registerInstrumentations({ tracerProvider: provider, instrumentations: [new PrismaInstrumentation()] });
  setTracingEnabled(true);
  logger().info({ collector: new URL(tracing.endpoint).origin, protocol: tracing.protocol }, `Exporting traces to ${new URL(tracing.endpoint).origin} (OTLP ${tracing.protocol})`);
  return () => provider.shutdown();
}

function sampler({ name, ratio }: TracingConfig["sampler"]): Sampler {
  switch (name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(ratio);
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

/** null: incoming trace headers are ignored (the SDK would otherwise install W3C trace context). */
function propagator(names: TracingConfig["propagators"]) {
  if (names.length === 0) return null;
  return new CompositePropagator({
    propagators: names.map((name) => (name === "tracecontext" ? new W3CTraceContextPropagator() : new W3CBaggagePropagator())),
  });
}

/** The attributes that hold an address, as Next.js and the HTTP conventions name them. */
const ADDRESS_ATTRIBUTES = ["http.target", "http.url", "url.full"];
const withoutQuery = (text: string) => (text.includes("?") ? text.slice(0, text.indexOf("?")) : text);

/**
 * Next.js records addresses with their query strings, and some carry credentials: the SSO
 * callback's authorization code and state in a request's target, a webhook receiver's token in
 * the URL its fetch span is named after. Only the path is kept.
 */
export class WithoutQueryStrings implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    for (const name of ADDRESS_ATTRIBUTES) {
      const value = span.attributes[name];
      if (typeof value === "string" && value.includes("?")) span.setAttribute(name, withoutQuery(value));
    }
    if (span.name.includes("?")) span.updateName(withoutQuery(span.name));
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.next.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
