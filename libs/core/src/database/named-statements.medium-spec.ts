import { sql } from 'kysely';
import { DataSource } from 'typeorm';
import { createTestDatabase, databaseUrl, dropTestDatabase } from '@staydesk/testing';
import { TimedPgClient } from './database-metrics';
import { named } from './named-statements';
import { compileOnly, compileWithSlots, db } from './typed-sql';

/**
 * A statement registered with `named` goes through the pool's client (TimedPgClient, as the api
 * and the worker configure it) as a named prepared statement: PostgreSQL keeps it prepared on the
 * connection, and each call's parameters are its own. Other statements stay unnamed.
 */
describe('named prepared statements (medium)', () => {
  let name: string;
  let ds: DataSource;

  beforeAll(async () => {
    name = await createTestDatabase();
    // one connection, so every statement below runs on the same backend
    ds = new DataSource({
      type: 'postgres',
      url: databaseUrl(name),
      extra: { max: 1, Client: TimedPgClient },
    });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    if (name) await dropTestDatabase(name);
  });

  const prepared = async () =>
    (
      (await ds.manager.query(
        `SELECT name, statement FROM pg_prepared_statements ORDER BY name`,
      )) as { name: string; statement: string }[]
    ).map((r) => r.name);

  it('prepares a registered statement once per connection and runs it with each call’s values', async () => {
    const sum = named(
      'medium_sum',
      compileWithSlots<{ a: number; b: number }, { n: number }>(
        (v) => sql<{ n: number }>`SELECT ${v.a}::int + ${v.b}::int AS n`,
      ),
    );
    const k = db(ds.manager);
    expect((await k.executeQuery(sum({ a: 1, b: 2 }))).rows).toEqual([{ n: 3 }]);
    expect((await k.executeQuery(sum({ a: 40, b: 2 }))).rows).toEqual([{ n: 42 }]);
    const names = await prepared();
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^medium_sum_\d+$/);

    // an unregistered statement is not kept
    const other = sql<{ n: number }>`SELECT ${5}::int AS n`.compile(compileOnly);
    expect((await k.executeQuery(other)).rows).toEqual([{ n: 5 }]);
    expect(await prepared()).toEqual(names);
  });
});
