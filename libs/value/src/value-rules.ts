/** Lifetime value definitions (docs/kpis.md "Lifetime value"): pure parts, unit-tested. */

/** Value segments, highest first: quartiles of the active customers by lifetime value to date. */
export const SEGMENTS = ['top', 'high', 'mid', 'low'] as const;
export type Segment = (typeof SEGMENTS)[number];

/** What an expected lifetime value was computed from. */
export const BASES = ['fitted_model', 'segment_churn_rate', 'churned', 'unknown'] as const;
export type Basis = (typeof BASES)[number];

/** A month is 365.25 ÷ 12 = 30.4375 days. */
export const MONTH_SECONDS = 30.4375 * 86_400;
/** Expected remaining months are capped (a churn rate near 0 would promise forever). */
export const MAX_EXPECTED_MONTHS = 60;
/** Window of the observed churn rate of a segment. */
export const CHURN_WINDOW_DAYS = 365;

/** The version of a fitted model names its horizon: `fitted-<cutoff>-h<days>`. */
export function fittedHorizonDays(modelVersion: string | null | undefined): number | null {
  const m = /^fitted-.*-h(\d+)$/.exec(modelVersion ?? '');
  if (!m) return null;
  const h = Number(m[1]);
  return h > 0 ? h : null;
}

/** Monthly churn probability from a probability over `horizonDays`: 1 − (1 − p)^(month ÷ horizon). */
export function monthlyFromHorizon(p: number, horizonDays: number): number {
  const q = Math.min(Math.max(p, 0), 1);
  return 1 - Math.pow(1 - q, 30.4375 / horizonDays);
}

/** Expected remaining months from a monthly churn rate: 1 ÷ rate, capped at 60 (rate 0 → 60). */
export function expectedMonths(monthlyRate: number): number {
  if (!(monthlyRate > 0)) return MAX_EXPECTED_MONTHS;
  return Math.min(MAX_EXPECTED_MONTHS, 1 / monthlyRate);
}

/**
 * The segment of a lifetime value given each segment's lower bound: the highest segment it
 * reaches; below every bound (a churned customer worth less than any active one) → the lowest.
 */
export function segmentOf(
  toDate: number | null,
  bounds: Partial<Record<Segment, number>>,
): Segment | null {
  if (toDate === null) return null;
  for (const s of SEGMENTS) {
    const b = bounds[s];
    if (b !== undefined && toDate >= b) return s;
  }
  return [...SEGMENTS].reverse().find((s) => bounds[s] !== undefined) ?? null;
}

/** Revenue-weighted mean: Σ value × weight ÷ Σ weight (null without weight). */
export function weightedMean(items: { value: number; weight: number }[]): number | null {
  let num = 0;
  let den = 0;
  for (const i of items) {
    num += i.value * i.weight;
    den += i.weight;
  }
  return den > 0 ? num / den : null;
}

export const round2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
