/** Lifetime value definitions (docs/kpis.md "Lifetime value"): pure parts, unit-tested. */

// Value segments, highest first: quartiles of the active customers by lifetime value to date.
import { VALUE_SEGMENTS as SEGMENTS } from '@staydesk/core';
import type { ValueSegment as Segment } from '@staydesk/core';

export { SEGMENTS };
export type { Segment };

/** Segment schemes: quartiles of the active customers (default) or admin-set bands. */
export const SCHEMES = ['quartiles', 'bands'] as const;
export type Scheme = (typeof SCHEMES)[number];
/** What a customer was placed in its segment by. */
export const SEGMENT_BASES = ['to_date', 'run_rate'] as const;
export type SegmentBasis = (typeof SEGMENT_BASES)[number];

/**
 * Short history: an active customer with fewer active months than this is placed by
 * max(lifetime value to date, current MRR × this many months), its run-rate value.
 */
export const SHORT_HISTORY_MONTHS = 6;

/** The value a customer is placed in a segment by, and which (docs/kpis.md "Value segments"). */
export function segmentValueOf(c: {
  toDate: number | null;
  monthsAsCustomer: number;
  mrr: number | null;
  active: boolean;
}): { value: number | null; basis: SegmentBasis | null } {
  if (c.toDate === null) return { value: null, basis: null };
  if (c.active && c.mrr !== null && c.monthsAsCustomer < SHORT_HISTORY_MONTHS) {
    const runRate = Math.round(c.mrr * SHORT_HISTORY_MONTHS * 100) / 100;
    if (runRate > c.toDate) return { value: runRate, basis: 'run_rate' };
  }
  return { value: c.toDate, basis: 'to_date' };
}

export interface Band {
  segment: Segment;
  minValue: number;
}

/**
 * Checks admin-set bands, given lowest first: 2–4 bands (segment names, unique), lower bounds
 * non-negative and strictly ascending, names in the order low < mid < high < top (a higher
 * bound is a more valuable segment; gaps are fine, e.g. low, high, top). Returns the bands, or
 * the first problem with its field.
 */
export function checkBands(
  bands: readonly { segment: string; minValue: number }[],
): { bands: Band[] } | { field: string; message: string } {
  if (bands.length < 2 || bands.length > SEGMENTS.length)
    return { field: 'bands', message: `give from 2 to ${SEGMENTS.length} bands` };
  const seen = new Set<string>();
  for (const [i, b] of bands.entries()) {
    if (!(SEGMENTS as readonly string[]).includes(b.segment))
      return { field: `bands[${i}].segment`, message: `must be one of ${SEGMENTS.join(', ')}` };
    if (seen.has(b.segment))
      return { field: `bands[${i}].segment`, message: `${b.segment} is given twice` };
    seen.add(b.segment);
    if (!Number.isFinite(b.minValue) || b.minValue < 0)
      return { field: `bands[${i}].minValue`, message: 'must be a sum of money of 0 or more' };
    if (Math.round(b.minValue * 100) / 100 !== b.minValue)
      return { field: `bands[${i}].minValue`, message: 'must have at most 2 decimals' };
    if (b.minValue >= 1e14) return { field: `bands[${i}].minValue`, message: 'is too large' };
  }
  const rank = (s: string) => SEGMENTS.length - SEGMENTS.indexOf(s as Segment); // low = 1
  for (let i = 1; i < bands.length; i++) {
    if (bands[i].minValue <= bands[i - 1].minValue)
      return {
        field: `bands[${i}].minValue`,
        message: `must be above the bound before it (${bands[i - 1].minValue}): give the bands lowest first`,
      };
    if (rank(bands[i].segment) < rank(bands[i - 1].segment))
      return {
        field: `bands[${i}].segment`,
        message: `${bands[i].segment} cannot be above ${bands[i - 1].segment}: names go low < mid < high < top`,
      };
  }
  const sorted = bands;
  return { bands: sorted.map((b) => ({ segment: b.segment as Segment, minValue: b.minValue })) };
}

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
