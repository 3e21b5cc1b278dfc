// Over 400 lines on purpose: the one full bench run, phase after phase in the order docs/benchmarks.md reports them; the larger phases have files of their own (email.ts, live.ts, web.ts, plain.ts).
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { loadConfig, PlatformModule, QUEUES } from '@staydesk/core';
import { RiskModule, RiskService, WINDOW_CHUNK } from '@staydesk/risk';
import type { RescoreResult } from '@staydesk/risk';
import { ValueModule, ValueService } from '@staydesk/value';
import {
  LoadResult,
  Service,
  SmtpCounter,
  backlog,
  closedLoop,
  freePort,
  graphql,
  median,
  percentile,
  procCpuSeconds,
  sleep,
} from './harness';
import { benchCreateTicket } from './create';
import { benchEmail } from './email';
import { API_NODE_FLAGS, apiEnv } from '../apps/api/src/node-flags';
import { workerNodeFlags } from '../apps/worker/src/node-flags';
import { BENCH_QUERIES } from './queries';

/**
 * `npm run bench [-- --quick]`: the numbers behind the performance targets, measured against real
 * processes on this machine, printed and written into docs/benchmarks.md (between the markers of
 * its mode). Full mode works on 100k customers / 2M tickets (generated with data:generate into
 * BENCH_DATABASE_URL when that database does not hold them yet); --quick on 1k / 10k.
 *
 * Order: data → risk rescoring in-process (which also fills risk scores) → api + worker as child
 * processes (wait for the worker's boot rescore to finish) → createTicket over HTTP vs the same
 * transaction on raw pg (alternating rounds) → queue page, KPI and risk-list latency at 8
 * clients → survey pipeline from outbox to SMTP → peak RSS of api and worker.
 */

const ROOT = join(__dirname, '..', '..');
const quick = process.argv.includes('--quick');
/**
 * `--only create,reads,plain,surveys,email,kpi,windows`: just those phases after start-up (while
 * working on one figure; `kpi` only when named; `windows`, benchWindowRescore, also runs in every full
 * run); such a run prints but does not rewrite docs/benchmarks.md.
 */
const only = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? new Set(process.argv[i + 1].split(',')) : null;
})();
const phase = (name: string) => !only || only.has(name);
/**
 * `--reads-detail`: for every queue page round (reads phase and plain-baseline rounds), the p95
 * of each second and what else used the CPU meanwhile (the worker, PostgreSQL, the machine).
 */
const readsDetail = process.argv.includes('--reads-detail');
/**
 * Unmeasured load (8 clients, the same read) before each read's measured round, on every api: at
 * least as long as the round and at least 2,000 requests (500 quick), at most four rounds' time,
 * so the p95 is of a warm api, as the plain-baseline rounds' is. A fresh api's CPU per queue page
 * falls for its first ~2,000 pages (V8 tiering up the page's path, the heap growing to its
 * working size): 4.0 → 2.5–2.8 ms at full size. `--reads-cold` measures each read from its
 * first request instead (as before; docs/benchmarks.md, issue 19, helper "queue").
 */
async function warmUp(call: () => Promise<unknown>): Promise<void> {
  if (process.argv.includes('--reads-cold')) return;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const least = quick ? 500 : 2_000;
  let requests = 0;
  while (elapsed() < 4 * SIZES.seconds && (elapsed() < SIZES.seconds || requests < least)) {
    requests += (
      await closedLoop(8, 1, async () => {
        await call();
      })
    ).requests;
  }
}
/**
 * `--variant KEY=VALUE,…`: a second api with these environment variables (e.g.
 * GRAPHQL_EXECUTOR=jit, NODE_OPTIONS=--max-semi-space-size=16) in the queue page's alternating
 * rounds, to measure an option against the default in the same run. `NODE_FLAGS=…` (space
 * separated, may be empty) replaces the api's V8 flags (apps/api/src/node-flags.ts) for it; its
 * variables override the api's environment from there too (`MALLOC_ARENA_MAX=16`: glibc's own
 * limit on two cores).
 * `API_MAIN=/path/to/dist/apps/api/src/main.js` runs another build as the second api (before vs
 * after a change, in the same alternating rounds).
 */
const variant = (() => {
  const i = process.argv.indexOf('--variant');
  if (i < 0) return null;
  return Object.fromEntries(
    process.argv[i + 1]
      .split(',')
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  ) as Record<string, string>;
})();
/** `--name N`: a number given on the command line, or undefined. */
const argNumber = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
};
const variantName = () =>
  Object.entries(variant ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
const SIZES = quick
  ? { customers: 1_000, tickets: 10_000, seconds: 4, rounds: 1, surveys: 300, singles: 20 }
  : { customers: 100_000, tickets: 2_000_000, seconds: 8, rounds: 3, surveys: 3_000, singles: 50 };
// `--surveys N`: that many solves in the survey phase (a quick world with the full-size burst)
if (process.argv.includes('--surveys'))
  SIZES.surveys = Number(process.argv[process.argv.indexOf('--surveys') + 1]);
const DB_URL =
  process.env.BENCH_DATABASE_URL ??
  `postgres://postgres@127.0.0.1:5432/staydesk_bench${quick ? '_quick' : ''}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `bench-${randomBytes(4).toString('hex')}`;

interface Row {
  name: string;
  value: string;
  target: string;
  pass: boolean | null;
}
const rows: Row[] = [];
let apiRss = () => NaN;
let variantRss = () => NaN;
const notes: string[] = [];

function record(name: string, value: string, target = '', pass: boolean | null = null) {
  rows.push({ name, value, target, pass });
  const mark = pass === null ? '' : pass ? '  PASS' : '  MISS';
  console.log(`  ${name.padEnd(52)} ${value.padStart(26)}  ${target}${mark}`);
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const lat = (r: LoadResult) => `p50 ${ms(r.p50)} · p95 ${ms(r.p95)}`;

// ---------------------------------------------------------------------------------------------
// Data

async function ensureData(pool: Pool): Promise<void> {
  const counts = await pool
    .query<{ c: string; t: string }>(
      `SELECT (SELECT count(*) FROM customers) AS c, (SELECT count(*) FROM tickets) AS t`,
    )
    .then((r) => r.rows[0])
    // Only a database without the tables counts as empty (42P01: undefined table). Any other
    // failure (too many clients, a restart) must stop the run, not regenerate the world.
    .catch((e: unknown) => {
      if ((e as { code?: string }).code === '42P01') return { c: '0', t: '0' };
      throw e;
    });
  // The bench adds a few thousand tickets per run; regenerate once it has drifted by 5 %.
  const fits =
    Number(counts.c) >= SIZES.customers &&
    Number(counts.t) >= SIZES.tickets &&
    Number(counts.t) < SIZES.tickets * 1.05;
  if (fits) {
    record('data', `${fmt(Number(counts.c))} customers · ${fmt(Number(counts.t))} tickets`);
  } else {
    await generateData();
  }
  // Migrations newer than the data, then KPI facts and cells if a bulk load left none (the
  // worker would otherwise start rebuilding them in the middle of the measurements).
  run('migrate', 'dist/scripts/migrate.js');
  const facts = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM kpi_ticket_facts`);
  if (Number(facts.rows[0].n) < SIZES.tickets) {
    const t = performance.now();
    run('kpi:rebuild', 'dist/scripts/kpi-rebuild.js');
    record(
      'kpi:rebuild (facts and cells from scratch)',
      `${((performance.now() - t) / 1000).toFixed(0)} s`,
    );
  }
}

function run(name: string, script: string, args: string[] = []): void {
  const r = spawnSync(process.execPath, [join(ROOT, script), ...args], {
    env: { ...process.env, DATABASE_URL: DB_URL, LOG_LEVEL: 'warn' },
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`${name} failed (${r.status})`);
}

async function generateData(): Promise<void> {
  console.log(`generating ${fmt(SIZES.customers)} customers / ${fmt(SIZES.tickets)} tickets …`);
  const started = performance.now();
  run('data:generate', 'dist/scripts/data-generate.js', [
    '--customers',
    String(SIZES.customers),
    '--tickets',
    String(SIZES.tickets),
    '--force',
  ]);
  const seconds = (performance.now() - started) / 1000;
  record(
    `data:generate ${fmt(SIZES.tickets)} tickets`,
    `${seconds.toFixed(0)} s`,
    quick ? '' : '< 600 s',
    quick ? null : seconds < 600,
  );
}

async function createDatabase(): Promise<void> {
  const u = new URL(DB_URL);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = new Pool({ connectionString: u.toString(), max: 1 });
  const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  await admin.end();
}

// ---------------------------------------------------------------------------------------------
// 4. Risk rescoring (in-process, the code the worker runs)

async function benchRisk(pool: Pool): Promise<void> {
  const config = loadConfig({ DATABASE_URL: DB_URL, REDIS_PREFIX: PREFIX, LOG_LEVEL: 'warn' });
  @Module({
    imports: [PlatformModule.forRoot(config), RiskModule, ValueModule],
  })
  class BenchRiskModule {}
  const app = await NestFactory.createApplicationContext(BenchRiskModule, { logger: false });
  try {
    const risk = app.get(RiskService);
    if (phase('windows')) await benchWindowRescore(pool, risk);
    if (!phase('risk')) return;
    const runs: RescoreResult[] = [];
    for (let i = 0; i < SIZES.rounds; i++) runs.push(await risk.rescoreAll());
    const wall = median(runs.map((r) => r.totalMs));
    const part = (k: 'featureMs' | 'stageMs' | 'applyMs' | 'baseMs') =>
      `${(median(runs.map((r) => r[k])) / 1000).toFixed(2)} s`;
    const n = runs[0].customers;
    // the model in use changes the bands (a fitted model's own vs the score distribution) and
    // how many customers enter high/critical, so the line names it
    record(
      `full risk rescore (${fmt(n)} customers, model ${runs[0].modelVersion}, median of ${runs.length})`,
      `${(wall / 1000).toFixed(2)} s · ${fmt(n / (wall / 1000))}/s`,
      '< 15 s',
      wall < 15_000,
    );
    record(
      '  of which feature SQL · scoring + COPY · history + upsert · score-change base',
      `${part('featureMs')} · ${part('stageMs')} · ${part('applyMs')} · ${part('baseMs')}`,
    );
    const { rows: ids } = await pool.query<{ id: string }>(
      `SELECT id::text FROM customers WHERE status = 'active' ORDER BY random() LIMIT $1`,
      [SIZES.singles],
    );
    const times: number[] = [];
    for (const { id } of ids) {
      const t = performance.now();
      await risk.rescoreCustomer(id);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    record(
      `single-customer rescore (${times.length} customers)`,
      `p50 ${ms(percentile(times, 50))} · p95 ${ms(percentile(times, 95))}`,
      'p95 < 50 ms',
      percentile(times, 95) < 50,
    );
    // lifetime values, segments and expected value at risk (the nightly job after the rescore)
    const value = await app.get(ValueService).recomputeAll();
    record(
      `lifetime value recompute (${fmt(value.customers)} customers)`,
      `${(value.totalMs / 1000).toFixed(2)} s`,
      '< 60 s',
      value.totalMs < 60_000,
    );
  } finally {
    await app.close();
  }
}

/**
 * `--only windows` (and every full run): the debounced rescore of a window's customers, one at a
 * time (what one `risk.rescore` job per customer did before issue 19's window jobs) against
 * together (`risk.rescore-window`: chunks of WINDOW_CHUNK, one transaction each), on the same
 * random active customers in each of three rounds (fresh ones per round, read once first): wall time and CPU per customer of this process and of
 * the database's backends (the bench database: nothing else should be running on it).
 */
async function benchWindowRescore(pool: Pool, risk: RiskService): Promise<void> {
  const n = quick ? 400 : 1000;
  type Sample = { wall: number; node: number; pg: number };
  const sides: Record<'alone' | 'together', Sample[]> = { alone: [], together: [] };
  const together = async (ids: string[]) => {
    for (let i = 0; i < ids.length; i += WINDOW_CHUNK)
      await risk.rescoreCustomers(ids.slice(i, i + WINDOW_CHUNK));
  };
  for (let round = 0; round < 3; round++) {
    // the same customers both ways, their pages read once beforehand (the bench's customers are
    // rescored window after window), the order alternating by round
    const { rows } = await pool.query<{ id: string }>(
      `SELECT id::text FROM customers WHERE status = 'active' ORDER BY random() LIMIT $1`,
      [n],
    );
    const ids = rows.map((r) => r.id);
    await together(ids);
    const order = round % 2 ? (['together', 'alone'] as const) : (['alone', 'together'] as const);
    for (const side of order) {
      const pg0 = await backendCpu(pool);
      const node0 = process.cpuUsage();
      const t0 = performance.now();
      if (side === 'alone') for (const id of ids) await risk.rescoreCustomer(id);
      else await together(ids);
      const wall = performance.now() - t0;
      const node = process.cpuUsage(node0);
      let pg = 0;
      for (const [pid, sec] of await backendCpu(pool)) pg += sec - (pg0.get(pid) ?? 0);
      sides[side].push({
        wall: wall / ids.length,
        node: (node.user + node.system) / 1000 / ids.length,
        pg: (pg * 1000) / ids.length,
      });
    }
  }
  const line = (s: Sample[]) =>
    `${median(s.map((x) => x.wall)).toFixed(2)} ms wall · CPU node ${median(s.map((x) => x.node)).toFixed(2)} · PostgreSQL ${median(s.map((x) => x.pg)).toFixed(2)} ms`;
  record(`debounced rescore, ${fmt(n)} customers one at a time, per customer`, line(sides.alone));
  record(
    `  the same together (window job, chunks of ${WINDOW_CHUNK}), per customer`,
    line(sides.together),
  );
}

// ---------------------------------------------------------------------------------------------
// --reads-detail: what ran beside a queue page round

/** Busy CPU of the whole machine so far (all cores, /proc/stat), in ms. */
function machineBusyMs(): number {
  const f = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  // user nice system idle iowait irq softirq steal: all but idle and iowait, in 10 ms ticks
  return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0)) * 10;
}

interface CpuSample {
  at: number;
  worker: number;
  pg: Map<number, number>;
  machine: number;
  vacuum: string[];
}

async function cpuSample(pool: Pool, worker?: Service): Promise<CpuSample> {
  const { rows } = await pool.query<{ t: string }>(
    `SELECT coalesce(relid::regclass::text, '?') AS t FROM pg_stat_progress_vacuum WHERE datname = current_database()
     UNION ALL SELECT 'analyze ' || relid::regclass::text FROM pg_stat_progress_analyze WHERE datname = current_database()`,
  );
  const pg = await backendCpu(pool);
  return {
    at: performance.now(),
    worker: worker?.cpuMs() ?? 0,
    pg,
    machine: machineBusyMs(),
    vacuum: rows.map((r) => r.t),
  };
}

/** One line per round: p95 by second, and the CPU (ms per second of the round) of the others. */
function detailNote(label: string, r: LoadResult & { cpuMs?: number }, a: CpuSample, b: CpuSample) {
  const s = (b.at - a.at) / 1000;
  const per = (x: number) => (x / s).toFixed(0);
  // per backend: one that connected during the round counts from zero
  let pg = 0;
  for (const [pid, cpu] of b.pg) pg += (cpu - (a.pg.get(pid) ?? 0)) * 1000;
  const vacuum = [...new Set([...a.vacuum, ...b.vacuum])];
  const line =
    `${label}: ${r.requests} pages, p95 ${ms(r.p95)}; p95 by second ${(r.p95BySecond ?? []).map((x) => x.toFixed(0)).join(' ')}; ` +
    `api ${(r.cpuMs ?? NaN).toFixed(2)} ms CPU/page; CPU ms/s: worker ${per(b.worker - a.worker)}, ` +
    `PostgreSQL (all backends of the database) ${per(pg)}, machine ${per(b.machine - a.machine)}` +
    (vacuum.length ? `; (auto)vacuum/analyze: ${vacuum.join(', ')}` : '');
  console.log(`  - ${line}`);
  notes.push(line);
}

// ---------------------------------------------------------------------------------------------
// 2b. The queue page against the plain baseline (bench/plain.ts), alternating rounds

async function benchQueueVsPlain(
  url: string,
  plainUrl: string,
  token: string,
  pool: Pool,
  processes: { api: Service; plain: Service; variant?: Service; worker?: Service },
  variantUrl?: string,
): Promise<void> {
  const ctx = await BENCH_QUERIES.context(pool);
  const q = BENCH_QUERIES.reads[0];
  const variables = q.variables(ctx);
  const api = graphql(url, token);
  const plain = graphql(plainUrl, token);
  const other = variantUrl ? graphql(variantUrl, token) : null;
  // same answer (ids in the same order), or the comparison means nothing
  type Page = { tickets: { edges: { node: { id: string } }[] } };
  const ids = (r: { data: Page }) => r.data.tickets.edges.map((e) => e.node.id).join(',');
  const [a, b] = [await api<Page>(q.query, variables), await plain<Page>(q.query, variables)];
  if (ids(a) !== ids(b)) notes.push('plain baseline: its queue page differs from the api’s');
  // each round also keeps the serving process's CPU time per request (Service.cpuMs)
  let round = 0;
  const load = async (call: typeof api, process?: Service) => {
    const sample = readsDetail ? await cpuSample(pool, processes.worker) : null;
    const before = process?.cpuMs() ?? 0;
    const result: LoadResult & { cpuMs?: number } = await closedLoop(
      8,
      SIZES.seconds,
      async () => {
        await call(q.query, variables);
      },
      readsDetail,
    );
    if (process) result.cpuMs = (process.cpuMs() - before) / Math.max(result.requests, 1);
    if (sample)
      detailNote(
        `queue round ${Math.floor(round++ / (other ? 3 : 2)) + 1}, ${process?.name ?? '?'}`,
        result,
        sample,
        await cpuSample(pool, processes.worker),
      );
    return result;
  };
  type Run = LoadResult & { cpuMs?: number };
  const apiRuns: Run[] = [];
  const plainRuns: Run[] = [];
  const variantRuns: Run[] = [];
  for (let i = 0; i < Math.max(SIZES.rounds, 3); i++) {
    plainRuns.push(await load(plain, processes.plain));
    apiRuns.push(await load(api, processes.api));
    if (other) variantRuns.push(await load(other, processes.variant));
  }
  const cpu = (rs: Run[]) => median(rs.map((r) => r.cpuMs ?? NaN));
  const rate = (rs: LoadResult[]) => median(rs.map((r) => r.perSecond));
  const p95 = (rs: LoadResult[]) => median(rs.map((r) => r.p95));
  const p50 = (rs: LoadResult[]) => median(rs.map((r) => r.p50));
  const line = (rs: LoadResult[]) => `${fmt(rate(rs))}/s · p50 ${ms(p50(rs))} · p95 ${ms(p95(rs))}`;
  record(
    `plain baseline queue page (graphql-js + pg, 1 SQL), 8 clients, ${plainRuns.length} rounds`,
    line(plainRuns),
  );
  record(`queue page, 8 clients, same rounds`, line(apiRuns));
  const ratio = rate(apiRuns) / rate(plainRuns);
  record(
    'queue page ÷ plain baseline (throughput)',
    `${(100 * ratio).toFixed(0)} %`,
    '≥ 60 %',
    ratio >= 0.6,
  );
  record('queue page p95 ÷ plain baseline p95', `${(p95(apiRuns) / p95(plainRuns)).toFixed(2)}×`);
  record(
    'process CPU per queue page: api ÷ plain baseline',
    `${(cpu(apiRuns) / cpu(plainRuns)).toFixed(2)}× (${cpu(apiRuns).toFixed(2)} ms ÷ ${cpu(plainRuns).toFixed(2)} ms)`,
  );
  if (other) {
    const name = variantName();
    record(`queue page with ${name}, same rounds`, line(variantRuns));
    record(
      `  ÷ plain baseline (throughput)`,
      `${((100 * rate(variantRuns)) / rate(plainRuns)).toFixed(0)} %`,
    );
    record(
      `  process CPU per queue page ÷ plain baseline`,
      `${(cpu(variantRuns) / cpu(plainRuns)).toFixed(2)}× (${cpu(variantRuns).toFixed(2)} ms)`,
    );
    notes.push(
      `peak RSS after the queue rounds: api ${apiRss().toFixed(0)} MB, api with ${name} ${variantRss().toFixed(0)} MB`,
    );
  }
  const errors = [...apiRuns, ...plainRuns, ...variantRuns].reduce((s, r) => s + r.errors, 0);
  if (errors > 0)
    notes.push(
      `queue vs plain: ${errors} errors: ${apiRuns[0].firstError ?? plainRuns[0].firstError ?? variantRuns[0]?.firstError}`,
    );
}

// ---------------------------------------------------------------------------------------------
// 2–3. Read paths at 8 clients

async function benchReads(
  url: string,
  token: string,
  pool: Pool,
  api: Service,
  variant?: { url: string; service: Service },
  worker?: Service,
): Promise<void> {
  const gql = graphql(url, token);
  const other = variant ? graphql(variant.url, token) : null;
  const ctx = await BENCH_QUERIES.context(pool);
  // one round on a process; its CPU time per request (Service.cpuMs) beside the latencies
  const round = async (call: typeof gql, process: Service, q: (typeof BENCH_QUERIES.reads)[0]) => {
    const variables = q.variables(ctx);
    const detail = readsDetail && q === BENCH_QUERIES.reads[0];
    const sample = detail ? await cpuSample(pool, worker) : null;
    const before = process.cpuMs();
    const result = await closedLoop(
      8,
      SIZES.seconds,
      async () => {
        await call(q.query, variables);
      },
      detail,
    );
    const out = { ...result, cpuMs: (process.cpuMs() - before) / Math.max(result.requests, 1) };
    if (sample)
      detailNote(
        `queue page, reads phase, ${process.name}`,
        out,
        sample,
        await cpuSample(pool, worker),
      );
    return out;
  };
  for (const [i, q] of BENCH_QUERIES.reads.entries()) {
    const variables = q.variables(ctx);
    let probe;
    try {
      probe = await gql(q.query, variables);
      if (other) await other(q.query, variables);
    } catch (err) {
      record(q.name, `not measured: ${(err as Error).message.slice(0, 60)}`, q.target, false);
      continue;
    }
    const sql = probe.extensions?.sqlQueries;
    // Warm-up: a read measured from its first requests paid for the api warming up (the queue
    // page used ~45 % more api CPU per page in its reads round than in the plain-baseline rounds
    // after it, same process and page, with or without the createTicket rounds before it).
    for (const call of other ? [gql, other] : [gql]) await warmUp(() => call(q.query, variables));
    // with --variant, the second api runs the same read right before or after (alternating)
    const variantFirst = other !== null && i % 2 === 1;
    const early = variantFirst ? await round(other, variant!.service, q) : null;
    const result = await round(gql, api, q);
    const second = other && !variantFirst ? await round(other, variant!.service, q) : early;
    const suffix = typeof sql === 'number' ? ` · ${sql} SQL` : '';
    record(
      `${q.name}, 8 clients`,
      `${lat(result)}${suffix}`,
      `p95 < ${q.p95} ms`,
      result.errors === 0 && result.p95 < q.p95,
    );
    if (result.errors > 0) notes.push(`${q.name}: ${result.errors} errors: ${result.firstError}`);
    if (second) {
      record(
        `  throughput and api CPU per request → with ${variantName()} (alternating)`,
        `${fmt(result.perSecond)}/s, ${result.cpuMs.toFixed(2)} ms → ${fmt(second.perSecond)}/s, ${second.cpuMs.toFixed(2)} ms`,
      );
      if (second.errors > 0)
        notes.push(`${q.name} (variant): ${second.errors} errors: ${second.firstError}`);
    }
  }
}

/**
 * The KPI query's partial edge weeks are cached until the worker's next refresh: measure the
 * uncached path too, one client, each request a quarter shifted by a day (every one a miss).
 */
async function benchKpiUncached(
  url: string,
  token: string,
  pool: Pool,
  { tag, days }: { tag: string; days: number } = { tag: '', days: 0 },
): Promise<void> {
  const gql = graphql(url, token);
  const ctx = await BENCH_QUERIES.context(pool);
  const kpi = BENCH_QUERIES.reads.find((q) => q.name.startsWith('KPI'))!;
  const times: number[] = [];
  for (let k = 1 + days; k <= 12 + days; k++) {
    const shift = (iso: string) => new Date(Date.parse(iso) + k * 86_400_000).toISOString();
    const t = performance.now();
    await gql(kpi.query, {
      filter: { from: shift(ctx.quarter.from), to: shift(ctx.quarter.to) },
    });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  record(
    `KPI table uncached (1 client, 12 different quarters)${tag}`,
    `p50 ${ms(percentile(times, 50))} · p95 ${ms(percentile(times, 95))}`,
  );
}

/**
 * Issue #19/#23 lines of the risk and KPI libraries: the KPI table read cold at 8 clients (each
 * round a quarter shifted by a day that no one has asked for, 8 team leads at once: what a
 * dashboard sees right after its cells changed), and the risk list by score change over all
 * customers (materialized base, libs/retention).
 */
async function benchColdKpiAndScoreChange(
  url: string,
  token: string,
  pool: Pool,
  { tag, days }: { tag: string; days: number } = { tag: '', days: 0 },
): Promise<void> {
  const gql = graphql(url, token);
  const ctx = await BENCH_QUERIES.context(pool);
  const kpi = BENCH_QUERIES.reads.find((q) => q.name.startsWith('KPI'))!;
  const times: number[] = [];
  for (let k = 20 + days; k < 26 + days; k++) {
    const shift = (iso: string) => new Date(Date.parse(iso) - k * 86_400_000).toISOString();
    const filter = { from: shift(ctx.quarter.from), to: shift(ctx.quarter.to) };
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const t = performance.now();
        await gql(kpi.query, { filter });
        times.push(performance.now() - t);
      }),
    );
  }
  times.sort((a, b) => a - b);
  const p95 = percentile(times, 95);
  record(
    `KPI table cold cache (8 clients × 6 new quarters)${tag}`,
    `p50 ${ms(percentile(times, 50))} · p95 ${ms(p95)}`,
    'p95 < 300 ms',
    p95 < 300,
  );
  const change = `query { riskList(first: 25, orderBy: score_change) {
    edges { node { customerId score scoreChange band customer { id name } } } pageInfo { hasNextPage endCursor } } }`;
  const result = await closedLoop(8, SIZES.seconds, async () => {
    await gql(change, {});
  });
  record(
    `risk list, first page (25 by score change), 8 clients${tag}`,
    lat(result),
    'p95 < 300 ms',
    result.errors === 0 && result.p95 < 300,
  );
  if (result.errors > 0) notes.push(`risk list by score change: ${result.firstError}`);
}

/**
 * `--only kpi`: the KPI table's cold and warm paths, for the api and (with `--variant`) a second
 * build in alternating rounds, each round on quarters no process has been asked for (shifted
 * by days no other round uses, so neither api nor PostgreSQL's buffers were warmed by the other):
 * one client on a new quarter (uncached), 8 clients at once on a new quarter (cold, shared), then
 * the same quarter again at 8 clients (warm). Per cold request: the bench database's backends'
 * CPU time (every backend, the worker's included) and the serving api's.
 */
async function benchKpiVariants(
  apis: { name: string; url: string; process: Service }[],
  token: string,
  pool: Pool,
): Promise<void> {
  const ctx = await BENCH_QUERIES.context(pool);
  const kpi = BENCH_QUERIES.reads.find((q) => q.name.startsWith('KPI'))!;
  const rounds = quick ? 2 : 6;
  const by = new Map(
    apis.map((a) => [
      a.name,
      {
        uncached: [] as number[],
        cold: [] as number[],
        warm: [] as number[],
        pgMs: [] as number[],
        apiMs: [] as number[],
        load: [] as number[],
      },
    ]),
  );
  let shift = 30;
  const filterAt = (k: number) => {
    const at = (iso: string) => new Date(Date.parse(iso) - k * 86_400_000).toISOString();
    return { from: at(ctx.quarter.from), to: at(ctx.quarter.to) };
  };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? apis : [...apis].reverse();
    for (const a of order) {
      const m = by.get(a.name)!;
      const gql = graphql(a.url, token);
      m.load.push(loadavg()[0]);
      // one client, a new quarter (nobody waits with it)
      let t = performance.now();
      await gql(kpi.query, { filter: filterAt(shift++) });
      m.uncached.push(performance.now() - t);
      // 8 clients at once on another new quarter
      const filter = filterAt(shift++);
      const pg0 = await backendCpu(pool);
      const api0 = a.process.cpuMs();
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          const s = performance.now();
          await gql(kpi.query, { filter });
          m.cold.push(performance.now() - s);
        }),
      );
      let pgCpu = 0;
      for (const [pid, sec] of await backendCpu(pool)) pgCpu += sec - (pg0.get(pid) ?? 0);
      m.pgMs.push((pgCpu * 1000) / 8);
      m.apiMs.push((a.process.cpuMs() - api0) / 8);
      // the same quarter again: warm
      for (let w = 0; w < 3; w++) {
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            t = performance.now();
            await gql(kpi.query, { filter });
            m.warm.push(performance.now() - t);
          }),
        );
      }
    }
  }
  const pct = (xs: number[]) => {
    const s = [...xs].sort((x, y) => x - y);
    return `p50 ${ms(percentile(s, 50))} · p95 ${ms(percentile(s, 95))}`;
  };
  for (const [name, m] of by) {
    const tag = apis.length > 1 ? ` [${name}]` : '';
    const range = `load ${Math.min(...m.load).toFixed(1)}–${Math.max(...m.load).toFixed(1)}`;
    record(`KPI table uncached, 1 client, ${rounds} new quarters${tag}`, pct(m.uncached));
    const coldP95 = percentile(
      [...m.cold].sort((x, y) => x - y),
      95,
    );
    record(
      `KPI table cold, 8 clients × ${rounds} new quarters${tag}`,
      pct(m.cold),
      'p95 < 300 ms',
      coldP95 < 300,
    );
    record(`KPI table warm, 8 clients × 3 × ${rounds}${tag}`, pct(m.warm));
    record(
      `  CPU per cold request: PostgreSQL · api${tag}`,
      `${median(m.pgMs).toFixed(1)} ms · ${median(m.apiMs).toFixed(1)} ms (${range})`,
    );
  }
}

/** CPU seconds used so far by each PostgreSQL backend connected to the bench database. */
async function backendCpu(pool: Pool): Promise<Map<number, number>> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return new Map(rows.map((r) => [r.pid, procCpuSeconds(r.pid)]));
}

// ---------------------------------------------------------------------------------------------
// 5. Survey pipeline: ticket.solved outbox rows → surveys → SMTP

async function benchSurveys(pool: Pool, smtp: SmtpCounter, worker: Service): Promise<void> {
  const n = SIZES.surveys;
  const before = smtp.arrivals.length;
  const tag = randomBytes(3).toString('hex');
  const db = await pool.connect();
  let committed: number;
  try {
    await db.query('BEGIN');
    // Fresh customers with ten contacts each, so the per-contact throttle never applies.
    const { rows: customers } = await db.query<{ id: string }>(
      `INSERT INTO customers (name, tier, mrr) SELECT 'Bench survey ' || $1 || ' ' || g, 'pro', 500
       FROM generate_series(1, $2::int) g RETURNING id::text`,
      [tag, Math.ceil(n / 10)],
    );
    await db.query(
      `WITH ct AS (
         INSERT INTO contacts (customer_id, name, email)
         SELECT c.id, 'Bench ' || k, 'bench' || k || '.' || c.id || '@survey-' || $2 || '.example'
         FROM unnest($1::bigint[]) c(id), generate_series(1, 10) k RETURNING id, customer_id
       ), tk AS (
         INSERT INTO tickets (customer_id, requester_id, subject, channel, priority, status, tags,
                              created_at, updated_at, first_response_at, solved_at, solve_count)
         SELECT customer_id, id, 'Bench survey ticket', 'email', 'normal', 'solved', '{}',
                now() - interval '1 day', now(), now() - interval '20 hours', now(), 1
         FROM ct ORDER BY id LIMIT $3 RETURNING id, customer_id
       )
       INSERT INTO outbox (type, payload)
       SELECT 'ticket.solved', jsonb_build_object('ticketId', id::text, 'customerId', customer_id::text, 'solveCycle', 1)
       FROM tk`,
      [customers.map((c) => c.id), tag, n],
    );
    await db.query('COMMIT');
    committed = performance.now();
  } finally {
    db.release();
  }
  const cpuBefore = worker.cpuSeconds();
  const pgBefore = await backendCpu(pool);
  let rssPeak = worker.rssMb();
  const deadline = committed + 180_000;
  while (smtp.arrivals.length - before < n && performance.now() < deadline) {
    await sleep(50);
    rssPeak = Math.max(rssPeak, worker.rssMb());
  }
  const pgAfter = await backendCpu(pool);
  // backends that came and went in between are missed; new ones count from zero
  let pgCpu = 0;
  for (const [pid, cpu] of pgAfter) pgCpu += cpu - (pgBefore.get(pid) ?? 0);
  const got = smtp.arrivals.length - before;
  const last = smtp.arrivals[smtp.arrivals.length - 1];
  const rate = got / ((last - committed) / 1000);
  // where the time went: the first mail (relay, first batch) and the quartiles after it
  // the worker's own CPU per survey: what the load average on a shared machine does not change
  notes.push(
    `surveys: worker CPU ${(((worker.cpuSeconds() - cpuBefore) * 1000) / Math.max(1, got)).toFixed(2)} ms per survey`,
  );
  notes.push(
    `surveys: PostgreSQL backends CPU ${((pgCpu * 1000) / Math.max(1, got)).toFixed(2)} ms per survey ` +
      `(backends of the bench database); worker RSS peak in the phase ${rssPeak.toFixed(0)} MB`,
  );
  const mine = smtp.arrivals.slice(before).map((t) => ((t - committed) / 1000).toFixed(2));
  if (mine.length > 0)
    notes.push(
      `surveys: first mail at ${mine[0]} s, 25 % at ${mine[Math.floor(mine.length / 4)]} s, ` +
        `50 % at ${mine[Math.floor(mine.length / 2)]} s, 75 % at ${mine[Math.floor((mine.length * 3) / 4)]} s`,
    );
  record(
    `surveys: ${fmt(n)} ticket.solved rows → SMTP`,
    `${fmt(rate)}/s (${fmt(got)} sent in ${((last - committed) / 1000).toFixed(1)} s)`,
    '≥ 500/s',
    got === n && rate >= 500,
  );
}

/**
 * Waits (up to two minutes) until the outbox is relayed and no queue has jobs waiting, running
 * or due within a minute, so one phase's background work does not land in the next one.
 */
async function waitForIdle(redis: Redis, pool: Pool): Promise<void> {
  const started = performance.now();
  const queues = QUEUES.map((q) => new Queue(q, { connection: redis, prefix: PREFIX }));
  try {
    for (;;) {
      const busy = await backlog(pool, queues, 50);
      if (busy === 0 || performance.now() - started > 120_000) break;
      await sleep(500);
    }
  } finally {
    await Promise.all(queues.map((q) => q.close()));
  }
  notes.push(
    `waited ${((performance.now() - started) / 1000).toFixed(1)} s for the worker to settle`,
  );
}

// ---------------------------------------------------------------------------------------------

function versions(): Record<string, string> {
  const v = (p: string) =>
    (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', p, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  return Object.fromEntries(
    ['@nestjs/core', '@apollo/server', '@nestjs/graphql', 'typeorm', 'pg', 'bullmq', 'ioredis'].map(
      (p) => [p, v(p)],
    ),
  );
}

async function writeReport(
  pg: string,
  redis: string,
  seconds: number,
  load: number,
): Promise<void> {
  const file = join(ROOT, 'docs/benchmarks.md');
  const mode = quick ? 'quick' : 'full';
  const begin = `<!-- bench:${mode}:start -->`;
  const end = `<!-- bench:${mode}:end -->`;
  const date = new Date().toISOString().slice(0, 10);
  const table = [
    `### \`npm run bench${quick ? ' -- --quick' : ''}\` — ${date}`,
    '',
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB; ` +
      `Node ${process.version}; ${pg}; Redis ${redis}. ` +
      `Packages: ${Object.entries(versions())
        .map(([k, v]) => `${k} ${v}`)
        .join(
          ', ',
        )}. Whole run: ${seconds.toFixed(0)} s; load average at the start ${load.toFixed(2)}.`,
    '',
    '| measurement | result | target | |',
    '| --- | ---: | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name.trim()} | ${r.value} | ${r.target} | ${r.pass === null ? '' : r.pass ? 'pass' : '**miss**'} |`,
    ),
    ...(notes.length ? ['', ...notes.map((n) => `- ${n}`)] : []),
  ].join('\n');
  let doc = readFileSync(file, 'utf8');
  const block = `${begin}\n${table}\n${end}`;
  doc =
    doc.includes(begin) && doc.includes(end)
      ? doc.slice(0, doc.indexOf(begin)) + block + doc.slice(doc.indexOf(end) + end.length)
      : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, doc);
  console.log(`\nwritten to docs/benchmarks.md (${mode} section)`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const load = loadavg()[0];
  console.log(
    `staydesk bench (${quick ? 'quick' : 'full'}) on ${DB_URL.replace(/\/\/[^@]*@/, '//')}`,
  );
  await createDatabase();
  const pool = new Pool({ connectionString: DB_URL, max: 4 });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const smtp = new SmtpCounter();
  const services: Service[] = [];
  try {
    const pgVersion = (
      await pool.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)
    ).rows[0].v;
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    await ensureData(pool);
    if (phase('risk') || only?.has('windows')) await benchRisk(pool);

    await smtp.start();
    const port = await freePort();
    // The api, the worker and the plain baseline run as the product ships (docker/Dockerfile,
    // docker/compose.yml: NODE_ENV=production): graphql-js skips its development-mode checks
    // (`instanceOf`, ~3 % of the api's CPU per queue page), Apollo hides introspection and
    // suggestions, the session cookie is Secure. Nothing here reads a cookie or introspects;
    // /metrics (the createTicket rounds' event-loop delay) needs METRICS_TOKEN in production.
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: DB_URL,
      REDIS_URL,
      REDIS_PREFIX: PREFIX,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      JWT_SECRET: randomBytes(32).toString('hex'),
      SURVEY_TOKEN_SECRET: randomBytes(32).toString('hex'),
      METRICS_TOKEN: randomBytes(16).toString('hex'),
      LOG_LEVEL: 'warn',
      EXPOSE_SQL_COUNT: 'true',
      CSAT_DELAY_SECONDS: '0',
      // the worker's inbound SMTP listener on any free port (another bench or a dev server may hold 2525)
      INBOUND_SMTP_PORT: '0',
      // one bench user issues thousands of operations a minute: lift the per-user/IP limits
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_IP_PER_MINUTE: '0',
    };
    // started as it ships: with the api's V8 flags and environment (apps/api/src/node-flags.ts)
    const api = Service.start(
      'api',
      join(ROOT, 'dist/apps/api/src/main.js'),
      { ...env, ...apiEnv() },
      API_NODE_FLAGS,
    );
    const worker = Service.start(
      'worker',
      join(ROOT, 'dist/apps/worker/src/main.js'),
      env,
      workerNodeFlags(),
    );
    // the plain baseline (bench/plain.ts): same HTTP server (Fastify) and pool size as the api
    const plainPort = await freePort();
    const plain = Service.start('plain', join(__dirname, 'plain.js'), {
      ...env,
      PORT: String(plainPort),
      PLAIN_POOL_SIZE: String(loadConfig(env).database.poolSize),
    });
    services.push(api, worker, plain);
    const variantPort = variant ? await freePort() : 0;
    let variantService: Service | undefined;
    if (variant) {
      const { NODE_FLAGS: flags, API_MAIN: otherMain, ...variantEnv } = variant;
      const second = Service.start(
        'api-variant',
        otherMain ?? join(ROOT, 'dist/apps/api/src/main.js'),
        {
          ...env,
          ...apiEnv(),
          ...variantEnv,
          PORT: String(variantPort),
          PUBLIC_URL: `http://127.0.0.1:${variantPort}`,
        },
        flags === undefined ? API_NODE_FLAGS : flags.split(' ').filter(Boolean),
      );
      services.push(second);
      variantService = second;
      await second.waitFor('api listening');
      variantRss = () => second.peakRssMb();
    }
    await Promise.all([
      api.waitFor('api listening'),
      worker.waitFor('worker taking jobs'),
      plain.waitFor('plain listening'),
    ]);
    const url = `http://127.0.0.1:${port}`;
    apiRss = () => api.peakRssMb();

    // The worker rescores everyone at boot: let that finish before measuring anything else.
    const riskQueue = new Queue('risk', { connection: redis, prefix: PREFIX });
    const hour = new Date().toISOString().slice(0, 13).replace(/\D/g, '');
    for (let i = 0; i < 600; i++) {
      const job = await riskQueue.getJob(`risk-boot-${hour}`);
      if (job && (await job.isCompleted())) {
        record(
          'full rescore in the worker (boot job)',
          `${((job.finishedOn! - job.processedOn!) / 1000).toFixed(2)} s`,
        );
        break;
      }
      await sleep(250);
    }
    await riskQueue.close();

    const { data } = await graphql(url)<{ login: { token: string } }>(
      `mutation { login(email: "admin@demo.staydesk.local", password: "staydesk-demo") { token } }`,
    );
    const token = data.login.token;

    const rss = (phase: string) =>
      notes.push(
        `peak RSS after ${phase}: api ${api.peakRssMb().toFixed(0)} MB, worker ${worker.peakRssMb().toFixed(0)} MB` +
          (variantService ? `, api with ${variantName()} ${variantRss().toFixed(0)} MB` : ''),
      );
    rss('start-up and the boot rescore');
    if (phase('create')) {
      // 1. createTicket over HTTP vs the same transaction on pg (bench/create.ts)
      await benchCreateTicket({
        url,
        token,
        metricsToken: env.METRICS_TOKEN,
        pool,
        dbUrl: DB_URL,
        apiPoolSize: loadConfig(env).database.poolSize,
        api,
        worker,
        variant: variantService
          ? { url: `http://127.0.0.1:${variantPort}`, service: variantService, name: variantName() }
          : undefined,
        redis,
        prefix: PREFIX,
        seconds: argNumber('--create-seconds') ?? SIZES.seconds,
        rounds: argNumber('--create-rounds') ?? SIZES.rounds,
        record,
        notes,
        detail: process.argv.includes('--create-detail'),
        settle: !process.argv.includes('--create-no-settle'),
        withFetch: process.argv.includes('--create-fetch'),
      });
      rss('createTicket');
      // the writes leave work behind (rescoring, KPI refresh): measure reads in a settled system
      await waitForIdle(redis, pool);
    }
    if (phase('reads'))
      await benchReads(
        url,
        token,
        pool,
        api,
        variantService
          ? { url: `http://127.0.0.1:${variantPort}`, service: variantService }
          : undefined,
        worker,
      );
    if (phase('plain'))
      await benchQueueVsPlain(
        url,
        `http://127.0.0.1:${plainPort}`,
        token,
        pool,
        { api, plain, variant: variantService, worker },
        variant ? `http://127.0.0.1:${variantPort}` : undefined,
      );
    if (only?.has('kpi'))
      await benchKpiVariants(
        [
          { name: 'api', url, process: api },
          ...(variantService
            ? [{ name: 'variant', url: `http://127.0.0.1:${variantPort}`, process: variantService }]
            : []),
        ],
        token,
        pool,
      );
    if (phase('reads')) {
      await benchKpiUncached(url, token, pool);
      await benchColdKpiAndScoreChange(url, token, pool);
      if (variantService) {
        // the same reads on the second api, on quarters neither api has been asked for
        const other = { tag: ' [variant]', days: 40 };
        const variantUrl = `http://127.0.0.1:${variantPort}`;
        await benchKpiUncached(variantUrl, token, pool, other);
        await benchColdKpiAndScoreChange(variantUrl, token, pool, other);
      }
    }
    rss('the reads');
    if (phase('surveys')) {
      await waitForIdle(redis, pool);
      await benchSurveys(pool, smtp, worker);
    }
    // e-mail in and out (bench/email.ts: its own database, worker and SMTP sink)
    if (phase('email') && !process.argv.includes('--no-email'))
      await benchEmail({ mails: quick ? 400 : 2000, record });

    record('api peak RSS', `${api.peakRssMb().toFixed(0)} MB`, '< 250 MB', api.peakRssMb() < 250);
    record(
      'worker peak RSS',
      `${worker.peakRssMb().toFixed(0)} MB`,
      '< 300 MB',
      worker.peakRssMb() < 300,
    );
    if (variantService)
      record(`api peak RSS with ${variantName()}`, `${variantRss().toFixed(0)} MB`);
    if (only) for (const n of notes) console.log(`  - ${n}`);
    if (!only)
      await writeReport(
        `PostgreSQL ${pgVersion}`,
        redisVersion,
        (performance.now() - started) / 1000,
        load,
      );
  } finally {
    for (const s of services) await s.stop();
    await smtp.stop().catch(() => undefined);
    const keys = await redis.keys(`${PREFIX}:*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    redis.disconnect();
    await pool.end();
  }
  // live updates: 1,000 graphql-ws subscribers over two api processes (bench/live.ts, its own
  // database and processes; printed, see docs/benchmarks.md "Live updates")
  if (!process.argv.includes('--no-live') && !only) {
    const live = spawnSync(
      process.execPath,
      [join(__dirname, 'live.js'), ...(quick ? ['--subscribers', '200', '--seconds', '4'] : [])],
      { stdio: 'inherit' },
    );
    if (live.status !== 0) throw new Error(`bench:live failed (exit ${live.status})`);
  }
  // automation rules and macros (bench/automations.ts): createTicket with 50 rules vs none, and
  // applyMacro p95; quick mode on its own small demo database, full mode on the bench database
  // (it writes tickets and replies there and removes its rules again; docs/benchmarks.md)
  if (!process.argv.includes('--no-automations') && !only) {
    const auto = spawnSync(
      process.execPath,
      [join(__dirname, 'automations.js'), ...(quick ? [] : ['--full'])],
      { stdio: 'inherit' },
    );
    if (auto.status !== 0) throw new Error(`bench:automations failed (exit ${auto.status})`);
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
