import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';

/**
 * `node dist/bench/kpi-segment-shift.js [--add 300] [--refreshes 30] [--max-minutes 15]
 *  [--skip-shift] [--verify]`: the worker's KPI refresh after a value-segment shift at full size
 * (docs/benchmarks.md, "KPI refresh after a segment shift"). On BENCH_DATABASE_URL (a private copy,
 * never staydesk_bench; migrated):
 * 1. one refresh to catch up with whatever the copy had pending (reported, not counted);
 * 2. unless --skip-shift: adds N active customers (MRR and start copied from random existing
 *    ones) and runs the value job's recompute (`value.recompute`, as the worker does), then
 *    reports how many customers moved segment and the facts behind them;
 * 3. runs `kpi.refresh` back to back, as the minute's repeatable job would, in a worker booted
 *    from `KPI_BENCH_DIST` (default: this build's dist; point it at an old build for A/B) with
 *    the worker's statement timeout, until one ends with nothing of the shift left (or the
 *    budget): per refresh its wall time, error, whether the watermark moved; overall the longest
 *    transaction of the refresh's connections (pg_stat_activity polled every 200 ms), their
 *    backends' CPU (/proc) and the worker's own CPU.
 * --verify: the last three whole months by segment, cells against the facts.
 */
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ADD = Number(arg('add', '300'));
const REFRESHES = Number(arg('refreshes', '30'));
const MAX_MS = Number(arg('max-minutes', '15')) * 60_000;
const APP = 'kpi-segment-bench';

function procCpu(pid: number): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

async function main() {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url || /\/staydesk_bench(\?|$)/.test(url)) {
    throw new Error('BENCH_DATABASE_URL must point at a private copy of the full-size world');
  }
  const dist = process.env.KPI_BENCH_DIST ?? join(__dirname, '..');
  /* eslint-disable @typescript-eslint/no-require-imports */
  const core = require(join(dist, 'libs/core/src'));
  const { KpisService } = require(join(dist, 'libs/kpis/src'));
  const { ValueService } = require(join(dist, 'libs/value/src'));
  const { createWorker } = require(join(dist, 'apps/worker/src/bootstrap'));
  /* eslint-enable @typescript-eslint/no-require-imports */
  const appUrl = `${url}${url.includes('?') ? '&' : '?'}application_name=${APP}`;
  const config = core.loadConfig({
    ...process.env,
    DATABASE_URL: appUrl,
    DATABASE_POOL_SIZE: '3',
    REDIS_PREFIX: process.env.REDIS_PREFIX ?? 'kpi-segment-bench',
    OUTBOX_RELAY: 'false',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const pool = new Pool({ connectionString: url, max: 2 });
  const worker = await createWorker(config, { schedules: false });
  const kpis = worker.get(KpisService);
  const state = async () =>
    (
      await pool.query(
        `SELECT watermark, segment_cells_at,
                (SELECT count(*) FROM kpi_segment_queue)::int AS queued,
                (SELECT count(*) FROM kpi_segment_buckets)::int AS buckets
           FROM kpi_state WHERE id = 1`,
      )
    ).rows[0];
  try {
    // the refresh's transactions, watched from outside
    const longest = { ms: 0, what: '' };
    const perRefresh = { ms: 0 };
    const cpu = new Map<number, { first: number; last: number }>();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const { rows } = await pool.query(
          `SELECT pid, extract(epoch FROM now() - xact_start) * 1000 AS ms, left(query, 60) AS q
             FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL`,
          [APP],
        );
        for (const r of rows) {
          if (r.ms > longest.ms) Object.assign(longest, { ms: Math.round(r.ms), what: r.q });
          perRefresh.ms = Math.max(perRefresh.ms, Math.round(r.ms));
        }
        const { rows: all } = await pool.query(
          `SELECT pid FROM pg_stat_activity WHERE application_name = $1`,
          [APP],
        );
        for (const r of all) {
          const c = procCpu(r.pid);
          if (c === null) continue;
          const e = cpu.get(r.pid);
          if (e) e.last = c;
          else cpu.set(r.pid, { first: c, last: c });
        }
        await new Promise((res) => setTimeout(res, 200));
      }
    })();
    console.log(`statement timeout ${config.database.statementTimeoutMs} ms; build ${dist}`);
    let t = performance.now();
    const first = await kpis.refresh();
    console.log(`catch-up refresh: ${Math.round(performance.now() - t)} ms`, JSON.stringify(first));

    if (!process.argv.includes('--skip-shift')) {
      const before = await pool.query(
        `SELECT customer_id, segment FROM customer_values ORDER BY customer_id`,
      );
      await pool.query(
        `INSERT INTO customers (name, tier, mrr, customer_since, status)
         SELECT 'Bench shift ' || g || ' ' || c.name, c.tier, c.mrr, c.customer_since, 'active'
           FROM generate_series(1, $1) g
           CROSS JOIN LATERAL (SELECT * FROM customers WHERE status = 'active' AND g > 0
                                ORDER BY random() LIMIT 1) c`,
        [ADD],
      );
      t = performance.now();
      await worker.get(ValueService).recomputeAll();
      console.log(
        `added ${ADD} customers; value recompute ${Math.round(performance.now() - t)} ms`,
      );
      const old = new Map(before.rows.map((r) => [r.customer_id, r.segment]));
      const now = await pool.query(`SELECT customer_id, segment FROM customer_values`);
      const moved = now.rows.filter(
        (r) => old.has(r.customer_id) && old.get(r.customer_id) !== r.segment,
      );
      const facts = await pool.query(
        `SELECT count(*)::int AS n FROM tickets WHERE customer_id = ANY($1::bigint[])`,
        [moved.map((r) => r.customer_id)],
      );
      console.log(
        `customers that moved segment: ${moved.length}; their tickets: ${facts.rows[0].n}`,
      );
    }

    const cpu0 = process.cpuUsage();
    const started = performance.now();
    let done = false;
    for (let i = 1; i <= REFRESHES && performance.now() - started < MAX_MS && !done; i++) {
      const s0 = await state();
      perRefresh.ms = 0;
      t = performance.now();
      let result: Record<string, unknown> | null = null;
      let error = '';
      try {
        result = await kpis.refresh();
      } catch (err) {
        error = (err as Error).message;
      }
      const s1 = await state();
      const moved = s1.watermark?.getTime() !== s0.watermark?.getTime();
      console.log(
        `refresh ${i}: ${Math.round(performance.now() - t)} ms, longest transaction ${perRefresh.ms} ms, watermark ${moved ? 'moved' : 'STUCK'}${error ? `, error: ${error}` : ''}`,
        result ? JSON.stringify(result) : '',
        `queued ${s1.queued} buckets ${s1.buckets} segment cells ${s1.segment_cells_at ? 'current' : 'off'}`,
      );
      done = !error && s1.queued === 0 && s1.buckets === 0;
    }
    watching = false;
    await watch;
    const node = process.cpuUsage(cpu0);
    const backends = [...cpu.values()].reduce((n, c) => n + c.last - c.first, 0);
    console.log(
      `${done ? 'done' : 'NOT done'} after ${Math.round((performance.now() - started) / 1000)} s; ` +
        `longest transaction ${longest.ms} ms (${longest.what.replace(/\s+/g, ' ')}); ` +
        `worker CPU ${((node.user + node.system) / 1e6).toFixed(1)} s, backends CPU ${backends.toFixed(1)} s; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );

    if (process.argv.includes('--verify')) {
      const { KpisRepository } = require(join(dist, 'libs/kpis/src/kpis.repository')); // eslint-disable-line @typescript-eslint/no-require-imports
      const repo = new KpisRepository();
      const m = new Date();
      const starts = [3, 2, 1].map(
        (k) => new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() - k, 1)),
      );
      const ends = starts.map(
        (s) => new Date(Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + 1, 1)),
      );
      const tx = worker.get(core.TransactionRunner);
      const fromCells = await repo.cellRows(tx.db, 'month', 'segment', null, starts);
      const fromFacts = await tx.run(async (own: unknown) => {
        await repo.tune(own, '128MB');
        await repo.noStatementTimeout(own);
        return repo.computeRows(own, ['segment'], {}, starts, ends, new Date());
      });
      const key = (r: { i: number; segment: string | null }) => `${r.i}|${r.segment ?? ''}`;
      const cells = new Map(fromCells.map((r: any) => [key(r), r]));
      let diffs = 0;
      for (const f of fromFacts) {
        const c: any = cells.get(key(f));
        for (const k of [
          'ticketsCreated',
          'ticketsSolved',
          'frtN',
          'resN',
          'csatRatings',
          'resP50',
        ]) {
          if (!c || c[k] !== (f as any)[k]) diffs++;
        }
      }
      console.log(
        `verify: ${fromFacts.length} month × segment rows from the facts, ${fromCells.length} cells, ${diffs} differing figures`,
      );
    }
  } finally {
    await worker.close();
    await pool.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
