import { join } from 'node:path';
import { Pool } from 'pg';
import { FACTOR_NAMES } from '@staydesk/risk';
import { createTestDatabase, databaseUrl, dropTestDatabase } from '@staydesk/testing';
import { Exited, ROOT, runToExit } from '../support/processes';

const SEED_DEMO = join(ROOT, 'dist', 'scripts', 'seed-demo.js');
const BACKTEST = join(ROOT, 'dist', 'scripts', 'risk-backtest.js');
const FIT = join(ROOT, 'dist', 'scripts', 'risk-fit.js');
/** Small and fast, with enough customers that a few churn in the window below (fixed seed). */
const WORLD = ['--customers', '150', '--tickets', '1500', '--months', '12', '--seed', '7'];
const DAY_MS = 86_400_000;
/**
 * The seeder's churn is stationary (about 1.5 % of customers a month): a window from ~6 months
 * ago to a few days ago holds a handful of churners and has ended, as the scripts require.
 */
const CUTOFF = new Date(Date.now() - 183 * DAY_MS).toISOString().slice(0, 10);
const HORIZON = '180';

describe('risk:backtest and risk:fit replay history as real processes', () => {
  let dbName: string;
  let env: Record<string, string>;
  let db: Pool;

  const run = (file: string, args: string[]) => runToExit(file, env, 20_000, args);
  const oneLine = (r: Exited) => r.stderr.trim().split('\n');

  beforeAll(async () => {
    dbName = await createTestDatabase();
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl(dbName),
      MIGRATIONS_RUN: 'false',
      LOG_LEVEL: 'silent',
    };
    db = new Pool({ connectionString: env.DATABASE_URL, max: 2 });
    // pool.end() can resolve while a client is still closing; the DROP DATABASE … WITH (FORCE)
    // that follows then terminates it, and a pool without a listener throws that error
    db.on('error', () => undefined);
    const seeded = await runToExit(SEED_DEMO, env, 60_000, WORLD);
    expect(seeded.stderr).toBe('');
    expect(seeded.code).toBe(0);
  }, 90_000);

  afterAll(async () => {
    await db?.end();
    if (dbName) await dropTestDatabase(dbName);
  });

  it('prints a readable report with AUC, precision@10% and the band table', async () => {
    const r = await run(BACKTEST, ['--cutoff', CUTOFF, '--horizon', HORIZON]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('risk backtest of model default-v1');
    expect(r.stdout).toMatch(/ROC AUC\s+(0|1)\.\d{3}\n/);
    expect(r.stdout).toMatch(/precision@10%\s+\d+\.\d% \(/);
    expect(r.stdout).toMatch(/customers scored\s+\d+/);
    for (const band of ['low', 'medium', 'high', 'critical']) {
      expect(r.stdout).toMatch(new RegExp(`^${band}\\s+\\d+\\s+\\d+`, 'm'));
    }
  });

  it('gives the same numbers as JSON, bands adding up to the customers scored', async () => {
    const r = await run(BACKTEST, ['--cutoff', CUTOFF, '--horizon', HORIZON, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      model: { version: 'default-v1' },
      cutoff: `${CUTOFF}T00:00:00.000Z`,
      horizonDays: 180,
      bandThresholds: { medium: 25, high: 50, critical: 75 },
    });
    expect(report.customers).toBeGreaterThan(50);
    expect(report.churned).toBeGreaterThan(0);
    expect(report.churned).toBeLessThan(report.customers);
    expect(typeof report.auc).toBe('number');
    expect(report.auc).toBeGreaterThanOrEqual(0);
    expect(report.auc).toBeLessThanOrEqual(1);
    expect(report.precisionAt10.k).toBe(Math.ceil(report.customers / 10));
    expect(report.precisionAt10.precision).toBeGreaterThanOrEqual(0);
    expect(report.bands.map((b: { band: string }) => b.band)).toEqual([
      'low',
      'medium',
      'high',
      'critical',
    ]);
    const sum = (key: 'customers' | 'churned') =>
      report.bands.reduce((s: number, b: Record<string, number>) => s + b[key], 0);
    expect(sum('customers')).toBe(report.customers);
    expect(sum('churned')).toBe(report.churned);
    expect(report.factors).toHaveLength(5);

    // Ground truth, straight from the database: the customers active at the cut-off that churned.
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(DISTINCT s.customer_id) AS n FROM customer_status_changes s
         JOIN customers c ON c.id = s.customer_id
        WHERE s.to_status = 'churned' AND s.changed_at > $1 AND s.changed_at <= $2
          AND c.customer_since <= $1`,
      [report.cutoff, report.windowEnd],
    );
    expect(report.churned).toBe(Number(rows[0].n));
  });

  it('fits a model that the backtest can then replay', async () => {
    const version = `fitted-${CUTOFF}-h${HORIZON}`;
    const fit = await run(FIT, ['--cutoff', CUTOFF, '--horizon', HORIZON]);
    expect(fit.stderr).toBe('');
    expect(fit.code).toBe(0);
    expect(fit.stdout).toContain(`saved model ${version}`);
    expect(fit.stdout).toMatch(/^sla_breaches\s+0\.900\s+-?\d+\.\d{3}/m);
    const stored = await db.query(`SELECT source, active, weights, metrics FROM risk_models`);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]).toMatchObject({
      source: 'fitted',
      active: false,
      metrics: { horizonDays: 180, converged: true },
    });
    expect(Object.keys(stored.rows[0].weights)).toHaveLength(FACTOR_NAMES.length);

    const replay = await run(BACKTEST, [
      '--cutoff',
      CUTOFF,
      '--horizon',
      HORIZON,
      '--json',
      '--model',
      version,
    ]);
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout).model.version).toBe(version);

    const noActive = await run(BACKTEST, ['--cutoff', CUTOFF, '--model', 'active']);
    expect(noActive.code).toBe(1);
    expect(oneLine(noActive)).toEqual([
      'risk:backtest: no model is active in risk_models; use --model default, a version, or risk:fit --activate',
    ]);
  });

  it('fails with one line and exit 1 on a bad cut-off, a window not over yet or no customers', async () => {
    const badDate = await run(BACKTEST, ['--cutoff', '2026-02-30']);
    expect(badDate.code).toBe(1);
    expect(badDate.stdout).toBe('');
    expect(oneLine(badDate)).toHaveLength(1);
    expect(badDate.stderr).toMatch(/^risk:backtest: --cutoff needs a date like 2026-06-01/);

    const future = await run(BACKTEST, ['--cutoff', new Date().toISOString().slice(0, 10)]);
    expect(future.code).toBe(1);
    expect(oneLine(future)).toHaveLength(1);
    expect(future.stderr).toMatch(/^risk:backtest: the window ends .+, after now/);

    const empty = await run(BACKTEST, ['--cutoff', '2000-01-01', '--horizon', '30']);
    expect(empty.code).toBe(1);
    expect(oneLine(empty)).toEqual([
      'risk:backtest: no customers were active at 2000-01-01T00:00:00.000Z: nothing to backtest; pick a later --cutoff',
    ]);
  });
});
