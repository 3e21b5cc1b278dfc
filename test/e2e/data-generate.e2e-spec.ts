import { join } from 'node:path';
import { Exited, ROOT, runToExit } from '../support/processes';
import { TestStack, startStack } from '../support/stack';

const GENERATE = join(ROOT, 'dist', 'scripts', 'data-generate.js');
/** Small: one shard of the sharded path (a shard holds 25k tickets), written by a child job. */
const ARGS = ['--customers', '300', '--tickets', '3000', '--seed', '11'];

describe('data:generate fills a database through COPY, in shards, and leaves it whole', () => {
  let stack: TestStack;
  let run: Exited;
  let indexesBefore: string[];

  const generate = (args: string[]) => runToExit(GENERATE, stack.env, 90_000, args);
  const num = async (sql: string) => Number((await stack.db.query<{ n: string }>(sql)).rows[0].n);
  const indexes = async () =>
    (
      await stack.db.query<{ d: string }>(
        `SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`,
      )
    ).rows.map((r) => r.d);

  beforeAll(async () => {
    stack = await startStack({ worker: false });
    indexesBefore = await indexes();
    run = await generate(ARGS);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('exits 0 and prints the sizes and its phases', () => {
    expect(run.stderr).not.toMatch(/data:generate:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/generated .+ in \d+\.\d s \(seed 11, 18 months, 1 shards\)/);
    expect(run.stdout).toMatch(/build \d+ indexes/);
  });

  it('writes the requested customers and tickets with their history and surveys', async () => {
    expect(await num(`SELECT count(*) AS n FROM customers`)).toBe(300);
    expect(await num(`SELECT count(*) AS n FROM tickets`)).toBe(3000);
    // every ticket has its created event and a search vector; history follows the rows
    expect(
      await num(
        `SELECT count(*) AS n FROM tickets t WHERE NOT EXISTS
           (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'created')`,
      ),
    ).toBe(0);
    expect(await num(`SELECT count(*) AS n FROM tickets WHERE search = ''::tsvector`)).toBe(0);
    expect(await num(`SELECT count(*) AS n FROM ticket_messages`)).toBeGreaterThan(3000);
    expect(
      await num(`SELECT count(*) AS n FROM surveys WHERE kind = 'csat' AND score IS NOT NULL`),
    ).toBeGreaterThan(100);
    expect(await num(`SELECT count(*) AS n FROM surveys WHERE kind = 'nps'`)).toBeGreaterThan(0);
    // churn from service pain: some customers churned, each with its status change
    const churned = await num(`SELECT count(*) AS n FROM customers WHERE status = 'churned'`);
    expect(churned).toBeGreaterThan(0);
    expect(
      await num(
        `SELECT count(*) AS n FROM customers c WHERE c.status = 'churned' AND NOT EXISTS
           (SELECT 1 FROM customer_status_changes s WHERE s.customer_id = c.id AND s.to_status = 'churned')`,
      ),
    ).toBe(0);
  });

  it('rebuilds exactly the indexes it dropped, and the foreign keys hold', async () => {
    expect(await indexes()).toEqual(indexesBefore);
    expect(
      await num(
        `SELECT count(*) AS n FROM ticket_messages m LEFT JOIN tickets t ON t.id = m.ticket_id WHERE t.id IS NULL`,
      ),
    ).toBe(0);
    expect(
      await num(
        `SELECT count(*) AS n FROM tickets t LEFT JOIN contacts c ON c.id = t.requester_id
          WHERE c.id IS NULL OR c.customer_id <> t.customer_id`,
      ),
    ).toBe(0);
  });

  it('refuses a database that has data, unless --force', async () => {
    const again = await generate(ARGS);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has 300 customer\(s\); rerun with --force/);
    const forced = await generate([...ARGS, '--force', '--seed', '12']);
    expect(forced.code).toBe(0);
    expect(await num(`SELECT count(*) AS n FROM tickets`)).toBe(3000);
    expect(await indexes()).toEqual(indexesBefore);
  }, 90_000);

  it('rejects a bad flag with one line naming it', async () => {
    const bad = await generate(['--tickets', 'many']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(
      'data:generate: --tickets needs a whole number from 0 to 100000000; usage: data:generate [--customers N] [--tickets N] [--months N] [--seed N] [--jobs N] [--force]',
    );
  });
});
