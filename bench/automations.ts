/**
 * `npm run bench:automations [-- --full] [--no-match]`: what automation rules cost createTicket, and applyMacro
 * latency, against a real api process.
 *
 * - createTicket throughput (4 clients, closed loop) with the 50 bench rules active vs inactive,
 *   in alternating rounds (so drift of the machine hits both sides); target: with rules ≥ 85 % of
 *   without (issue 18).
 * - applyMacro (reply + tag) p95 at 4 clients; target < 100 ms at full size.
 *
 * Default: a fresh small database (`sd_bench_automations`, seed:demo with 300 customers / 3,000
 * tickets). `--full`: BENCH_DATABASE_URL or staydesk_bench (the 100k / 2M database `npm run
 * bench` generates) — takes a while and writes rows into it (tickets, replies, rules it removes
 * again at the end).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { Service, closedLoop, freePort, graphql, median } from './harness';

const ROOT = join(__dirname, '..', '..');
const full = process.argv.includes('--full');
const noMatch = process.argv.includes('--no-match');
const ROUNDS = full ? 3 : 2;
const SECONDS = full ? 8 : 4;
const CLIENTS = 4;
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_URL = full
  ? (process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/staydesk_bench')
  : 'postgres://postgres@127.0.0.1:5432/sd_bench_automations';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** 50 rules of every kind of condition; a few match (and tag), most do not. */
function benchRules(
  teamId: string,
): { name: string; trigger: string; conditions: object[]; actions: object }[] {
  const out: { name: string; trigger: string; conditions: object[]; actions: object }[] = [];
  const kinds: ((i: number) => object[])[] = [
    (i) => [{ field: 'words', operator: 'contains_any', values: [`zebra${i}`, `quartz${i}`] }],
    () => [
      { field: 'tier', operator: 'is', values: ['enterprise'] },
      { field: 'channel', operator: 'is', values: ['social'] },
    ],
    (i) => [{ field: 'tags', operator: 'contains_any', values: [`never-${i}`] }],
    () => [
      { field: 'priority', operator: 'is', values: ['urgent'] },
      { field: 'risk_band', operator: 'is', values: ['critical'] },
    ],
    () => [
      { field: 'business_hours', operator: 'outside' },
      { field: 'channel', operator: 'is', values: ['phone'] },
    ],
  ];
  for (let i = 0; i < 50; i++) {
    // 2 rules match every bench ticket and add a tag (--no-match: none do, evaluation only)
    const matching = !noMatch && i % 25 === 0;
    out.push({
      name: `bench rule ${i}`,
      trigger: i % 5 === 4 ? 'ticket_updated' : 'ticket_created',
      conditions: matching
        ? [{ field: 'channel', operator: 'is', values: ['web'] }]
        : kinds[i % kinds.length](i),
      actions: matching ? { addTags: [`bench-${i}`] } : { priority: 'high', teamId },
    });
  }
  return out;
}

async function prepare(): Promise<void> {
  if (full) return;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS sd_bench_automations');
  await admin.query('CREATE DATABASE sd_bench_automations');
  await admin.end();
  const seeded = spawnSync(
    process.execPath,
    [
      join(ROOT, 'dist/scripts/seed-demo.js'),
      '--customers',
      '300',
      '--tickets',
      '3000',
      '--months',
      '3',
    ],
    { env: { ...process.env, DATABASE_URL: DB_URL, LOG_LEVEL: 'warn' }, encoding: 'utf8' },
  );
  if (seeded.status !== 0) throw new Error(`seed:demo failed: ${seeded.stderr}`);
}

async function main(): Promise<void> {
  await prepare();
  const pool = new Pool({ connectionString: DB_URL, max: 2 });
  const port = await freePort();
  const api = Service.start('api', join(ROOT, 'dist/apps/api/src/main.js'), {
    NODE_ENV: 'development',
    DATABASE_URL: DB_URL,
    REDIS_URL,
    REDIS_PREFIX: `bench-auto-${randomBytes(4).toString('hex')}`,
    PORT: String(port),
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_USER_PER_MINUTE: '0',
    RATE_LIMIT_IP_PER_MINUTE: '0',
  });
  const created: string[] = [];
  try {
    await api.waitFor('api listening');
    const url = `http://127.0.0.1:${port}`;
    const { data } = await graphql(url)<{ login: { token: string } }>(
      `mutation { login(email: "admin@demo.staydesk.local", password: "staydesk-demo") { token } }`,
    );
    const gql = graphql(url, data.login.token);
    const contacts = (
      await pool.query<{ id: string }>(`SELECT id::text FROM contacts ORDER BY random() LIMIT 200`)
    ).rows.map((r) => r.id);
    const teamId = (await pool.query<{ id: string }>(`SELECT id::text FROM teams LIMIT 1`)).rows[0]
      .id;
    // the demo's own rules stay off during the measurement (restored at the end)
    const demoActive = (
      await pool.query<{ id: string }>(
        `UPDATE automation_rules SET active = false WHERE active RETURNING id::text`,
      )
    ).rows.map((r) => r.id);
    for (const r of benchRules(teamId)) {
      const res = await gql<{ createAutomationRule: { id: string } }>(
        `mutation($i: AutomationRuleInput!) { createAutomationRule(input: $i) { id } }`,
        { i: r },
      );
      created.push(res.data.createAutomationRule.id);
    }
    const setRules = (active: boolean) =>
      pool.query(`UPDATE automation_rules SET active = $2 WHERE id = ANY($1::bigint[])`, [
        created,
        active,
      ]);
    const create = async (client: number, n: number) => {
      await gql(`mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }`, {
        i: {
          requesterId: contacts[(client * 997 + n) % contacts.length],
          subject: `Bench ticket ${client}-${n}`,
          channel: 'web',
          message: { kind: 'customer_message', body: 'The export stops halfway, please help.' },
        },
      });
    };
    await setRules(false);
    await closedLoop(CLIENTS, 2, create); // warm-up
    const without: number[] = [];
    const withRules: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await setRules(false);
      without.push((await closedLoop(CLIENTS, SECONDS, create)).perSecond);
      await setRules(true);
      withRules.push((await closedLoop(CLIENTS, SECONDS, create)).perSecond);
    }
    const ratio = median(withRules) / median(without);
    console.log(
      `createTicket (${CLIENTS} clients, ${ROUNDS} alternating rounds of ${SECONDS} s): ` +
        `without rules ${median(without).toFixed(1)}/s, with 50 active rules (${noMatch ? 'none matching' : '2 matching, tagging'}) ${median(withRules).toFixed(1)}/s ` +
        `→ ${(ratio * 100).toFixed(0)} % (target ≥ 85 %) ${ratio >= 0.85 ? 'PASS' : 'FAIL'}`,
    );
    await setRules(false);

    // applyMacro: each client on its own tickets, so optimistic locking never collides
    const macro = (
      await gql<{ createMacro: { id: string } }>(
        `mutation { createMacro(input: { name: "Bench macro", scope: global,
          body: "Hi {{requester.first_name}}, about #{{ticket.number}}: we are on it.",
          actions: { addTags: ["bench-macro"] } }) { id } }`,
      )
    ).data.createMacro.id;
    const tickets = (
      await pool.query<{ id: string }>(
        `SELECT id::text FROM tickets WHERE status IN ('new', 'open') ORDER BY id DESC LIMIT 400`,
      )
    ).rows.map((r) => r.id);
    const perClient = Math.floor(tickets.length / CLIENTS);
    const applied = await closedLoop(CLIENTS, SECONDS, async (client, n) => {
      await gql(`mutation($t: ID!, $m: ID!) { applyMacro(ticketId: $t, macroId: $m) { reply } }`, {
        t: tickets[client * perClient + (n % perClient)],
        m: macro,
      });
    });
    console.log(
      `applyMacro (${CLIENTS} clients, ${applied.requests} applications): p50 ${applied.p50.toFixed(1)} ms, ` +
        `p95 ${applied.p95.toFixed(1)} ms (target < 100 ms at full size) ${applied.p95 < 100 ? 'PASS' : 'FAIL'}` +
        (applied.errors ? ` · ${applied.errors} errors, first: ${applied.firstError}` : ''),
    );
    await pool.query(`DELETE FROM macros WHERE id = $1`, [macro]);
    await pool.query(`UPDATE automation_rules SET active = true WHERE id = ANY($1::bigint[])`, [
      demoActive,
    ]);
  } finally {
    if (created.length)
      await pool.query(
        `UPDATE automation_rules SET deleted_at = now() WHERE id = ANY($1::bigint[])`,
        [created],
      );
    await api.stop();
    await pool.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
