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
 * --model default   the shipped weights (DEFAULT_MODEL; `default-v1`: the first defaults)
 * --model active    the model marked active in risk_models
 * --model <version> any stored model, e.g. one written by `npm run risk:fit`
 * Each is scored as the live scorer would score it: stored weights over the defaults, RISK_WEIGHTS
 * on top (the version then ends in `+config`). Bands come from RISK_BANDS (default 25,50,75).
 */
import 'reflect-metadata';
import { cliArgs, describeDatabaseUrl, loadConfig, prepareDatabase, runCli } from '@staydesk/core';
import type { AppConfig, Tx } from '@staydesk/core';
import {
  BacktestInputError,
  aucInterval,
  brierScore,
  evaluate,
  reliabilityTable,
  rocAuc,
  fixed,
  percent,
  storedModel,
  textTable,
  withConfigWeights,
} from '@staydesk/risk';
import type { BacktestReport, BacktestWindow, ReliabilityRow } from '@staydesk/risk';
import {
  DEFAULT_MODEL,
  DEFAULT_MODEL_V1,
  DISTRIBUTION_BANDS_MIN_CUSTOMERS,
  bandsInForce,
  quantileBands,
  scoreCustomer,
} from '@staydesk/risk';
import type { BandThresholds, RiskModel } from '@staydesk/risk';
import { RiskRepository } from '@staydesk/risk';
import { connectSnapshot } from './risk-cli';
import {
  WINDOW_FLAGS,
  churnAndWindow,
  cohort,
  describeChurn,
  oracleProbabilities,
} from './risk-data';
import type { ChurnDefinition } from './risk-data';

const USAGE =
  'usage: risk-backtest --cutoff YYYY-MM-DD [--horizon DAYS] [--model default|active|VERSION] [--churn status|dormant] [--dormant-days N] [--json] [--help]';

/**
 * The model to replay, scored as the live scorer would score it were it the active one: stored
 * weights over the defaults, RISK_WEIGHTS on top.
 */
async function loadModel(tx: Tx, which: string, config: AppConfig): Promise<RiskModel> {
  const configured = (m: RiskModel) => withConfigWeights(m, config.risk.weights);
  if (which === 'default') return configured(DEFAULT_MODEL);
  if (which === DEFAULT_MODEL_V1.version) return configured(DEFAULT_MODEL_V1); // the first defaults
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
  churnDefinition: ChurnDefinition;
  bandThresholds: BandThresholds;
  /** Where the thresholds come from. */
  bandRule: string;
  /** Approximate 95 % interval of the AUC (Hanley–McNeil). */
  aucInterval: { low: number; high: number } | null;
  /**
   * The simulation's truth (simulated worlds only): the AUC of each customer's true churn
   * probability for the window, and the model's AUC as a fraction of it. Null on real histories.
   */
  oracle: { auc: number | null; brier: number | null; modelShare: number | null } | null;
  /** Mean squared error of the probability (a fitted model's; score ÷ 100 for the default). */
  brier: number | null;
  /** Whether the scores are calibrated probabilities (a fitted model) or a risk index. */
  calibrated: boolean;
  reliability: ReliabilityRow[];
}

/** Scores the customers active at the cut-off and compares with who churned in the window. */
async function backtest(
  tx: Tx,
  window: BacktestWindow,
  model: RiskModel,
  bands: BandThresholds,
  bandsFixed: boolean,
  churn: ChurnDefinition,
): Promise<BacktestResult> {
  const { features, churned } = await cohort(tx, window, churn);
  // The bands the live scorer would have used: a fitted model's own, else (RISK_BANDS unset,
  // 200+ customers) the score distribution at the cut-off, else RISK_BANDS.
  const distribution =
    !model.bands && !bandsFixed && features.length >= DISTRIBUTION_BANDS_MIN_CUSTOMERS
      ? quantileBands(features.map((f) => scoreCustomer(f, model).score))
      : null;
  const inForce = bandsInForce(model, bands, bandsFixed, distribution);
  const items = features.map((f) => {
    const s = scoreCustomer(f, model, inForce);
    return { score: s.score, band: s.band, factors: s.factors, churned: churned.has(f.customerId) };
  });
  const report = evaluate(items, 5);
  const positives = report.churned;
  const negatives = report.customers - positives;
  const calibrated = !model.version.startsWith('default');
  const predictions = items.map((i) => ({ probability: i.score / 100, churned: i.churned }));
  const truth =
    churn.kind === 'status'
      ? await oracleProbabilities(
          tx,
          window,
          features.map((f) => f.customerId),
        )
      : null;
  const oracleItems = truth
    ? features.map((f, i) => ({
        score: truth.get(f.customerId)!,
        probability: truth.get(f.customerId)!,
        churned: items[i].churned,
      }))
    : null;
  const oracleAuc = oracleItems ? rocAuc(oracleItems) : null;
  return {
    model,
    cutoff: window.cutoff.toISOString(),
    horizonDays: window.horizonDays,
    windowEnd: window.end.toISOString(),
    churnDefinition: churn,
    bandThresholds: inForce,
    bandRule: model.bands
      ? 'the fitted model’s own (riskiest 30 / 10 / 3 % when fitted)'
      : distribution
        ? 'the score distribution at the cut-off (riskiest 30 / 10 / 3 %)'
        : 'RISK_BANDS',
    ...report,
    aucInterval: report.auc === null ? null : aucInterval(report.auc, positives, negatives),
    oracle: oracleItems
      ? {
          auc: oracleAuc,
          brier: brierScore(oracleItems),
          modelShare: oracleAuc && report.auc !== null ? report.auc / oracleAuc : null,
        }
      : null,
    brier: brierScore(predictions),
    calibrated,
    reliability: reliabilityTable(predictions),
  };
}

function printReport(r: BacktestResult, where: string, seconds: number): void {
  const p = r.precisionAt10;
  const out = [
    `risk backtest of model ${r.model.version} on ${where}`,
    `cut-off ${r.cutoff}, horizon ${r.horizonDays} days: churn counted in (cut-off, ${r.windowEnd}]`,
    describeChurn(r.churnDefinition),
    '',
    textTable(
      ['metric', 'value'],
      [
        ['customers scored', String(r.customers)],
        ['churned in window', String(r.churned)],
        ['base rate', percent(r.baseRate)],
        [
          'ROC AUC',
          r.auc === null
            ? 'n/a (needs churners and non-churners)'
            : `${fixed(r.auc)} (95% ${fixed(r.aucInterval!.low)}–${fixed(r.aucInterval!.high)})`,
        ],
        [
          'oracle ROC AUC',
          r.oracle === null
            ? 'n/a (no simulation oracle: a real history)'
            : `${fixed(r.oracle.auc)} (the world's true churn probabilities)`,
        ],
        [
          'model / oracle',
          r.oracle?.modelShare == null ? 'n/a' : `${(r.oracle.modelShare * 100).toFixed(1)}%`,
        ],
        [
          r.calibrated ? 'Brier score' : 'Brier score (score/100)',
          `${fixed(r.brier, 4)}${r.oracle ? ` (oracle ${fixed(r.oracle.brier, 4)})` : ''}`,
        ],
        [
          'precision@10%',
          `${percent(p.precision)} (${fixed(p.hits, Number.isInteger(p.hits) ? 0 : 1)} of top ${p.k})`,
        ],
        ['lift@10%', p.lift === null ? 'n/a' : `${p.lift.toFixed(2)}x`],
      ],
    ),
    '',
    `churn by band (thresholds ${r.bandThresholds.medium}/${r.bandThresholds.high}/${r.bandThresholds.critical}: ${r.bandRule})`,
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
    r.calibrated
      ? 'reliability by decile of predicted churn probability'
      : 'reliability by decile of score (score/100 is a risk index, not a probability)',
    textTable(
      ['decile', 'customers', 'predicted', 'observed'],
      r.reliability.map((row) => [
        String(row.decile),
        String(row.customers),
        percent(row.predicted, 2),
        percent(row.observed, 2),
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
  const { values: options } = cliArgs({
    args: process.argv.slice(2),
    options: {
      ...WINDOW_FLAGS,
      model: { type: 'string', default: 'default' },
      json: { type: 'boolean', default: false },
    },
  });
  const { churn, window } = churnAndWindow(options, new Date());
  const config = loadConfig(process.env);
  const where = describeDatabaseUrl(config.database.url);
  // Reads only: check the schema, never migrate from here.
  await prepareDatabase(config, { run: false });

  const { client, tx } = await connectSnapshot(config.database.url);
  try {
    // One snapshot for the model, the features and the outcomes.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const model = await loadModel(tx, options.model, config);
    const result = await backtest(
      tx,
      window,
      model,
      config.risk.bands,
      config.risk.bandsFixed,
      churn,
    );
    await client.query('COMMIT');
    if (options.json) console.log(JSON.stringify(result, null, 2));
    else printReport(result, where, (performance.now() - started) / 1000);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}

runCli('risk:backtest', USAGE, main, [BacktestInputError]);
