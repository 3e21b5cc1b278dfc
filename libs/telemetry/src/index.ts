export {
  Metrics,
  addMetricsSource,
  collectRuntimeMetrics,
  countSmtpSend,
  metricsRegistry,
  timeJob,
} from './metrics';
export { annotateActiveSpan, currentTraceCarrier, withCarriedTrace } from './trace-context';
export { bullmqTelemetry, initTracing, shutdownTracing } from './tracing';
