import {
  Keyset,
  RISK_BANDS as BANDS,
  TIERS,
  VALUE_SEGMENTS,
  badInput,
  forbidden,
} from '@staydesk/core';
import { assertMayChangeCustomer } from '@staydesk/customers';
import type { Actor } from '@staydesk/identity';

export const RISK_ORDERS = [
  'score',
  'revenue_at_risk',
  'score_change',
  'expected_value_at_risk',
  'going_quiet',
] as const;
export type RiskOrder = (typeof RISK_ORDERS)[number];
export const SNOOZE_FILTERS = ['exclude', 'include', 'only'] as const;
export type SnoozeFilter = (typeof SNOOZE_FILTERS)[number];
const ID = /^[1-9]\d{0,17}$/;
export const DEFAULT_CHANGE_DAYS = 30;

export interface RiskListFilterInput {
  mine?: boolean | null;
  accountManagerId?: string | null;
  bands?: string[] | null;
  tiers?: string[] | null;
  mrrMin?: number | null;
  mrrMax?: number | null;
  renewalWithinDays?: number | null;
  risingDays?: number | null;
  hasOpenFollowUp?: boolean | null;
  snoozed?: SnoozeFilter | null;
  valueSegments?: string[] | null;
}

/** The list filter checked, as the repository uses it. */
export interface RiskListQuery {
  accountManagerId: string | null;
  bands: string[] | null;
  tiers: string[] | null;
  /** Value segments (customer_values, nightly). */
  valueSegments?: string[] | null;
  mrrMin: number | null;
  mrrMax: number | null;
  renewalWithinDays: number | null;
  rising: boolean;
  hasOpenFollowUp: boolean | null;
  snoozed: SnoozeFilter;
  /** Window of the score change (shown, sorted on, and used by `risingDays`). */
  changeDays: number;
  order: RiskOrder;
}

function wholeDays(v: number | null | undefined, field: string, max: number): number | null {
  if (v == null) return null;
  if (!Number.isInteger(v) || v < 1 || v > max)
    throw badInput(field, `must be a whole number of days from 1 to ${max}`);
  return v;
}

function subset(v: string[] | null | undefined, field: string, allowed: readonly string[]) {
  if (v == null) return null;
  if (v.length === 0) throw badInput(field, 'must not be empty (leave it out for all)');
  for (const x of v)
    if (!allowed.includes(x)) throw badInput(field, `"${x}" is not one of ${allowed.join(', ')}`);
  return [...new Set(v)];
}

export function validateRiskFilter(
  actor: Actor,
  f: RiskListFilterInput,
  order: string | null | undefined,
  changeDays: number | null | undefined,
): RiskListQuery {
  const o = (order ?? 'score') as RiskOrder;
  if (!RISK_ORDERS.includes(o))
    throw badInput('orderBy', `must be one of ${RISK_ORDERS.join(', ')}`);
  let am: string | null = null;
  if (f.accountManagerId != null) {
    if (!ID.test(f.accountManagerId)) throw badInput('filter.accountManagerId', 'is not an id');
    am = f.accountManagerId;
  }
  if (f.mine) {
    if (am && am !== actor.id)
      throw badInput(
        'filter.accountManagerId',
        'contradicts mine: true (mine means your customers)',
      );
    am = actor.id;
  }
  for (const k of ['mrrMin', 'mrrMax'] as const) {
    const v = f[k];
    if (v != null && (!Number.isFinite(v) || v < 0))
      throw badInput(`filter.${k}`, 'must be a number ≥ 0');
  }
  if (f.mrrMin != null && f.mrrMax != null && f.mrrMin > f.mrrMax)
    throw badInput('filter.mrrMax', `must not be below filter.mrrMin (${f.mrrMin})`);
  const snoozed = (f.snoozed ?? 'exclude') as SnoozeFilter;
  if (!SNOOZE_FILTERS.includes(snoozed))
    throw badInput('filter.snoozed', `must be one of ${SNOOZE_FILTERS.join(', ')}`);
  const rising = wholeDays(f.risingDays, 'filter.risingDays', 365);
  const window = wholeDays(changeDays, 'changeDays', 365);
  if (rising && window && rising !== window)
    throw badInput('changeDays', `contradicts filter.risingDays (${rising}); give one of them`);
  return {
    accountManagerId: am,
    bands: subset(f.bands, 'filter.bands', BANDS),
    tiers: subset(f.tiers, 'filter.tiers', TIERS),
    valueSegments: subset(f.valueSegments, 'filter.valueSegments', VALUE_SEGMENTS),
    mrrMin: f.mrrMin ?? null,
    mrrMax: f.mrrMax ?? null,
    renewalWithinDays: wholeDays(f.renewalWithinDays, 'filter.renewalWithinDays', 3650),
    rising: rising !== null,
    hasOpenFollowUp: f.hasOpenFollowUp ?? null,
    snoozed,
    changeDays: rising ?? window ?? DEFAULT_CHANGE_DAYS,
    order: o,
  };
}

/** Cursors are bound to the ordering and its change window (a score change over 7 days ≠ over 30). */
export const cursorOrdering = (q: RiskListQuery) => `risk_${q.order}_${q.changeDays}`;

const riskKeyset = (q: RiskListQuery) =>
  new Keyset<[number, string]>(cursorOrdering(q), [
    { kind: 'number', cast: 'float8' },
    { kind: 'id' },
  ]);

export function encodeRiskCursor(q: RiskListQuery, sortKey: number, id: string): string {
  return riskKeyset(q).encode([sortKey, id]);
}

export function decodeRiskCursor(q: RiskListQuery, after: string): { key: number; id: string } {
  const [key, id] = riskKeyset(q).decode(after)!;
  return { key, id };
}

/** NPS category of a 0–10 answer. */
export function npsCategory(score: number | null): 'promoter' | 'passive' | 'detractor' | null {
  if (score === null) return null;
  if (score >= 9) return 'promoter';
  if (score >= 7) return 'passive';
  return 'detractor';
}

/** Account managers act on their own (or unassigned) customers; admins on all. */
export function assertMayAct(
  actor: Actor,
  accountManagerId: string | null,
  customerId: string,
  customerName?: string | null,
) {
  if (actor.role !== 'admin' && actor.role !== 'account_manager')
    throw forbidden(`a ${actor.role} may not work the retention list`);
  assertMayChangeCustomer(actor, { id: customerId, accountManagerId, name: customerName });
}

/**
 * Revenue retention of a period (docs/kpis.md): revenue churn % = MRR at start of the customers
 * lost ÷ MRR at start × 100; net revenue retention % = MRR at end of the customers active at the
 * start (0 for those lost; expansion and contraction included, new customers not) ÷ MRR at start
 * × 100. Null without MRR at the start.
 */
export function revenueRates(f: {
  revenueAtStart: number;
  revenueChurned: number;
  revenueRetained: number;
}) {
  const pct = (x: number) =>
    f.revenueAtStart > 0 ? Math.round((x / f.revenueAtStart) * 10000) / 100 : null;
  return {
    revenueChurnRatePercent: pct(f.revenueChurned),
    netRevenueRetentionPercent: pct(f.revenueRetained),
  };
}

/** Retention figures of a period from the DESIGN §4 definitions (rates null when nobody was there at the start). */
export function retentionRates(f: {
  customersAtStart: number;
  customersAtEnd: number;
  acquired: number;
  churned: number;
}) {
  const pct = (x: number) =>
    f.customersAtStart > 0 ? Math.round((x / f.customersAtStart) * 10000) / 100 : null;
  return {
    retentionRatePercent: pct(f.customersAtEnd - f.acquired),
    churnRatePercent: pct(f.churned),
  };
}
