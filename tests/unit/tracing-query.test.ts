import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { describe, expect, it } from "vitest";
import { WithoutQueryStrings } from "@/lib/tracing-sdk";

describe("exported spans", () => {
  it("carry addresses without their query strings: in the name, the target and the full URL (a webhook receiver's token travels in one)", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new WithoutQueryStrings(new SimpleSpanProcessor(exporter))] });
    const tracer = provider.getTracer("test");
    // As Next.js names and describes its fetch spans and its request spans.
    tracer
      .startSpan("fetch POST https://hooks.example.com/in?token=s3cret", {
        attributes: { "http.url": "https://hooks.example.com/in?token=s3cret", "url.full": "https://hooks.example.com/in?token=s3cret", "http.method": "POST" },
      })
      .end();
    tracer.startSpan("GET /api/auth/oidc/callback", { attributes: { "http.target": "/api/auth/oidc/callback?code=c0de&state=st4te" } }).end();
    const [fetchSpan, requestSpan] = exporter.getFinishedSpans();
    expect(fetchSpan.name).toBe("fetch POST https://hooks.example.com/in");
    expect(fetchSpan.attributes).toMatchObject({ "http.url": "https://hooks.example.com/in", "url.full": "https://hooks.example.com/in", "http.method": "POST" });
    expect(requestSpan.attributes["http.target"]).toBe("/api/auth/oidc/callback");
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => [s.name, s.attributes]))).not.toMatch(/s3cret|c0de|st4te/);
    await provider.shutdown();
  });
});
