// Over 400 lines: the pure metrics of a backtest (AUC, Brier, precision, reliability, the report), one concern.
import { BANDS, DEFAULT_MODEL, FACTOR_NAMES, withOverrides } from './risk-model';
import type { Band, BandThresholds, FactorName, FactorValue, RiskModel } from './risk-model';

/**
 * Pure metrics for a churn-risk backtest: how well scores given at a cut-off ranked and sorted
 * the customers who then churned within the horizon. No I/O; the CLI (scripts/risk-backtest.ts)
 * feeds them and prints the result.
 */

/** One customer as scored at the cut-off, with what happened afterwards. */
export interface Outcome {
  score: number;
  churned: boolean;
}

export interface BandedOutcome extends Outcome {
  band: Band;
}

export interface ExplainedOutcome extends Outcome {
  factors: Pick<FactorValue, 'name' | 'contribution'>[];
}

/**
 * ROC AUC by ranks (Mann–Whitney U): the chance that a random churner scored above a random
 * non-churner, ties counting one half (they get their mean rank). 1 = perfect ranking,
 * 0.5 = no better than chance (or all tied), 0 = perfectly reversed. `null` when either class is
 * empty: the ranking question has no answer then.
 */
export function rocAuc(items: readonly Outcome[]): number | null {
  const positives = items.filter((i) => i.churned).length;
  const negatives = items.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const sorted = [...items].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1].score === sorted[i].score) j++;
    const meanRank = (i + j + 2) / 2; // ranks are 1-based: i+1 … j+1
    for (let k = i; k <= j; k++) if (sorted[k].churned) rankSum += meanRank;
    i = j + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface PrecisionAtK {
  /** Share of customers looked at (0.1 = the top decile). */
  fraction: number;
  /** How many customers that is: ceil(fraction × n). */
  k: number;
  /** Churners among them; fractional when customers tied at the boundary share the last places. */
  hits: number;
  /** hits / k; null for no customers. */
  precision: number | null;
  /** Churners / customers over everyone; null for no customers. */
  baseRate: number | null;
  /** precision / baseRate: how many times better than picking at random; null without churners. */
  lift: number | null;
}

/**
 * Precision among the top `fraction` of customers by score, and its lift over the base rate.
 * Customers tied with the k-th score are not cut arbitrarily (which would let the input order
 * decide): the remaining places are shared among the tied group, each counting in proportion,
 * which is the expected precision of a random tie-break.
 */
export function precisionAtK(items: readonly Outcome[], fraction = 0.1): PrecisionAtK {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError('fraction must be in (0, 1]');
  const n = items.length;
  if (n === 0) return { fraction, k: 0, hits: 0, precision: null, baseRate: null, lift: null };
  const k = Math.min(n, Math.ceil(fraction * n - 1e-9));
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const threshold = sorted[k - 1].score;
  let above = 0;
  let aboveHits = 0;
  let tied = 0;
  let tiedHits = 0;
  for (const item of sorted) {
    if (item.score > threshold) {
      above++;
      if (item.churned) aboveHits++;
    } else if (item.score === threshold) {
      tied++;
      if (item.churned) tiedHits++;
    }
  }
  const hits = aboveHits + ((k - above) * tiedHits) / tied;
  const churners = items.filter((i) => i.churned).length;
  const precision = hits / k;
  const baseRate = churners / n;
  return {
    fraction,
    k,
    hits,
    precision,
    baseRate,
    lift: churners > 0 ? precision / baseRate : null,
  };
}

export interface BandRow {
  band: Band;
  customers: number;
  churned: number;
  /** churned / customers; null for an empty band. */
  rate: number | null;
  /** Mean score in the band (what the model predicted, on the 0–100 scale); null when empty. */
  meanScore: number | null;
}

/** Customers and churn per band, every band listed (in BANDS order) even when empty. */
export function bandTable(items: readonly BandedOutcome[]): BandRow[] {
  return BANDS.map((band) => {
    const inBand = items.filter((i) => i.band === band);
    const churned = inBand.filter((i) => i.churned).length;
    const n = inBand.length;
    return {
      band,
      customers: n,
      churned,
      rate: n === 0 ? null : churned / n,
      meanScore: n === 0 ? null : inBand.reduce((s, i) => s + i.score, 0) / n,
    };
  });
}

export interface FactorContrast {
  name: FactorName;
  /** Mean contribution in points among customers who churned in the window (null: none did). */
  churners: number | null;
  /** Mean contribution in points among the others (null: everyone churned). */
  others: number | null;
  /** churners − others (null when either side is empty). */
  difference: number | null;
}

/**
 * Mean contribution of each model factor (in score points) among churners vs non-churners,
 * sorted by the gap, largest first: which reasons actually told the churners apart. A factor
 * missing from a customer's list counts as 0. Returns the first `top` factors.
 */
export function factorContrast(items: readonly ExplainedOutcome[], top = 5): FactorContrast[] {
  const mean = (rows: readonly ExplainedOutcome[], name: FactorName) =>
    rows.length === 0
      ? null
      : rows.reduce((s, r) => s + (r.factors.find((f) => f.name === name)?.contribution ?? 0), 0) /
        rows.length;
  const churners = items.filter((i) => i.churned);
  const others = items.filter((i) => !i.churned);
  return FACTOR_NAMES.map((name) => {
    const c = mean(churners, name);
    const o = mean(others, name);
    return { name, churners: c, others: o, difference: c === null || o === null ? null : c - o };
  })
    .sort(
      (a, b) =>
        (b.difference ?? -Infinity) - (a.difference ?? -Infinity) ||
        (b.churners ?? 0) - (a.churners ?? 0),
    )
    .slice(0, Math.max(0, top));
}

export interface BacktestReport {
  customers: number;
  churned: number;
  /** churned / customers; null for no customers. */
  baseRate: number | null;
  auc: number | null;
  precisionAt10: PrecisionAtK;
  bands: BandRow[];
  factors: FactorContrast[];
}

/** Every metric at once, for customers scored at a cut-off and their outcome. */
export function evaluate(
  items: readonly (BandedOutcome & ExplainedOutcome)[],
  topFactors = 5,
): BacktestReport {
  const churned = items.filter((i) => i.churned).length;
  return {
    customers: items.length,
    churned,
    baseRate: items.length === 0 ? null : churned / items.length,
    auc: rocAuc(items),
    precisionAt10: precisionAtK(items, 0.1),
    bands: bandTable(items),
    factors: factorContrast(items, topFactors),
  };
}

// ---------------------------------------------------------------------------------------------
// Inputs shared by the backtest and fit command lines

/** A wrong window or model on the command line; the message is printed as is. */
export class BacktestInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BacktestInputError';
  }
}

const DAY_MS = 86_400_000;

export interface BacktestWindow {
  cutoff: Date;
  horizonDays: number;
  /** cutoff + horizon: churn is counted in (cutoff, end]. */
  end: Date;
}

/**
 * Validates a cut-off (a date `2026-06-01`, read as midnight UTC, or an ISO timestamp with a
 * zone) and a horizon in whole days, and checks that the window has ended by `now`: a window
 * that reaches into the future would count customers as "not churned" whose outcome is unknown.
 */
export function parseWindow(
  cutoffText: string | undefined,
  horizonText: string | undefined,
  now: Date,
): BacktestWindow {
  if (cutoffText === undefined)
    throw new BacktestInputError('--cutoff is required (a date like 2026-06-01)');
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(cutoffText);
  const timestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(
    cutoffText,
  );
  const cutoff = dateOnly
    ? new Date(`${cutoffText}T00:00:00Z`)
    : timestamp
      ? new Date(cutoffText)
      : null;
  const valid = cutoff !== null && !Number.isNaN(cutoff.getTime());
  // 2026-02-30 parses as 2 March: a date must come back as itself.
  if (!valid || (dateOnly && cutoff.toISOString().slice(0, 10) !== cutoffText)) {
    throw new BacktestInputError(
      `--cutoff needs a date like 2026-06-01 or an ISO timestamp with a zone (got "${cutoffText}")`,
    );
  }
  const horizon = horizonText ?? '90';
  if (!/^\d+$/.test(horizon) || Number(horizon) < 1 || Number(horizon) > 3650) {
    throw new BacktestInputError(
      `--horizon needs a whole number of days from 1 to 3650 (got "${horizon}")`,
    );
  }
  const horizonDays = Number(horizon);
  const end = new Date(cutoff.getTime() + horizonDays * DAY_MS);
  if (end.getTime() > now.getTime()) {
    throw new BacktestInputError(
      `the window ends ${end.toISOString()}, after now (${now.toISOString()}): churn in it is not known yet; pick an earlier --cutoff or a shorter --horizon`,
    );
  }
  return { cutoff, horizonDays, end };
}

/**
 * A model as stored in risk_models → a RiskModel for scoreCustomer, read the way RiskService
 * reads the active one: a factor without a stored weight keeps its default weight. Every stored
 * weight must name a known factor and be a finite number (the service would silently score an
 * unknown name as nothing and a non-number as 0; a backtest says so instead).
 */
export function storedModel(row: {
  version: string;
  intercept: unknown;
  weights: unknown;
  bands?: unknown;
}): RiskModel {
  const intercept =
    typeof row.intercept === 'number' || typeof row.intercept === 'string'
      ? Number(row.intercept)
      : NaN;
  if (!Number.isFinite(intercept))
    throw new BacktestInputError(`model ${row.version} has no finite intercept`);
  if (typeof row.weights !== 'object' || row.weights === null || Array.isArray(row.weights)) {
    throw new BacktestInputError(`model ${row.version} has no weights object`);
  }
  const weights = { ...DEFAULT_MODEL.weights };
  for (const [name, value] of Object.entries(row.weights)) {
    if (!(FACTOR_NAMES as readonly string[]).includes(name)) {
      throw new BacktestInputError(
        `model ${row.version} has a weight for an unknown factor "${name}"`,
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new BacktestInputError(`model ${row.version} has a non-numeric weight for "${name}"`);
    }
    weights[name as FactorName] = value;
  }
  return { version: row.version, intercept, weights, bands: storedBands(row.version, row.bands) };
}

/** A stored model's own band thresholds (null: none stored), checked like RISK_BANDS. */
export function storedBands(version: string, bands: unknown): BandThresholds | null {
  if (bands === null || bands === undefined) return null;
  const b = bands as Record<string, unknown>;
  const values = [b.medium, b.high, b.critical];
  if (
    !values.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
    !((b.medium as number) < (b.high as number) && (b.high as number) < (b.critical as number)) ||
    (b.critical as number) > 100
  ) {
    throw new BacktestInputError(
      `model ${version} has band thresholds that are not three increasing numbers up to 100`,
    );
  }
  return { medium: b.medium as number, high: b.high as number, critical: b.critical as number };
}

/**
 * RISK_WEIGHTS (factor weights plus an optional `intercept`) applied on top of a model, as the
 * live scorer applies them to whatever model is active; the version gains `+config` when it
 * changes anything. An unknown factor name is a BacktestInputError.
 */
export function withConfigWeights(model: RiskModel, overrides: Record<string, number>): RiskModel {
  const { intercept, ...weights } = overrides;
  try {
    return withOverrides(model, weights, intercept);
  } catch (err) {
    throw new BacktestInputError((err as Error).message);
  }
}

// ---------------------------------------------------------------------------------------------
// Plain-text output

/** A fixed-width table: the first column left-aligned, the others right-aligned. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** 0.0331 → "3.3%"; null → "n/a". */
export const percent = (x: number | null, digits = 1) =>
  x === null ? 'n/a' : `${(x * 100).toFixed(digits)}%`;
/** A number with fixed decimals; null → "n/a". */
export const fixed = (x: number | null, digits = 3) => (x === null ? 'n/a' : x.toFixed(digits));

// ---------------------------------------------------------------------------------------------
// Calibration and uncertainty

/** A predicted probability of churn in the window (0–1) and what happened. */
export interface Prediction {
  probability: number;
  churned: boolean;
}

/** Mean squared error of the predicted probabilities (0 = perfect; null for no customers). */
export function brierScore(items: readonly Prediction[]): number | null {
  if (items.length === 0) return null;
  return items.reduce((s, i) => s + (i.probability - (i.churned ? 1 : 0)) ** 2, 0) / items.length;
}

export interface ReliabilityRow {
  /** 1 = the lowest tenth of predictions … 10 = the highest. */
  decile: number;
  customers: number;
  /** Mean predicted probability in the decile. */
  predicted: number;
  /** Share that churned. */
  observed: number;
}

/**
 * A reliability table: customers sorted by predicted probability, cut into `bins` groups of
 * (nearly) equal size, each with its mean prediction and its observed churn rate. A calibrated
 * model has predicted ≈ observed in every row.
 */
export function reliabilityTable(items: readonly Prediction[], bins = 10): ReliabilityRow[] {
  const sorted = [...items].sort((a, b) => a.probability - b.probability);
  const rows: ReliabilityRow[] = [];
  for (let b = 0; b < bins; b++) {
    const slice = sorted.slice(
      Math.floor((b * sorted.length) / bins),
      Math.floor(((b + 1) * sorted.length) / bins),
    );
    if (slice.length === 0) continue;
    rows.push({
      decile: b + 1,
      customers: slice.length,
      predicted: slice.reduce((s, i) => s + i.probability, 0) / slice.length,
      observed: slice.filter((i) => i.churned).length / slice.length,
    });
  }
  return rows;
}

/**
 * Hanley and McNeil's (1982) standard error of a ROC AUC from the number of churners and
 * non-churners, and the approximate 95 % interval auc ± 1.96·se (clamped to [0, 1]).
 */
export function aucInterval(
  auc: number,
  positives: number,
  negatives: number,
): { se: number; low: number; high: number } {
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance =
    (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) /
    Math.max(1, positives * negatives);
  const se = Math.sqrt(Math.max(0, variance));
  return { se, low: Math.max(0, auc - 1.96 * se), high: Math.min(1, auc + 1.96 * se) };
}

/**
 * Paired bootstrap of the AUC difference between two scorings of the same customers (a − b):
 * resamples customers with replacement `rounds` times (a fixed seed, so the same data give the
 * same answer) and returns the observed difference and its 2.5–97.5 % percentile interval.
 * "a beats b beyond the noise" = the interval lies above 0.
 */
export function aucDifference(
  a: readonly Outcome[],
  b: readonly Outcome[],
  rounds = 200,
  seed = 20_251_130,
): { difference: number; low: number; high: number } | null {
  if (a.length !== b.length) throw new RangeError('both scorings must cover the same customers');
  const observedA = rocAuc(a);
  const observedB = rocAuc(b);
  if (observedA === null || observedB === null) return null;
  let state = seed >>> 0;
  const random = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const n = a.length;
  const differences: number[] = [];
  const sampleA: Outcome[] = new Array(n);
  const sampleB: Outcome[] = new Array(n);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < n; i++) {
      const k = Math.floor(random() * n);
      sampleA[i] = a[k];
      sampleB[i] = b[k];
    }
    const x = rocAuc(sampleA);
    const y = rocAuc(sampleB);
    if (x !== null && y !== null) differences.push(x - y);
  }
  differences.sort((p, q) => p - q);
  const at = (q: number) =>
    differences[Math.min(differences.length - 1, Math.floor(q * differences.length))];
  return { difference: observedA - observedB, low: at(0.025), high: at(0.975) };
}
