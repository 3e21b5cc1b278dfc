import { RISK_BANDS as BANDS } from '@staydesk/core';
import { npsCategory } from './retention-rules';
import type { RiskListRow } from './retention.repository';
import type { RetentionFigures } from './retention.service';

/** The three factors that add most to a score, in words (factors that lower it are left out). */
export function topFactors(factors: RiskListRow['factors']): string[] {
  return [...(factors ?? [])]
    .filter((f) => f.contribution > 0)
    .sort((a, b) => b.contribution - a.contribution)
    .slice(0, 3)
    .map((f) => f.label);
}

export function riskRowView(r: RiskListRow) {
  return { ...r, topFactors: topFactors(r.factors), npsCategory: npsCategory(r.lastNps) };
}

export function figuresView(f: RetentionFigures) {
  return {
    ...f,
    customersByBand: BANDS.map((band) => ({
      band,
      customers: f.bands[band] ?? 0,
      mrr: f.bandRevenue?.[band] ?? 0,
    })),
    revenue: { ...f.revenue, segment: null },
  };
}

export const RISK_CSV_HEADER = [
  'customer_id',
  'score',
  'band',
  'mrr',
  'risk_weighted_mrr',
  'score_change',
  'top_factors',
  'open_tickets',
  'last_csat',
  'nps_category',
  'renewal_date',
  'days_to_renewal',
  'account_manager_id',
  'open_follow_ups',
  'snoozed_until',
  'customer_name',
  'account_manager_name',
  'value_segment',
  'lifetime_value',
  'expected_lifetime_value',
  'expected_value_at_risk',
  'value_basis',
];

export function riskCsvValues(r: RiskListRow): (string | number | null)[] {
  const v = riskRowView(r);
  const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
  return [
    v.customerId,
    round(v.score),
    v.band,
    v.mrr,
    round(v.riskWeightedMrr),
    round(v.scoreChange),
    v.topFactors.join('; '),
    v.openTickets,
    v.lastCsat,
    v.npsCategory,
    v.renewalDate,
    v.daysToRenewal,
    v.accountManagerId,
    v.openFollowUps,
    v.snoozedUntil ? v.snoozedUntil.toISOString() : null,
    v.customerName ?? null,
    v.accountManagerName ?? null,
    v.valueSegment,
    v.lifetimeValue,
    v.expectedLifetimeValue,
    v.expectedValueAtRisk,
    v.valueBasis,
  ];
}
