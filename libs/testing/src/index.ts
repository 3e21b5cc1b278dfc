export * from './redis-cleanup';
export * from './test-database';
