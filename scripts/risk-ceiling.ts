/**
 * `npm run risk:ceiling -- --fit-cutoff 2026-05-25 --cutoff 2026-08-23 [--horizon 90] [--json]`
 *
 * How much of the oracle's ranking can any model of the support history reach on a simulated
 * world? Ranks the customers active at `--cutoff` (churn counted as in `risk:backtest`) by:
 * - the oracle: each customer's true churn probability in the window (simulation_oracle);
 * - the world's own support pain, without the noise ε (price, product fit, chance), over the
 *   customer's whole simulated history, future included: what a perfect reader of the support
 *   history could at best know (more than it can: it cannot see the future);
 * - the same pain as seen at the cut-off: the three shares of `painOf` (breached, reopened,
 *   negative messages) plus the tier term, over all of the history before the cut-off, and over
 *   its last 365 days (what the live factors read);
 * - logistic fits on `--fit-cutoff`'s window of each pain plus the tenure (survivors of a
 *   constant hazard carry a lower ε on average: the one trace ε leaves in the history), judged on
 *   `--cutoff`'s window.
 * Read-only (one REPEATABLE READ, READ ONLY transaction). Simulated worlds only: without
 * `simulation_oracle` it stops with a one-line error.
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { cliArgs, loadConfig, prepareDatabase, runCli } from '@staydesk/core';
import {
  CHURN_INTERCEPT,
  CHURN_NOISE,
  CHURN_PAIN,
  churnProbability,
  logistic,
} from '@staydesk/simulation';
import {
  BacktestInputError,
  aucInterval,
  fixed,
  parseWindow,
  rocAuc,
  textTable,
} from '@staydesk/risk';
import type { BacktestWindow, Outcome } from '@staydesk/risk';
import { fitLogistic } from '@staydesk/risk';

const USAGE =
  'usage: risk-ceiling --fit-cutoff YYYY-MM-DD --cutoff YYYY-MM-DD [--horizon DAYS] [--json]';

interface Row {
  id: string;
  churned: boolean;
  hazard: number;
  hazardFrom: Date;
  truePain: number;
  tier: string;
  tenureDays: number;
  /** Shares over the history before the cut-off: all of it, and its last 365 days. */
  pastAll: number;
  pastYear: number;
}

/** The simulation's tier term of the pain (libs/simulation/src/catalog.ts, TIER_PAIN). */
const TIER_SQL = `CASE c.tier WHEN 'free' THEN 0.15 WHEN 'starter' THEN 0.05 ELSE 0 END`;

/** One query per window: the cohort of the backtest, its outcome, the oracle and the pains. */
async function rows(client: Client, w: BacktestWindow): Promise<Row[]> {
  const share = (n: string, d: string) => `CASE WHEN ${d} > 0 THEN ${n}::float8 / ${d} ELSE 0 END`;
  const pain = (suffix: string) =>
    `(${share(`tk.breached${suffix}`, `tk.n${suffix}`)} + ${share(`tk.reopened${suffix}`, `tk.n${suffix}`)}
      + ${share(`msg.negative${suffix}`, `msg.n${suffix}`)}) / 3 + ${TIER_SQL}`;
  const result = await client.query<Row>(
    `WITH cust AS (
       SELECT c.id, c.tier, c.customer_since FROM customers c
        WHERE c.customer_since <= $1 AND (c.status = 'active' OR c.churned_at > $1)),
     t AS (
       SELECT t.id, t.customer_id, t.created_at > $1 - interval '365 days' AS year, t.reopen_count > 0 AS reopened,
              ((t.first_response_due_at < $1 AND (t.first_response_at IS NULL OR t.first_response_at > t.first_response_due_at))
               OR (t.resolution_due_at < $1 AND (t.solved_at IS NULL OR t.solved_at > t.resolution_due_at))) AS breached
         FROM tickets t JOIN cust ON cust.id = t.customer_id WHERE t.created_at <= $1),
     tk AS (
       SELECT customer_id, count(*) AS n, count(*) FILTER (WHERE breached) AS breached,
              count(*) FILTER (WHERE reopened) AS reopened,
              count(*) FILTER (WHERE year) AS n_year, count(*) FILTER (WHERE year AND breached) AS breached_year,
              count(*) FILTER (WHERE year AND reopened) AS reopened_year
         FROM t GROUP BY customer_id),
     msg AS (
       SELECT t.customer_id, count(*) AS n, count(*) FILTER (WHERE m.sentiment < -0.05) AS negative,
              count(*) FILTER (WHERE m.created_at > $1 - interval '365 days') AS n_year,
              count(*) FILTER (WHERE m.created_at > $1 - interval '365 days' AND m.sentiment < -0.05) AS negative_year
         FROM t JOIN ticket_messages m ON m.ticket_id = t.id
        WHERE m.kind = 'customer_message' AND m.created_at <= $1
        GROUP BY t.customer_id),
     churned AS (
       SELECT DISTINCT customer_id FROM customer_status_changes
        WHERE to_status = 'churned' AND changed_at > $1 AND changed_at <= $2)
     SELECT c.id::text AS id, churned.customer_id IS NOT NULL AS churned, o.monthly_hazard AS hazard,
            o.hazard_from AS "hazardFrom", o.pain AS "truePain", c.tier,
            extract(epoch FROM $1 - c.customer_since)::float8 / 86400 AS "tenureDays",
            ${pain('')} AS "pastAll", ${pain('_year')} AS "pastYear"
       FROM cust c JOIN simulation_oracle o ON o.customer_id = c.id
       LEFT JOIN tk ON tk.customer_id = c.id LEFT JOIN msg ON msg.customer_id = c.id
       LEFT JOIN churned ON churned.customer_id = c.id`,
    [w.cutoff, w.end],
  );
  return result.rows;
}

/** Inputs of a fit from one pain: the pain, the exposed share of the window, and log tenure. */
function inputs(r: Row, pain: number, w: BacktestWindow): number[] {
  const from = Math.max(w.cutoff.getTime(), r.hazardFrom.getTime());
  const exposed = Math.max(0, w.end.getTime() - from) / (w.end.getTime() - w.cutoff.getTime());
  return [pain, exposed, Math.log2(1 + r.tenureDays / 365)];
}

async function main() {
  const { values: flags } = cliArgs({
    args: process.argv.slice(2),
    options: {
      help: { type: 'boolean', short: 'h' },
      cutoff: { type: 'string' },
      'fit-cutoff': { type: 'string' },
      horizon: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  await prepareDatabase(config);
  const now = new Date();
  const evalWindow = parseWindow(flags.cutoff, flags.horizon, now);
  const fitWindow = parseWindow(flags['fit-cutoff'], flags.horizon, now);
  const client = new Client({ connectionString: config.database.url });
  await client.connect();
  const started = performance.now();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET LOCAL statement_timeout = '30min'`);
    await client.query(`SET LOCAL work_mem = '256MB'`);
    const oracle: { t: string | null }[] = (
      await client.query(`SELECT to_regclass('simulation_oracle')::text AS t`)
    ).rows;
    if (!oracle[0]?.t)
      throw new BacktestInputError('no simulation_oracle: the ceiling needs a simulated world');
    const train = await rows(client, fitWindow);
    const test = await rows(client, evalWindow);
    await client.query('COMMIT');

    const noiseless = (r: Row, pain: number, w: BacktestWindow) =>
      churnProbability(
        logistic(CHURN_INTERCEPT + CHURN_PAIN * pain),
        r.hazardFrom.getTime(),
        w.cutoff.getTime(),
        w.end.getTime(),
      );
    const auc = (score: (r: Row) => number): number =>
      rocAuc(test.map((r) => ({ score: score(r), churned: r.churned }) as Outcome)) ?? NaN;
    const fitted = (pick: (r: Row) => number) => {
      const fit = fitLogistic(
        train.map((r) => inputs(r, pick(r), fitWindow)),
        train.map((r) => r.churned),
        { l2: 0.1 },
      );
      return {
        weights: fit.weights,
        auc: auc((r) => {
          const x = inputs(r, pick(r), evalWindow);
          return fit.intercept + x.reduce((s, v, i) => s + v * fit.weights[i], 0);
        }),
      };
    };
    const oracleAuc = auc((r) =>
      churnProbability(
        r.hazard,
        r.hazardFrom.getTime(),
        evalWindow.cutoff.getTime(),
        evalWindow.end.getTime(),
      ),
    );
    const churners = test.filter((r) => r.churned).length;
    const lines: [string, number, string][] = [
      ['oracle: true probability (pain + ε, grace)', oracleAuc, ''],
      [
        'true pain, whole history incl. future, no ε',
        auc((r) => noiseless(r, r.truePain, evalWindow)),
        '',
      ],
      [
        'pain of all history before the cut-off, no ε',
        auc((r) => noiseless(r, r.pastAll, evalWindow)),
        '',
      ],
      [
        'pain of the 365 days before the cut-off, no ε',
        auc((r) => noiseless(r, r.pastYear, evalWindow)),
        '',
      ],
    ];
    for (const [label, pick] of [
      ['fit: true pain + exposure + tenure', (r: Row) => r.truePain],
      ['fit: all-history pain + exposure + tenure', (r: Row) => r.pastAll],
      ['fit: 365-day pain + exposure + tenure', (r: Row) => r.pastYear],
    ] as const) {
      const f = fitted(pick);
      lines.push([label, f.auc, f.weights.map((w) => w.toFixed(2)).join(' / ')]);
    }
    // the pain's share of the variance of the logit of the hazard, among the customers scored
    const sd = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
    };
    const painSd = CHURN_PAIN * sd(test.map((r) => r.truePain));
    const report = {
      fitWindow: { cutoff: fitWindow.cutoff, end: fitWindow.end, customers: train.length },
      window: { cutoff: evalWindow.cutoff, end: evalWindow.end, customers: test.length, churners },
      painLogitSd: painSd,
      noiseLogitSd: CHURN_NOISE,
      painShareOfVariance: painSd ** 2 / (painSd ** 2 + CHURN_NOISE ** 2),
      rankings: lines.map(([label, a, weights]) => ({
        label,
        auc: a,
        ofOracle: a / oracleAuc,
        interval: aucInterval(a, churners, test.length - churners),
        weights,
      })),
      seconds: (performance.now() - started) / 1000,
    };
    if (flags.json) {
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    console.log(
      `ceiling on ${evalWindow.cutoff.toISOString().slice(0, 10)} + ${evalWindow.horizonDays} d: ${test.length} customers, ${churners} churned; fits on ${fitWindow.cutoff.toISOString().slice(0, 10)} (${train.length} customers)`,
    );
    console.log(
      `logit sd: pain ${painSd.toFixed(3)}, noise ${CHURN_NOISE}; pain's share of the variance ${(report.painShareOfVariance * 100).toFixed(1)} %`,
    );
    console.log(
      textTable(
        ['ranking', 'ROC AUC (95 %)', 'of oracle', 'weights (pain / exposure / tenure)'],
        report.rankings.map((r) => [
          r.label,
          `${fixed(r.auc)} (${fixed(r.interval.low)}–${fixed(r.interval.high)})`,
          `${(r.ofOracle * 100).toFixed(1)} %`,
          r.weights,
        ]),
      ),
    );
    console.log(`(${report.seconds.toFixed(1)} s)`);
  } finally {
    await client.end();
  }
}

runCli('risk:ceiling', USAGE, main, [BacktestInputError]);
