/**
 * `npm run risk:backtest -- --cutoff 2026-06-01 [--horizon 90] [--model default|active|<version>] [--json]`
 *
 * How well would a risk model have warned us? Replays only what was known at the cut-off: the
 * features of every customer active then, reconstructed from timestamps (open backlog included,
 * RiskRepository.features with live = false), scored with the chosen model, then compared with
 * who actually churned in (cutoff, cutoff + horizon] (customer_status_changes). Reports ROC AUC,
 * precision in the top decile and its lift, churn per band, and which factors told churners apart.
 * Reads only (one REPEATABLE READ, READ ONLY transaction); writes nothing.
 *
 * --model default   the shipped weights (DEFAULT_MODEL)
 * --model active    the model marked active in risk_models
 * --model <version> any stored model, e.g. one written by `npm run risk:fit`
 * Each is scored as the live scorer would score it: stored weights over the defaults, RISK_WEIGHTS
 * on top (the version then ends in `+config`). Bands come from RISK_BANDS (default 25,50,75).
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { describeDatabaseUrl, loadConfig, prepareDatabase } from '@staydesk/core';
import type { AppConfig, Tx } from '@staydesk/core';
import {
  BacktestInputError,
  evaluate,
  fixed,
  parseWindow,
  percent,
  storedModel,
  textTable,
  withConfigWeights,
} from '../libs/risk/src/backtest';
import type { BacktestReport, BacktestWindow } from '../libs/risk/src/backtest';
import { DEFAULT_MODEL, scoreCustomer } from '../libs/risk/src/risk-model';
import type { BandThresholds, RiskModel } from '../libs/risk/src/risk-model';
import { RiskRepository } from '../libs/risk/src/risk.repository';
import { exitWithError } from './risk-cli';

const USAGE =
  'usage: risk-backtest --cutoff YYYY-MM-DD [--horizon DAYS] [--model default|active|VERSION] [--json] [--help]';

interface Options {
  cutoff?: string;
  horizon?: string;
  model: string;
  json: boolean;
}

function parseArgs(argv: string[]): Options | 'help' {
  const options: Options = { model: 'default', json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--json') {
      options.json = true;
      continue;
    }
    const match = /^--(cutoff|horizon|model)(?:=(.*))?$/.exec(arg);
    if (!match) throw new BacktestInputError(`unknown argument "${arg}"; ${USAGE}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) {
      throw new BacktestInputError(`--${match[1]} needs a value; ${USAGE}`);
    }
    options[match[1] as 'cutoff' | 'horizon' | 'model'] = value;
  }
  return options;
}

/**
 * The model to replay, scored as the live scorer would score it were it the active one: stored
 * weights over the defaults, RISK_WEIGHTS on top.
 */
async function loadModel(tx: Tx, which: string, config: AppConfig): Promise<RiskModel> {
  const configured = (m: RiskModel) => withConfigWeights(m, config.risk.weights);
  if (which === 'default') return configured(DEFAULT_MODEL);
  if (which === 'active') {
    const active = await new RiskRepository().activeModel(tx);
    if (!active) {
      throw new BacktestInputError(
        'no model is active in risk_models; use --model default, a version, or risk:fit --activate',
      );
    }
    return configured(storedModel(active));
  }
  const rows: { version: string; intercept: number; weights: unknown; bands: unknown }[] =
    await tx.query(
      `SELECT version, intercept, weights, bands FROM risk_models WHERE version = $1`,
      [which],
    );
  if (rows.length === 0) {
    const known: { version: string }[] = await tx.query(
      `SELECT version FROM risk_models ORDER BY created_at DESC LIMIT 10`,
    );
    const list = known.length > 0 ? known.map((r) => r.version).join(', ') : 'none stored';
    throw new BacktestInputError(
      `no model "${which}" in risk_models (known: ${list}); use --model default, active or a stored version`,
    );
  }
  return configured(storedModel(rows[0]));
}

interface BacktestResult extends BacktestReport {
  model: RiskModel;
  cutoff: string;
  horizonDays: number;
  windowEnd: string;
  bandThresholds: BandThresholds;
}

/** Scores the customers active at the cut-off and compares with who churned in the window. */
async function backtest(
  tx: Tx,
  window: BacktestWindow,
  model: RiskModel,
  bands: BandThresholds,
): Promise<BacktestResult> {
  const repo = new RiskRepository();
  const features = await repo.features(tx, window.cutoff, null, false);
  if (features.length === 0) {
    throw new BacktestInputError(
      `no customers were active at ${window.cutoff.toISOString()}: nothing to backtest; pick a later --cutoff`,
    );
  }
  const churned = await repo.churnedBetween(tx, window.cutoff, window.end);
  const items = features.map((f) => {
    const s = scoreCustomer(f, model, bands);
    return { score: s.score, band: s.band, factors: s.factors, churned: churned.has(f.customerId) };
  });
  return {
    model,
    cutoff: window.cutoff.toISOString(),
    horizonDays: window.horizonDays,
    windowEnd: window.end.toISOString(),
    bandThresholds: model.bands ?? bands,
    ...evaluate(items, 5),
  };
}

function printReport(r: BacktestResult, where: string, seconds: number): void {
  const p = r.precisionAt10;
  const out = [
    `risk backtest of model ${r.model.version} on ${where}`,
    `cut-off ${r.cutoff}, horizon ${r.horizonDays} days: churn counted in (cut-off, ${r.windowEnd}]`,
    '',
    textTable(
      ['metric', 'value'],
      [
        ['customers scored', String(r.customers)],
        ['churned in window', String(r.churned)],
        ['base rate', percent(r.baseRate)],
        ['ROC AUC', r.auc === null ? 'n/a (needs churners and non-churners)' : fixed(r.auc)],
        [
          'precision@10%',
          `${percent(p.precision)} (${fixed(p.hits, Number.isInteger(p.hits) ? 0 : 1)} of top ${p.k})`,
        ],
        ['lift@10%', p.lift === null ? 'n/a' : `${p.lift.toFixed(2)}x`],
      ],
    ),
    '',
    `churn by band (thresholds ${r.bandThresholds.medium}/${r.bandThresholds.high}/${r.bandThresholds.critical})`,
    textTable(
      ['band', 'customers', 'churned', 'churn rate', 'lift', 'mean score'],
      r.bands.map((b) => [
        b.band,
        String(b.customers),
        String(b.churned),
        percent(b.rate),
        b.rate === null || !r.baseRate ? 'n/a' : `${(b.rate / r.baseRate).toFixed(2)}x`,
        fixed(b.meanScore, 2),
      ]),
    ),
    '',
    'factors that told churners apart (mean contribution in score points)',
    textTable(
      ['factor', 'churners', 'others', 'difference'],
      r.factors.map((f) => [
        f.name,
        fixed(f.churners, 2),
        fixed(f.others, 2),
        f.difference === null ? 'n/a' : `${f.difference >= 0 ? '+' : ''}${f.difference.toFixed(2)}`,
      ]),
    ),
    '',
    `(${seconds.toFixed(1)} s)`,
  ];
  console.log(out.join('\n'));
}

async function main(): Promise<void> {
  const started = performance.now();
  const options = parseArgs(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const window = parseWindow(options.cutoff, options.horizon, new Date());
  const config = loadConfig(process.env);
  const where = describeDatabaseUrl(config.database.url);
  // Reads only: check the schema, never migrate from here.
  await prepareDatabase(config, { run: false });

  const client = new Client({
    connectionString: config.database.url,
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  const tx: Tx = {
    query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows,
  } as Tx;
  try {
    // One snapshot for the model, the features and the outcomes.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const model = await loadModel(tx, options.model, config);
    const result = await backtest(tx, window, model, config.risk.bands);
    await client.query('COMMIT');
    if (options.json) console.log(JSON.stringify(result, null, 2));
    else printReport(result, where, (performance.now() - started) / 1000);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}

main().catch(exitWithError('risk:backtest'));
