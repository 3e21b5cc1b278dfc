import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * Counts SQL statements per request (AsyncLocalStorage): the api exposes the count in the
 * GraphQL response `extensions.sqlQueries` when EXPOSE_SQL_COUNT is on, which is how tests and
 * the bench prove that a page costs a constant number of queries (no N+1).
 */
export const sqlQueryCounter = new AsyncLocalStorage<{ count: number }>();

export class QueryCountingLogger implements TypeOrmLogger {
  logQuery(): void {
    const store = sqlQueryCounter.getStore();
    if (store) store.count++;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
