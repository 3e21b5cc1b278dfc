export { graphqlMetricsPlugin } from './graphql-metrics.plugin';
export { installHttpObservability, startMetricsServer } from './metrics-http';
export { ObservabilityApiModule, ObservabilityWorkerModule } from './observability.module';
export { mountQueueDashboard } from './queue-dashboard';
