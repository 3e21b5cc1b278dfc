export { deleteRedisPrefix } from './redis-cleanup';
export {
  TEST_DB_PREFIX,
  TEST_REDIS_URL,
  createTestDatabase,
  databaseUrl,
  dropTestDatabase,
  uniqueName,
} from './test-database';
export { GRAPH_END, GRAPH_START, documentedGraph, libraryGraph, renderGraph } from './lib-graph';
export { mediumDatabase } from './medium';
export type { MediumDatabase } from './medium';
export { fixtures } from './fixtures';
export type { Fixtures } from './fixtures';
