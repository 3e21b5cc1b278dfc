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
    expect(r.stdout).toContain('risk backtest of model default-v3');
    expect(r.stdout).toMatch(/ROC AUC\s+(0|1)\.\d{3} \(95% \d\.\d{3}–\d\.\d{3}\)\n/);
    // the seeder's oracle: the world's true churn probabilities rank better than chance
    expect(r.stdout).toMatch(
      /oracle ROC AUC\s+0\.[5-9]\d{2} \(the world's true churn probabilities\)/,
    );
    expect(r.stdout).toMatch(/model \/ oracle\s+\d+\.\d%/);
    expect(r.stdout).toMatch(/Brier score \(score\/100\)\s+0\.\d{4} \(oracle 0\.\d{4}\)/);
    expect(r.stdout).toMatch(/^10\s+\d+\s+\d+\.\d{2}%\s+\d+\.\d{2}%$/m); // reliability decile 10
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
      model: { version: 'default-v3' },
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
    expect(fit.stdout).toMatch(/^sla_breaches\s+0\.150\s+-?\d+\.\d{3}/m);
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

  it('evaluates and fits churn by dormancy, for histories without churn marks', async () => {
    const cutoff = new Date(Date.now() - 200 * DAY_MS).toISOString().slice(0, 10);
    const r = await run(BACKTEST, [
      '--cutoff',
      cutoff,
      '--churn',
      'dormant',
      '--dormant-days',
      '90',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      churnDefinition: { kind: 'dormant', dormantDays: 90 },
      horizonDays: 90,
      oracle: null,
    });
    // ground truth: in touch in the 90 days before, silent in the 90 days after
    const { rows } = await db.query<{ silent: string; touched: string }>(
      `WITH c AS (
         SELECT t.customer_id AS id, t.created_at AS at FROM tickets t
         UNION ALL SELECT t.customer_id, m.created_at FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
          WHERE m.kind = 'customer_message'),
       k AS (SELECT c.id, bool_or(at > $1::timestamptz - interval '90 days' AND at <= $1) AS before,
                    bool_or(at > $1 AND at <= $1::timestamptz + interval '90 days') AS after
               FROM c JOIN customers cu ON cu.id = c.id
              WHERE cu.customer_since <= $1 AND (cu.status = 'active' OR cu.churned_at > $1)
              GROUP BY c.id)
       SELECT count(*) FILTER (WHERE before AND NOT after) AS silent, count(*) FILTER (WHERE before) AS touched FROM k`,
      [report.cutoff],
    );
    expect(report.customers).toBe(Number(rows[0].touched));
    expect(report.churned).toBe(Number(rows[0].silent));

    const text = await run(BACKTEST, [
      '--cutoff',
      cutoff,
      '--churn',
      'dormant',
      '--dormant-days',
      '90',
    ]);
    expect(text.stdout).toContain('churn = in touch in the 90 days before the cut-off, silent');
    expect(text.stdout).toMatch(/oracle ROC AUC\s+n\/a/);

    const fit = await run(FIT, ['--cutoff', cutoff, '--churn', 'dormant', '--dormant-days', '90']);
    expect(fit.stderr).toBe('');
    expect(fit.stdout).toContain(`saved model fitted-dormant-${cutoff}-h90`);

    const mixed = await run(BACKTEST, ['--cutoff', cutoff, '--dormant-days', '90']);
    expect(mixed.code).toBe(1);
    expect(oneLine(mixed)).toEqual(['risk:backtest: --dormant-days needs --churn dormant']);
    const bogus = await run(BACKTEST, ['--cutoff', cutoff, '--churn', 'quiet']);
    expect(oneLine(bogus)).toEqual([
      'risk:backtest: --churn needs "status" or "dormant" (got "quiet")',
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
      'risk:backtest: no customers were active at 2000-01-01T00:00:00.000Z: nothing to evaluate; pick a later --cutoff',
    ]);
  });
});
