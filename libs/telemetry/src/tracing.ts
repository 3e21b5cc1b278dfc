import type { Telemetry } from 'bullmq';

/**
 * OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set. The SDK, the exporter
 * and the instrumentations live in `./otel-sdk` and are required only then, so a process without
 * tracing loads none of them. Call {@link initTracing} before anything else is imported (the
 * instrumentations patch `http`, `pg`, `ioredis` and `graphql` as they are first required).
 */
let running: { shutdown(): Promise<void>; bullmq: Telemetry } | null = null;

export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export function initTracing(serviceName: string): void {
  if (running || !tracingEnabled()) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('./otel-sdk') as typeof import('./otel-sdk');
  running = sdk.startOtel(process.env.OTEL_SERVICE_NAME || serviceName);
}

/** BullMQ's own telemetry (bullmq-otel) when tracing is on: producer and consumer spans. */
export function bullmqTelemetry(): Telemetry | undefined {
  return running?.bullmq;
}

/** Flushes the spans still buffered (call at shutdown, before the process exits). */
export async function shutdownTracing(): Promise<void> {
  const r = running;
  running = null;
  await r?.shutdown().catch(() => undefined);
}
