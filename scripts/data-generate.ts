// Over 400 lines on purpose: the generator's orchestration (shards, COPY, index rebuild, resume after an interruption) in one place; the world itself is libs/simulation.
/**
 * `npm run data:generate -- [--customers 1000] [--tickets 20000] [--months 18] [--seed 7]
 *   [--jobs 2] [--force]`
 *
 * Fills a database with a big, realistic helpdesk world for benchmarks and backtests, straight
 * through PostgreSQL's bulk path (`COPY … FROM STDIN`), never through the API.
 *
 * The world is the demo seeder's simulation (libs/simulation: arrivals, ticket lives as a
 * state machine, SLA outcomes, angry messages, churn driven by service pain plus noise, follow-ups,
 * CSAT/CES/NPS surveys), split into shards of about {@link SHARD_TICKETS} tickets: each shard is
 * an independent sub-world with its share of the customers and tickets and its own seed, and the
 * staff is shared. Sharding keeps memory flat (one shard in memory per job) and lets `--jobs`
 * child processes simulate and stream in parallel while PostgreSQL ingests.
 *
 * Speed-ups, all undone before the run ends:
 * - secondary indexes of the bulk tables are dropped before the load and built afterwards (two
 *   at a time); their definitions are written to the audit log first, so a run that was killed
 *   has them rebuilt by the next run;
 * - as a superuser, the loaders set `session_replication_role = replica`: foreign-key triggers do
 *   not fire for rows the generator made consistent by construction;
 * - `synchronous_commit = off` for the load sessions.
 * At the end: VACUUM (ANALYZE) of the bulk tables, so plans and index-only scans look like a
 * database that has been running for a while.
 *
 * Each shard is one transaction; an interrupted run leaves a partial world: rerun with --force.
 */
import { fork } from 'node:child_process';
import bcrypt from 'bcryptjs';
import { Client } from 'pg';
import { describeDatabaseUrl, loadConfig, prepareDatabase, runCli } from '@staydesk/core';
import { RiskRepository } from '@staydesk/risk';
import { ValueRepository } from '@staydesk/value';
import type { Tx } from '@staydesk/core';
import {
  DEMO_PASSWORD,
  Db,
  UsageError,
  World,
  ensureSlaPolicies,
  insertCustomers,
  insertFollowUps,
  insertStaff,
  insertSurveys,
  insertTickets,
  monthsBefore,
  parseWorldFlags,
  simulateWorld,
  useCopy,
} from '@staydesk/simulation';

/** Tickets per shard: big enough for realistic per-customer histories, small enough for memory. */
const SHARD_TICKETS = 25_000;
/** Tables the shards fill; their secondary indexes are rebuilt after the load. */
const BULK_TABLES = [
  'customers',
  'contacts',
  'customer_status_changes',
  'tickets',
  'ticket_messages',
  'ticket_events',
  'follow_ups',
  'surveys',
];

interface GenerateOptions {
  customers: number;
  tickets: number;
  months: number;
  seed: number;
  jobs: number;
  force: boolean;
}

const USAGE =
  'usage: data:generate [--customers N] [--tickets N] [--months N] [--seed N] [--jobs N] [--force]';
const FLAGS = {
  customers: [1, 10_000_000],
  tickets: [0, 100_000_000],
  months: [1, 120],
  seed: [0, 4_294_967_295],
  jobs: [1, 16],
} as const;

function parseArgs(argv: string[]): GenerateOptions | 'help' {
  return parseWorldFlags(
    argv,
    { customers: 1000, tickets: 20_000, months: 18, seed: 7, jobs: 2, force: false },
    FLAGS,
  );
}

// ---------------------------------------------------------------------------------------------
// Shards

/** What a job needs to simulate and write one shard (plain data: it crosses process IPC). */
interface ShardTask extends World {
  shard: number;
}

interface ShardResult {
  shard: number;
  tickets: number;
  messages: number;
  events: number;
  customers: number;
  churned: number;
  surveys: number;
}

/** Splits `total` into `parts` whole numbers that differ by at most one. */
function share(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

async function prepareLoadSession(db: Db): Promise<void> {
  useCopy(db);
  await db.query(`SET synchronous_commit = off`);
  const { rows } = await db.query<{ su: boolean }>(
    `SELECT rolsuper AS su FROM pg_roles WHERE rolname = current_user`,
  );
  if (rows[0]?.su) await db.query(`SET session_replication_role = replica`);
}

/** Simulates one shard's world and writes it in one transaction. */
async function writeShard(db: Db, task: ShardTask): Promise<ShardResult> {
  const { shard: _, ...world } = task;
  const { customers, tickets, followUps, surveys } = simulateWorld(world);
  await db.query('BEGIN');
  try {
    await insertCustomers(db, customers);
    await insertTickets(db, world, tickets);
    await insertFollowUps(db, followUps);
    await insertSurveys(db, surveys);
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return {
    shard: task.shard,
    tickets: tickets.length,
    messages: tickets.reduce((n, t) => n + t.history.messages.length, 0),
    events: tickets.reduce((n, t) => n + t.history.events.length, 0),
    customers: customers.length,
    churned: customers.filter((c) => c.status === 'churned').length,
    surveys: surveys.length,
  };
}

/** A child process: takes shard tasks over IPC until told to stop. */
async function shardWorker(): Promise<void> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const db = new Client({ connectionString: config.database.url, connectionTimeoutMillis: 5000 });
  await db.connect();
  await prepareLoadSession(db);
  process.on('message', (task: ShardTask | 'stop') => {
    if (task === 'stop') {
      void db.end().then(() => process.exit(0));
      return;
    }
    writeShard(db, task).then(
      (result) => process.send!({ result }),
      (err: Error & { code?: string }) =>
        process.send!({ error: `shard ${task.shard}: ${err.message} ${err.code ?? ''}`.trim() }),
    );
  });
  process.send!('ready');
}

/** Runs every shard on `jobs` child processes; calls `onDone` as each finishes. */
async function runShards(
  tasks: ShardTask[],
  jobs: number,
  onDone: (r: ShardResult) => void,
): Promise<void> {
  const queue = [...tasks];
  const children = Array.from({ length: Math.min(jobs, tasks.length) }, () =>
    fork(__filename, ['--shard-worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  try {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            const next = () => {
              const task = queue.shift();
              if (task) child.send(task);
              else {
                child.send('stop');
                resolve();
              }
            };
            child.on('message', (m: 'ready' | { result?: ShardResult; error?: string }) => {
              if (m === 'ready') return next();
              if (m.error) return reject(new Error(m.error));
              onDone(m.result!);
              next();
            });
            child.on('exit', (code) => {
              if (code !== 0) reject(new Error(`a generator job exited with code ${code}`));
            });
          }),
      ),
    );
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}

// ---------------------------------------------------------------------------------------------
// Indexes

interface IndexDef {
  name: string;
  def: string;
}

/** Rebuilds indexes that an earlier, interrupted run dropped (from its audit-log row). */
async function restoreInterruptedRun(db: Db, url: string): Promise<number> {
  const { rows } = await db.query<{ details: { droppedIndexes?: IndexDef[] } }>(
    `SELECT details FROM audit_log WHERE action = 'data.generate.started'
     AND NOT EXISTS (SELECT 1 FROM audit_log f WHERE f.action = 'data.generate.finished'
                     AND f.id > audit_log.id)
     ORDER BY id DESC LIMIT 1`,
  );
  const defs = rows[0]?.details.droppedIndexes ?? [];
  await buildIndexes(db, url, defs);
  return defs.length;
}

async function dropSecondaryIndexes(db: Db): Promise<IndexDef[]> {
  const { rows } = await db.query<IndexDef>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
     WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
     ORDER BY pg_relation_size(i.indrelid) DESC, 1`,
    [BULK_TABLES],
  );
  await db.query(`INSERT INTO audit_log (action, entity, details) VALUES ($1, 'database', $2)`, [
    'data.generate.started',
    JSON.stringify({ droppedIndexes: rows }),
  ]);
  for (const r of rows) await db.query(`DROP INDEX IF EXISTS ${r.name}`);
  return rows;
}

/** Builds the indexes two at a time (one per core), with generous maintenance memory. */
async function buildIndexes(db: Db, url: string, defs: IndexDef[]): Promise<void> {
  if (defs.length === 0) return;
  const pending = [...defs];
  const second = new Client({ connectionString: url });
  await second.connect();
  try {
    await Promise.all(
      [db, second].map(async (c) => {
        await c.query(`SET maintenance_work_mem = '512MB'`);
        for (let d = pending.shift(); d; d = pending.shift()) {
          await c.query(d.def.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX IF NOT EXISTS '));
        }
      }),
    );
  } finally {
    await second.end();
  }
}

// ---------------------------------------------------------------------------------------------
// The run

const n = (x: number) => x.toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function generate(db: Db, url: string, options: GenerateOptions): Promise<void> {
  const where = describeDatabaseUrl(url);
  const phases: [string, number][] = [];
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases.push([name, now - mark]);
    mark = now;
  };

  const restored = await restoreInterruptedRun(db, url);
  if (restored > 0) console.log(`rebuilt ${restored} index(es) an interrupted run had dropped`);
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM customers`);
  if (Number(rows[0].n) > 0 && !options.force) {
    throw new UsageError(
      `the database already has ${n(Number(rows[0].n))} customer(s); rerun with --force to replace everything in it`,
    );
  }
  const tables = await db.query<{ t: string }>(
    `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
  );
  await db.query(
    `TRUNCATE ${tables.rows.map((r) => `"${r.t}"`).join(', ')} RESTART IDENTITY CASCADE`,
  );
  // Singleton rows that migrations seed (the TRUNCATE above empties them too): the KPI refresh
  // reads and updates `kpi_state` row 1 and would otherwise fail on every generated database.
  await db.query(`INSERT INTO kpi_state (id) VALUES (1) ON CONFLICT DO NOTHING`);

  const now = Date.now();
  const customersFrom = monthsBefore(now, Math.max(36, options.months + 1));
  const shards = Math.max(1, Math.ceil(options.tickets / SHARD_TICKETS));
  if (options.customers < shards) {
    throw new UsageError(
      `--customers must be at least ${shards} for ${n(options.tickets)} tickets (one shard per ${n(SHARD_TICKETS)} tickets needs customers of its own)`,
    );
  }
  const sla = await ensureSlaPolicies(db);
  // Staff grows with the world: 12 agents and 3 account managers per 100k tickets.
  const scale = Math.max(1, Math.round(options.tickets / 100_000));
  const staff = await insertStaff(db, await bcrypt.hash(DEMO_PASSWORD, 10), customersFrom, scale);
  const dropped = await dropSecondaryIndexes(db);
  phase('reset, staff, drop indexes');

  const tasks: ShardTask[] = Array.from({ length: shards }, (_, shard) => ({
    shard,
    options: {
      customers: share(options.customers, shards, shard),
      tickets: share(options.tickets, shards, shard),
      months: options.months,
      seed: (options.seed * 100_003 + shard) >>> 0,
      force: false,
    },
    now,
    ticketsFrom: monthsBefore(now, options.months),
    customersFrom,
    staff,
    sla,
  }));
  const totals = { tickets: 0, messages: 0, events: 0, customers: 0, churned: 0, surveys: 0 };
  const started = performance.now();
  let done = 0;
  await runShards(tasks, options.jobs, (r) => {
    done++;
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k];
    const elapsed = (performance.now() - started) / 1000;
    const rate = totals.tickets / elapsed;
    const eta = rate > 0 ? (options.tickets - totals.tickets) / rate : 0;
    process.stderr.write(
      `  shard ${done}/${shards} · ${n(totals.tickets)} tickets · ${n(Math.round(rate))} tickets/s · ETA ${Math.round(eta)} s\n`,
    );
  });
  phase(`simulate + COPY (${options.jobs} jobs)`);

  await buildIndexes(db, url, dropped);
  phase(`build ${dropped.length} indexes`);
  await db.query(`VACUUM (ANALYZE) ${BULK_TABLES.join(', ')}`);
  phase('vacuum, analyze');
  // lifetime values and value segments (the worker recomputes them nightly): the KPI facts
  // carry each customer's segment, so a KPI rebuild after this load has them from the start
  // instead of the worker's first refresh recomputing every fact when segments first appear
  await recomputeValues(db);
  phase('lifetime values, segments');

  const counts = await db.query<{ t: string; n: string }>(
    BULK_TABLES.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t}`).join(' UNION ALL '),
  );
  const total = phases.reduce((s, [, ms]) => s + ms, 0);
  await db.query(`INSERT INTO audit_log (action, entity, details) VALUES ($1, 'database', $2)`, [
    'data.generate.finished',
    JSON.stringify({ ...options, ...totals, seconds: Math.round(total / 1000) }),
  ]);
  console.log(
    [
      `generated ${where} in ${secs(total)} (seed ${options.seed}, ${options.months} months, ${shards} shards)`,
      ...counts.rows.map((r) => `  ${r.t.padEnd(24)} ${n(Number(r.n)).padStart(12)}`),
      `  churned customers ${n(totals.churned)} · staff ${n(staff.all.length)} (password ${DEMO_PASSWORD})`,
      ...phases.map(([name, ms]) => `  ${name.padEnd(32)} ${secs(ms).padStart(9)}`),
    ].join('\n'),
  );
}

/**
 * Lifetime values and value segments of everyone, then the expected value at risk on the risk
 * scores, in one transaction (libs/value, libs/risk; as the nightly job does it).
 */
async function recomputeValues(db: Db): Promise<void> {
  const tx = {
    query: async (sql: string, params?: unknown[]) => (await db.query(sql, params)).rows,
  } as unknown as Tx;
  await db.query('BEGIN');
  try {
    await new ValueRepository().recomputeAll(tx, new Date());
    await new RiskRepository().refreshExpectedValueAtRisk(tx);
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--values-only')) {
    // (re)compute lifetime values and segments of an already generated database
    const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
    await prepareDatabase(config);
    const db = new Client({ connectionString: config.database.url });
    await db.connect();
    try {
      await recomputeValues(db);
    } finally {
      await db.end();
    }
    return;
  }
  if (process.argv.includes('--shard-worker')) return shardWorker();
  const options = parseArgs(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const { applied } = await prepareDatabase(config);
  if (applied.length > 0) console.log(`applied ${applied.length} migration(s) first`);
  const db = new Client({ connectionString: config.database.url, connectionTimeoutMillis: 5000 });
  await db.connect();
  try {
    await generate(db, config.database.url, options);
  } finally {
    await db.end();
  }
}

runCli('data:generate', USAGE, main);
