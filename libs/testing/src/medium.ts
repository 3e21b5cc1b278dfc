import { DataSource } from 'typeorm';
import type { Tx } from '@staydesk/core';
import { createTestDatabase, databaseUrl, dropTestDatabase } from './test-database';

/**
 * The medium test tier: repositories and services against a clone of the migrated template
 * database (a file copy, no migrations), with no api, worker or Redis. Between unit tests (pure
 * logic) and e2e tests (the real stack over HTTP).
 */
export interface MediumDatabase {
  /** The pool, as repositories see it outside a transaction. */
  db: Tx;
  /** A transaction that commits when `work` resolves. */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** A transaction that always rolls back: for checking what a statement does, leaving nothing. */
  rollback<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

class Rollback extends Error {}

export async function mediumDatabase(): Promise<MediumDatabase> {
  const name = await createTestDatabase();
  const ds = new DataSource({ type: 'postgres', url: databaseUrl(name), poolSize: 4 });
  await ds.initialize();
  return {
    db: ds.manager,
    run: (work) => ds.transaction((em) => work(em)),
    async rollback(work) {
      let result: Awaited<ReturnType<typeof work>> | undefined;
      await ds
        .transaction(async (em) => {
          result = await work(em);
          throw new Rollback();
        })
        .catch((err: unknown) => {
          if (!(err instanceof Rollback)) throw err;
        });
      return result as Awaited<ReturnType<typeof work>>;
    },
    async close() {
      await ds.destroy();
      await dropTestDatabase(name);
    },
  };
}
