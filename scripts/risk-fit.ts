/**
 * `npm run risk:fit -- --cutoff 2026-03-01 [--horizon 90] [--l2 1] [--activate]`
 *
 * Learns risk weights from this database's own history. The training set is every customer
 * active at the cut-off, described only by what was known then (RiskRepository.features with
 * live = false, then `transform` into the model inputs, in FACTOR_NAMES order), labelled by
 * whether it churned in (cutoff, cutoff + horizon]. An L2-regularised logistic regression
 * (libs/risk/src/fit.ts) gives an intercept and one weight per factor, saved as model version
 * `fitted-<cutoff>-h<horizon>` in risk_models; `--activate` also makes it the model the scorer
 * uses. Judge it out of sample before activating:
 *   npm run risk:backtest -- --cutoff <a later date> --model fitted-<cutoff>-h<horizon>
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { describeDatabaseUrl, loadConfig, prepareDatabase } from '@staydesk/core';
import type { Tx } from '@staydesk/core';
import {
  BacktestInputError,
  fixed,
  parseWindow,
  percent,
  precisionAtK,
  rocAuc,
  textTable,
  withConfigWeights,
} from '../libs/risk/src/backtest';
import { fitLogistic } from '../libs/risk/src/fit';
import {
  DEFAULT_MODEL,
  FACTOR_NAMES,
  quantileBands,
  scoreCustomer,
  transform,
} from '../libs/risk/src/risk-model';
import type { FactorName, RiskModel } from '../libs/risk/src/risk-model';
import { RiskRepository } from '../libs/risk/src/risk.repository';
import { exitWithError } from './risk-cli';

const USAGE =
  'usage: risk-fit --cutoff YYYY-MM-DD [--horizon DAYS] [--l2 LAMBDA] [--activate] [--help]';
const DAY_MS = 86_400_000;

interface Options {
  cutoff?: string;
  horizon?: string;
  l2: number;
  activate: boolean;
}

function parseArgs(argv: string[]): Options | 'help' {
  const options: Options = { l2: 1, activate: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--activate') {
      options.activate = true;
      continue;
    }
    const match = /^--(cutoff|horizon|l2)(?:=(.*))?$/.exec(arg);
    if (!match) throw new BacktestInputError(`unknown argument "${arg}"; ${USAGE}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) {
      throw new BacktestInputError(`--${match[1]} needs a value; ${USAGE}`);
    }
    if (match[1] === 'l2') {
      if (!/^\d+(\.\d+)?$/.test(value) || Number(value) > 1e6) {
        throw new BacktestInputError(`--l2 needs a number from 0 to 1000000 (got "${value}")`);
      }
      options.l2 = Number(value);
    } else {
      options[match[1] as 'cutoff' | 'horizon'] = value;
    }
  }
  return options;
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
const signed = (x: number) => `${x >= 0 ? ' ' : ''}${x.toFixed(3)}`;

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
  const reference = withConfigWeights(DEFAULT_MODEL, config.risk.weights);
  await prepareDatabase(config, { run: false });
  const version = `fitted-${window.cutoff.toISOString().slice(0, 10)}-h${window.horizonDays}`;

  const client = new Client({
    connectionString: config.database.url,
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  const tx: Tx = {
    query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows,
  } as Tx;
  const repo = new RiskRepository();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const features = await repo.features(tx, window.cutoff, null, false);
    if (features.length === 0) {
      throw new BacktestInputError(
        `no customers were active at ${window.cutoff.toISOString()}: nothing to learn from; pick a later --cutoff`,
      );
    }
    const churned = await repo.churnedBetween(tx, window.cutoff, window.end);
    const x = features.map((f) => {
      const inputs = new Map(transform(f).map((t) => [t.name, t.input]));
      return FACTOR_NAMES.map((name) => {
        const v = inputs.get(name);
        return v !== undefined && Number.isFinite(v) ? v : 0;
      });
    });
    const y = features.map((f) => churned.has(f.customerId));
    const positives = y.filter(Boolean).length;
    if (positives === 0 || positives === y.length) {
      throw new BacktestInputError(
        `${positives === 0 ? 'no' : 'every'} customer active at the cut-off churned in the window: nothing to learn; pick another --cutoff or a longer --horizon`,
      );
    }
    const fit = fitLogistic(x, y, { l2: options.l2 });
    const weights = Object.fromEntries(
      FACTOR_NAMES.map((name, j) => [name, round(fit.weights[j])]),
    ) as Record<FactorName, number>;
    const unbanded: RiskModel = { version, intercept: round(fit.intercept), weights };
    // Its own bands: the riskiest 30 / 10 / 3 % of the customers it was fitted on (its scores are
    // churn probabilities of a few percent, far under the default model's 25/50/75 points).
    const bands = quantileBands(features.map((f) => scoreCustomer(f, unbanded).score));
    const model: RiskModel = { ...unbanded, bands };

    // In-sample ranking quality, for the record (the honest test is a backtest on a later window).
    const outcomes = (m: RiskModel) =>
      features.map((f, i) => ({ score: scoreCustomer(f, m).score, churned: y[i] }));
    const fitted = outcomes(model);
    const byDefault = outcomes(reference);
    const metrics = {
      cutoff: window.cutoff.toISOString(),
      horizonDays: window.horizonDays,
      customers: features.length,
      churned: positives,
      baseRate: positives / features.length,
      l2: options.l2,
      iterations: fit.iterations,
      converged: fit.converged,
      logLoss: fit.logLoss,
      inSample: {
        auc: rocAuc(fitted),
        precisionAt10: precisionAtK(fitted, 0.1).precision,
        defaultAuc: rocAuc(byDefault),
        defaultPrecisionAt10: precisionAtK(byDefault, 0.1).precision,
      },
    };
    const existing: { active: boolean }[] = await tx.query(
      `SELECT active FROM risk_models WHERE version = $1`,
      [version],
    );
    // saveModel writes `active` as given: refitting the active version keeps it active.
    const stayActive = !options.activate && existing[0]?.active === true;
    await repo.saveModel(tx, {
      version,
      source: 'fitted',
      intercept: model.intercept,
      weights: model.weights,
      bands,
      metrics,
      activate: options.activate || stayActive,
    });
    await client.query('COMMIT');

    const meanInput = (j: number) => x.reduce((s, row) => s + row[j], 0) / x.length;
    const next = new Date(window.end);
    const nextEnd = new Date(next.getTime() + window.horizonDays * DAY_MS);
    console.log(
      [
        `${existing.length > 0 ? 'replaced' : 'saved'} model ${version} on ${where}` +
          (options.activate
            ? ' and made it active'
            : stayActive
              ? ' (it was active and stays active)'
              : ' (not active; --activate to use it)'),
        `trained on ${features.length} customers active at ${metrics.cutoff}, ${positives} churned within ${window.horizonDays} days (${percent(metrics.baseRate)})`,
        `L2 λ = ${options.l2}; Newton converged ${fit.converged ? 'yes' : 'NO'} after ${fit.iterations} steps; log loss ${fit.logLoss.toFixed(4)}`,
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
        nextEnd.getTime() <= Date.now()
          ? `judge it on a later window: npm run risk:backtest -- --cutoff ${next.toISOString().slice(0, 10)} --horizon ${window.horizonDays} --model ${version}`
          : `judge it on a later window with npm run risk:backtest -- --model ${version} once one has ended`,
        `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
      ].join('\n'),
    );
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}

main().catch(exitWithError('risk:fit'));
