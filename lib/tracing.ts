import { trace, SpanKind, SpanStatusCode, type Span } from "@opentelemetry/api";
import { DomainError } from "./errors";

/*
 * The app's own spans, through the OpenTelemetry API only: the SDK is loaded (lib/tracing-sdk.ts)
 * when an OTLP endpoint is configured, never otherwise. Span names and attributes are listed in
 * the README (Traces); no attribute ever carries a token, cookie, key, hash or client secret.
 */

// On globalThis: Next bundles instrumentation and routes separately, and they must agree.
const state = globalThis as unknown as { sessionboardTracing?: boolean };

/** Set at start-up, once a tracer provider is registered (and by tests). */
export function setTracingEnabled(enabled: boolean): void {
  state.sessionboardTracing = enabled;
}

/**
 * Whether spans are recorded. Checked before any span work, so with tracing off the code paths do
 * no more than read this flag: no attribute objects, no closures, no no-op spans.
 */
export const tracingEnabled = (): boolean => state.sessionboardTracing === true;

const tracer = trace.getTracer("sessionboard");

export type SpanOptions = { kind?: "internal" | "client" };

/**
 * Runs `work` inside a span named `name`, child of the active one (the request's). `work` gets the
 * span to set attributes on, or undefined when tracing is off. A throw marks the span as an error
 * with the exception's type only: messages can quote input, and input can be a key.
 */
export function withSpan<T>(name: string, work: (span: Span | undefined) => Promise<T>, options?: SpanOptions): Promise<T> {
  if (!tracingEnabled()) return work(undefined);
  const kind = options?.kind === "client" ? SpanKind.CLIENT : SpanKind.INTERNAL;
  return tracer.startActiveSpan(name, { kind }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Marks a span failed: status error, and the exception recorded by its type and, for the app's own
 * errors, its catalog code — never the message or stack, which can quote input or a connection URL.
 */
export function markFailed(span: Span, error: unknown): void {
  const type = error instanceof Error ? error.name : typeof error;
  const description = error instanceof DomainError ? error.code : type;
  span.setAttribute("error.type", type);
  span.recordException({ name: type, message: description });
  span.setStatus({ code: SpanStatusCode.ERROR, message: description });
}
