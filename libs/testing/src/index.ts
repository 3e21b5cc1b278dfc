export * from './redis-cleanup';
export * from './test-database';
export * from './lib-graph';
export * from './medium';
