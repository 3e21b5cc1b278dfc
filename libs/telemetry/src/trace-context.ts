import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
} from '@opentelemetry/api';

/**
 * Trace-context helpers on the OpenTelemetry API only (a no-op facade until the SDK is started by
 * `initTracing`), so domain code can carry a trace without loading anything when tracing is off.
 */
const tracer = () => trace.getTracer('staydesk');

/** The W3C trace context of the active span (`{ traceparent, tracestate? }`), or null if none. */
export function currentTraceCarrier(): Record<string, string> | null {
  if (!trace.getActiveSpan()) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : null;
}

/**
 * Runs `work` in a span that continues the trace recorded in `carrier` (e.g. on an outbox row),
 * or a new trace when there is none.
 */
export function withCarriedTrace<T>(
  carrier: Record<string, string> | null | undefined,
  name: string,
  attributes: Attributes,
  work: () => Promise<T>,
): Promise<T> {
  const parent = carrier ? propagation.extract(ROOT_CONTEXT, carrier) : context.active();
  return context.with(parent, () => withSpan(name, attributes, work, SpanKind.CONSUMER));
}

/** Runs `work` in a child span of the active one; errors are recorded on the span. */
export function withSpan<T>(
  name: string,
  attributes: Attributes,
  work: () => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Puts an attribute on the active span (e.g. the request id), if there is one. */
export function annotateActiveSpan(key: string, value: string): void {
  trace.getActiveSpan()?.setAttribute(key, value);
}
