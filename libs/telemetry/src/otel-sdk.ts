import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BullMQOtel } from 'bullmq-otel';

/**
 * The tracing SDK (loaded only when tracing is on): the official instrumentations for HTTP,
 * GraphQL, PostgreSQL and ioredis, BullMQ's own telemetry for queue → job spans, batched export
 * over OTLP/HTTP. The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and the other standard OTEL_*
 * variables) itself; the batch processor reads OTEL_BSP_*.
 */
export function startOtel(serviceName: string) {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register(); // W3C trace context propagator + AsyncLocalStorage context manager
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // health probes and scrapes every few seconds would drown the traces that matter
        ignoreIncomingRequestHook: (req) =>
          /^\/(health\/|metrics)/.test(req.url ?? '') || req.url === '/favicon.ico',
      }),
      new GraphQLInstrumentation({ mergeItems: true, ignoreTrivialResolveSpans: true }),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  return {
    bullmq: new BullMQOtel({ tracerName: 'bullmq' }),
    shutdown: () => provider.shutdown(),
  };
}
