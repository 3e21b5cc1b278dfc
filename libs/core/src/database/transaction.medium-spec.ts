import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, databaseUrl, dropTestDatabase } from '@staydesk/testing';
import { isUnavailable } from '../errors/graphql-error-formatter';
import { TransactionRunner } from './transaction';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A transaction whose connection dies between two statements (what a PostgreSQL restart does to
 * every transaction in flight): the error must say the database is unavailable (answered 503),
 * not be an unknown error (answered 500), and the pool must hand out working connections after.
 */
describe('TransactionRunner when the connection is lost mid-transaction', () => {
  let name: string;
  let ds: DataSource;
  let runner: TransactionRunner;
  let admin: Client;

  beforeAll(async () => {
    name = await createTestDatabase();
    ds = new DataSource({ type: 'postgres', url: databaseUrl(name), poolSize: 2 });
    await ds.initialize();
    runner = new TransactionRunner(ds);
    admin = new Client({ connectionString: databaseUrl(name) });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await ds?.destroy();
    if (name) await dropTestDatabase(name);
  });

  it('fails as unavailable when the backend is terminated between two statements, and the pool recovers', async () => {
    const failure: unknown = await runner
      .run(async (tx) => {
        const [{ pid }] = (await tx.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
        // waits (up to 5 s) until the backend is gone; the client then hears of it while idle
        await admin.query('SELECT pg_terminate_backend($1, 5000)', [pid]);
        await sleep(300);
        await tx.query('SELECT 1');
        return 'committed';
      })
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Error);
    expect(isUnavailable(failure)).toBe(true);

    // every connection of the pool works again (the dead one was not handed back)
    for (let i = 0; i < 4; i++) {
      await expect(runner.run((tx) => tx.query('SELECT 1 AS one'))).resolves.toEqual([{ one: 1 }]);
    }
  });

  it('keeps other errors of the work as they are', async () => {
    const mine = new Error('mine');
    await expect(
      runner.run(async (tx) => {
        await tx.query('SELECT 1');
        throw mine;
      }),
    ).rejects.toBe(mine);
    await expect(runner.run((tx) => tx.query('SELECT 2 AS two'))).resolves.toEqual([{ two: 2 }]);
  });
});
