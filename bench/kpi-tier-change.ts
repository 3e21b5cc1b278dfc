import { join } from 'node:path';
import { Pool } from 'pg';

/**
 * `node dist/bench/kpi-tier-change.js [--customer ID]`: the worker's KPI refresh after a
 * customer's tier changes, at full size (docs/benchmarks.md, "KPI refresh after a tier change").
 * On BENCH_DATABASE_URL (default the full-size world, staydesk_bench): the customer with the
 * most tickets (or `--customer`) moves to another tier and back, one refresh after each, in a
 * worker booted from `KPI_BENCH_DIST` (default this build's dist; an old build for A/B) with the
 * worker's statement timeout. Prints each refresh's wall time, its cells, or its error. The
 * world ends as it began (the tier back, facts and cells refreshed).
 */
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};

async function main() {
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/staydesk_bench';
  const dist = process.env.KPI_BENCH_DIST ?? join(__dirname, '..');
  /* eslint-disable @typescript-eslint/no-require-imports */
  const core = require(join(dist, 'libs/core/src'));
  const { KpisService } = require(join(dist, 'libs/kpis/src'));
  const { createWorker } = require(join(dist, 'apps/worker/src/bootstrap'));
  /* eslint-enable @typescript-eslint/no-require-imports */
  const config = core.loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: '3',
    REDIS_PREFIX: process.env.REDIS_PREFIX ?? 'kpi-tier-bench',
    OUTBOX_RELAY: 'false',
    INBOUND_SMTP: 'false',
    MIGRATIONS_RUN: 'false',
    SCHEMA_FILE: 'off',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const pool = new Pool({ connectionString: url, max: 1 });
  const app = await createWorker(config, { schedules: false });
  try {
    const kpis = app.get(KpisService, { strict: false });
    const { rows } = await pool.query<{ id: string; tier: string; tickets: number }>(
      arg('customer')
        ? `SELECT c.id::text, c.tier, (SELECT count(*)::int FROM tickets t WHERE t.customer_id = c.id) AS tickets
             FROM customers c WHERE c.id = $1`
        : `SELECT c.id::text, c.tier, x.n AS tickets
             FROM (SELECT customer_id, count(*)::int AS n FROM tickets GROUP BY 1 ORDER BY 2 DESC LIMIT 1) x
             JOIN customers c ON c.id = x.customer_id`,
      arg('customer') ? [arg('customer')] : [],
    );
    const customer = rows[0];
    if (!customer) throw new Error('no such customer');
    const refresh = async (what: string) => {
      const t = performance.now();
      try {
        const r = await kpis.refresh();
        console.log(
          `  ${what}: ${Math.round(performance.now() - t)} ms, ${r.tickets} tickets' facts, cells ${JSON.stringify(r.cells)}`,
        );
      } catch (err) {
        console.log(
          `  ${what}: failed after ${Math.round(performance.now() - t)} ms: ${(err as Error).message}`,
        );
      }
    };
    console.log(
      `kpi tier change: customer ${customer.id} (${customer.tier}, ${customer.tickets} tickets), ${dist}`,
    );
    await refresh('catch-up refresh (not counted)');
    const other = customer.tier === 'enterprise' ? 'pro' : 'enterprise';
    for (const tier of [other, customer.tier]) {
      await pool.query(`UPDATE customers SET tier = $1, updated_at = now() WHERE id = $2`, [
        tier,
        customer.id,
      ]);
      await refresh(`tier → ${tier}, refresh`);
    }
  } finally {
    await app.close();
    await pool.end();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`bench:kpi-tier-change failed: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
