export * from './graphql-metrics.plugin';
export * from './metrics-http';
export * from './metrics.collectors';
export * from './observability.module';
export * from './queue-dashboard';
