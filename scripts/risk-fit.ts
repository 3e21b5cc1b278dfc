/**
 * `npm run risk:fit -- --cutoff 2026-03-01 [--horizon 90] [--l2 1] [--churn status|dormant]
 *   [--dormant-days N] [--activate]`, `npm run risk:fit -- --use VERSION`, `npm run risk:fit -- --restore`
 *
 * Learns risk weights from this database's own history. The training set is every customer
 * active at the cut-off, described only by what was known then (RiskRepository.features with
 * live = false, then `transform` into the model inputs, in FACTOR_NAMES order), labelled by
 * whether it churned in (cutoff, cutoff + horizon] (or, with --churn dormant, went silent). An
 * L2-regularised logistic regression (libs/risk/src/fit.ts) gives an intercept and one weight per
 * factor, saved as model version `fitted-<cutoff>-h<horizon>` in risk_models, with band
 * thresholds of its own (the riskiest 30 / 10 / 3 % of its training customers).
 *
 * Then it is judged on the next window, (cutoff + horizon, cutoff + 2·horizon], against the
 * model active now (or the defaults): ROC AUC of both on the same customers and a paired
 * bootstrap interval of the difference. `--activate` activates it only when that interval lies
 * above 0 (it beats the active model by more than the noise); otherwise it prints the comparison
 * and keeps the active model. Every activation is recorded (risk_model_activations):
 * `--restore` reactivates the model that was active before the current one, and `--use VERSION`
 * activates a stored version by hand (`--use default` deactivates every fitted model).
 */
import 'reflect-metadata';
import {
  UsageError,
  cliArgs,
  describeDatabaseUrl,
  loadConfig,
  prepareDatabase,
  runCli,
} from '@staydesk/core';
import type { AppConfig, Tx } from '@staydesk/core';
import {
  BacktestInputError,
  aucDifference,
  brierScore,
  fixed,
  percent,
  precisionAtK,
  rocAuc,
  storedModel,
  textTable,
  withConfigWeights,
} from '@staydesk/risk';
import type { BacktestWindow } from '@staydesk/risk';
import { fitLogistic } from '@staydesk/risk';
import {
  DEFAULT_MODEL,
  FACTOR_NAMES,
  quantileBands,
  scoreCustomer,
  transform,
} from '@staydesk/risk';
import type { FactorName, RiskModel } from '@staydesk/risk';
import { RiskRepository } from '@staydesk/risk';
import { connectSnapshot } from './risk-cli';
import { WINDOW_FLAGS, churnAndWindow, cohort, describeChurn } from './risk-data';
import type { ChurnDefinition } from './risk-data';

const USAGE =
  'usage: risk-fit --cutoff YYYY-MM-DD [--horizon DAYS] [--l2 LAMBDA] [--churn status|dormant] [--dormant-days N] [--activate] | --use VERSION|default | --restore [--help]';
const DAY_MS = 86_400_000;

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
const signed = (x: number) => `${x >= 0 ? ' ' : ''}${x.toFixed(3)}`;

/** Inputs of every customer, in FACTOR_NAMES order (non-finite → 0). */
const inputsOf = (features: Parameters<typeof transform>[0][]) =>
  features.map((f) => {
    const inputs = new Map(transform(f).map((t) => [t.name, t.input]));
    return FACTOR_NAMES.map((name) => {
      const v = inputs.get(name);
      return v !== undefined && Number.isFinite(v) ? v : 0;
    });
  });

/** The model active now (as the live scorer has it) or, when none is, the defaults. */
async function incumbent(tx: Tx, config: AppConfig): Promise<RiskModel> {
  const active = await new RiskRepository().activeModel(tx);
  return withConfigWeights(active ? storedModel(active) : DEFAULT_MODEL, config.risk.weights);
}

/** `--restore` and `--use`: switch the active model, recorded in risk_model_activations. */
async function switchModel(tx: Tx, options: { restore: boolean; use?: string }): Promise<string> {
  const repo = new RiskRepository();
  if (options.restore) {
    const last = await repo.previousModel(tx);
    if (!last) {
      throw new BacktestInputError(
        'no activation is recorded: there is no earlier model to restore',
      );
    }
    await repo.activate(tx, last.previous);
    return `restored ${last.previous ?? 'the default model'} (replacing ${last.current ?? 'the default model'})`;
  }
  const version = options.use!;
  if (version === 'default') {
    await repo.activate(tx, null);
    return 'the default model is active (no fitted model)';
  }
  const row = await repo.modelByVersion(tx, version);
  if (!row) {
    const known = (await repo.models(tx)).map((m) => m.version).slice(0, 10);
    throw new BacktestInputError(
      `no model "${version}" in risk_models (known: ${known.join(', ') || 'none stored'})`,
    );
  }
  storedModel(row); // refuse a malformed stored model before it becomes active
  await repo.activate(tx, version);
  return `activated ${version}`;
}

interface HeldOut {
  cutoff: string;
  customers: number;
  churned: number;
  auc: number | null;
  brier: number | null;
  incumbent: string;
  incumbentAuc: number | null;
  /** fitted − incumbent AUC, with its paired-bootstrap 95 % interval. */
  difference: { difference: number; low: number; high: number } | null;
}

/** The fitted model against the incumbent on the window after the training one. */
async function judgeLater(
  tx: Tx,
  later: BacktestWindow,
  churn: ChurnDefinition,
  fitted: RiskModel,
  current: RiskModel,
): Promise<HeldOut> {
  const { features, churned } = await cohort(tx, later, churn);
  const outcomes = (m: RiskModel) =>
    features.map((f) => ({
      score: scoreCustomer(f, m).score,
      churned: churned.has(f.customerId),
    }));
  const a = outcomes(fitted);
  const b = outcomes(current);
  return {
    cutoff: later.cutoff.toISOString(),
    customers: features.length,
    churned: a.filter((o) => o.churned).length,
    auc: rocAuc(a),
    brier: brierScore(a.map((o) => ({ probability: o.score / 100, churned: o.churned }))),
    incumbent: current.version,
    incumbentAuc: rocAuc(b),
    difference: aucDifference(a, b, 200),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const { values: options } = cliArgs({
    args: process.argv.slice(2),
    options: {
      ...WINDOW_FLAGS,
      l2: { type: 'string' },
      use: { type: 'string' },
      activate: { type: 'boolean', default: false },
      restore: { type: 'boolean', default: false },
    },
  });
  if ((options.restore || options.use) && (options.cutoff || options.activate)) {
    throw new UsageError('--restore and --use do not fit a model');
  }
  const l2Text = options.l2 ?? '1';
  if (!/^\d+(\.\d+)?$/.test(l2Text) || Number(l2Text) > 1e6) {
    throw new BacktestInputError(`--l2 needs a number from 0 to 1000000 (got "${l2Text}")`);
  }
  const l2 = Number(l2Text);
  const config = loadConfig(process.env);
  const where = describeDatabaseUrl(config.database.url);
  const fitting = options.restore || options.use ? null : churnAndWindow(options, new Date());
  await prepareDatabase(config, { run: false });

  const { client, tx } = await connectSnapshot(config.database.url);
  const repo = new RiskRepository();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    if (fitting === null) {
      const said = await switchModel(tx, options);
      await client.query('COMMIT');
      console.log(
        `${said} on ${where}; running api and worker processes pick it up when they reload`,
      );
      return;
    }
    const { churn, window } = fitting;
    const version = `fitted-${churn.kind === 'dormant' ? 'dormant-' : ''}${window.cutoff.toISOString().slice(0, 10)}-h${window.horizonDays}`;
    const { features, churned } = await cohort(tx, window, churn);
    const x = inputsOf(features);
    const y = features.map((f) => churned.has(f.customerId));
    const positives = y.filter(Boolean).length;
    if (positives === 0 || positives === y.length) {
      throw new BacktestInputError(
        `${positives === 0 ? 'no' : 'every'} customer active at the cut-off churned in the window: nothing to learn; pick another --cutoff or a longer --horizon`,
      );
    }
    const fit = fitLogistic(x, y, { l2 });
    const weights = Object.fromEntries(
      FACTOR_NAMES.map((name, j) => [name, round(fit.weights[j])]),
    ) as Record<FactorName, number>;
    const unbanded: RiskModel = { version, intercept: round(fit.intercept), weights };
    // Its own bands: the riskiest 30 / 10 / 3 % of the customers it was fitted on (its scores are
    // churn probabilities of a few percent, far under the default model's 25/50/75 points).
    const bands = quantileBands(features.map((f) => scoreCustomer(f, unbanded).score));
    const model: RiskModel = { ...unbanded, bands };
    const current = await incumbent(tx, config);

    // In-sample ranking quality, for the record (the honest test is the later window below).
    const reference = withConfigWeights(DEFAULT_MODEL, config.risk.weights);
    const outcomes = (m: RiskModel) =>
      features.map((f, i) => ({ score: scoreCustomer(f, m).score, churned: y[i] }));
    const fitted = outcomes(model);
    const byDefault = outcomes(reference);
    const later: BacktestWindow = {
      cutoff: window.end,
      horizonDays: window.horizonDays,
      end: new Date(window.end.getTime() + window.horizonDays * DAY_MS),
    };
    const heldOut =
      later.end.getTime() <= Date.now() ? await judgeLater(tx, later, churn, model, current) : null;
    const beats = heldOut?.difference != null && heldOut.difference.low > 0;
    const activate = options.activate && beats;
    const metrics = {
      cutoff: window.cutoff.toISOString(),
      horizonDays: window.horizonDays,
      churnDefinition: churn,
      customers: features.length,
      churned: positives,
      baseRate: positives / features.length,
      l2,
      iterations: fit.iterations,
      converged: fit.converged,
      logLoss: fit.logLoss,
      inSample: {
        auc: rocAuc(fitted),
        precisionAt10: precisionAtK(fitted, 0.1).precision,
        defaultAuc: rocAuc(byDefault),
        defaultPrecisionAt10: precisionAtK(byDefault, 0.1).precision,
      },
      heldOut,
    };
    const existing = await repo.modelByVersion(tx, version);
    await repo.saveModel(tx, {
      version,
      source: 'fitted',
      intercept: model.intercept,
      weights: model.weights,
      bands,
      metrics,
      activate,
    });
    await client.query('COMMIT');

    const meanInput = (j: number) => x.reduce((s, row) => s + row[j], 0) / x.length;
    const d = heldOut?.difference ?? null;
    const verdict =
      heldOut === null
        ? `no later window has ended yet to judge it on${options.activate ? ': not activated' : ''}`
        : d === null
          ? `the later window has no churners (or only churners): no judgement${options.activate ? ', not activated' : ''}`
          : `${beats ? 'beats' : 'does not beat'} ${heldOut.incumbent} beyond the noise: AUC ${fixed(heldOut.auc)} vs ${fixed(heldOut.incumbentAuc)}, difference ${signed(d.difference)} (95% bootstrap ${signed(d.low)} to ${signed(d.high)})` +
            (options.activate
              ? beats
                ? ': activated'
                : `: not activated, ${current.version} stays active`
              : '');
    console.log(
      [
        `${existing ? 'replaced' : 'saved'} model ${version} on ${where}` +
          (activate ? ' and made it active' : ' (not active)'),
        describeChurn(churn),
        `trained on ${features.length} customers active at ${metrics.cutoff}, ${positives} churned within ${window.horizonDays} days (${percent(metrics.baseRate)})`,
        `L2 λ = ${l2}; Newton converged ${fit.converged ? 'yes' : 'NO'} after ${fit.iterations} steps; log loss ${fit.logLoss.toFixed(4)}`,
        '',
        textTable(
          ['factor', reference.version, version, 'mean input'],
          [
            ['(intercept)', signed(reference.intercept), signed(model.intercept), ''],
            ...FACTOR_NAMES.map((name, j) => [
              name,
              signed(reference.weights[name]),
              signed(model.weights[name]),
              meanInput(j).toFixed(3),
            ]),
          ],
        ),
        '',
        bands
          ? `bands (riskiest 30 / 10 / 3 % when fitted): medium ≥ ${bands.medium}, high ≥ ${bands.high}, critical ≥ ${bands.critical} (% chance of churn within ${window.horizonDays} days)`
          : '',
        `in sample (the training window itself, optimistic): AUC ${fixed(metrics.inSample.auc)} fitted vs ${fixed(metrics.inSample.defaultAuc)} ${reference.version}; ` +
          `precision@10% ${percent(metrics.inSample.precisionAt10)} vs ${percent(metrics.inSample.defaultPrecisionAt10)}`,
        heldOut
          ? `held out (${heldOut.cutoff.slice(0, 10)} + ${window.horizonDays} days, ${heldOut.customers} customers, ${heldOut.churned} churned): Brier ${fixed(heldOut.brier, 4)}`
          : '',
        verdict,
        `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
      ]
        .filter((line) => line !== '')
        .join('\n'),
    );
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}

runCli('risk:fit', USAGE, main, [BacktestInputError]);
