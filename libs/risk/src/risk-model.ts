// Over 400 lines: the model in one file (factors, transforms, default weights, scoring), read together with docs/risk-model.md.
import { RISK_BANDS as BANDS } from '@staydesk/core';
import type { RiskBand as Band } from '@staydesk/core';
import type { RawFeatures } from './risk.repository';

export { BANDS };
export type { Band };

/** One factor of a score as stored and shown: raw value, model input, contribution in points. */
export interface FactorValue {
  /** A model factor, or `no_ticket_history` (a note, contribution 0). */
  name: FactorName | 'no_ticket_history';
  /** The raw fact in its own unit (tickets, days, share 0–1, mean score…); null when unknown. */
  value: number | null;
  /** The transformed input the weight multiplies. */
  input: number;
  /** Points of the score this factor accounts for (they add up to score − baseline). */
  contribution: number;
  /** The factor in words, for account managers. */
  label: string;
}

export const FACTOR_NAMES = [
  'volume_spike',
  'open_backlog',
  'urgent_open',
  'reopen_rate',
  'sla_breaches',
  'slow_resolution',
  'low_csat',
  'bad_csat_count',
  'nps_detractor',
  'high_effort',
  'negative_sentiment',
  'dormancy',
  'renewal_soon',
  'short_tenure',
  'breach_rate',
  'contact_drop',
  'sentiment_trend',
  'low_plan',
  'slow_vs_peers',
  'breach_rate_year',
  'reopen_rate_year',
  'negative_sentiment_year',
  'long_tenure',
  'onboarding',
] as const;
export type FactorName = (typeof FACTOR_NAMES)[number];

export interface RiskModel {
  version: string;
  intercept: number;
  weights: Record<FactorName, number>;
  /**
   * The model's own band thresholds on its score scale (a fitted model: the score quantiles of
   * the customers it was fitted on, see {@link quantileBands}); absent = the configured bands
   * (RISK_BANDS, points of the default model).
   */
  bands?: BandThresholds | null;
}

/**
 * The first default weights, `default-v1` (kept for the record and for comparisons): hand-set
 * from helpdesk churn folklore, counting breaches and reading only the last 90 days.
 */
export const DEFAULT_MODEL_V1: RiskModel = {
  version: 'default-v1',
  intercept: -2.6,
  weights: {
    volume_spike: 0.45,
    open_backlog: 0.35,
    urgent_open: 0.35,
    reopen_rate: 1.2,
    sla_breaches: 0.9,
    slow_resolution: 0.35,
    low_csat: 1.1,
    bad_csat_count: 0.6,
    nps_detractor: 0.9,
    high_effort: 0.5,
    negative_sentiment: 2.0,
    dormancy: 0.5,
    renewal_soon: 0.4,
    short_tenure: 0.3,
    breach_rate: 0,
    contact_drop: 0,
    sentiment_trend: 0,
    low_plan: 0,
    slow_vs_peers: 0,
    breach_rate_year: 0,
    reopen_rate_year: 0,
    negative_sentiment_year: 0,
    long_tenure: 0,
    onboarding: 0,
  },
};

/**
 * Default weights, version `default-v3` (docs/risk-model.md, "Default weights"): the hand-set
 * weights of `default-v2`, read on v3's inputs (the year's rates as shrunk excess over the
 * typical share, see {@link TYPICAL_SHARES}; `default-v2` read them as raw shares damped below 3
 * cases, so its scores are not replayed exactly and the version changed); `onboarding` 0. Not
 * fitted. Each input is scaled so that 1.0 means "clearly bad" and 0 "nothing to worry about";
 * the weight says how many logits that moves. Against v1: experience is read as **rates over the
 * customer's year** (share of tickets that breached or were reopened, share of messages that
 * were negative, over the last 365 days) rather than counts over a quarter, which mostly track
 * volume; the quarter's signals stay with smaller weights (what changed lately); the plan counts
 * (cheap plans leave more easily) and so does loyalty (a customer of several years leaves less
 * easily than a new one). Survey factors keep their v1 weights.
 */
export const DEFAULT_MODEL: RiskModel = {
  version: 'default-v3',
  intercept: -3.2,
  weights: {
    volume_spike: 0.25,
    open_backlog: 0.1,
    urgent_open: 0.2,
    reopen_rate: 0.4,
    sla_breaches: 0.15,
    slow_resolution: 0.15,
    low_csat: 1.1,
    bad_csat_count: 0.6,
    nps_detractor: 0.9,
    high_effort: 0.5,
    negative_sentiment: 0.8,
    dormancy: 0.4,
    renewal_soon: 0.4,
    short_tenure: 0.3,
    breach_rate: 0.3,
    contact_drop: 0,
    sentiment_trend: 0.3,
    low_plan: 0.6,
    slow_vs_peers: 0.2,
    breach_rate_year: 1.2,
    reopen_rate_year: 1.2,
    negative_sentiment_year: 1.6,
    long_tenure: -0.3,
    onboarding: 0,
  },
};

export interface BandThresholds {
  medium: number;
  high: number;
  critical: number;
}

export const DEFAULT_BANDS: BandThresholds = { medium: 25, high: 50, critical: 75 };

/**
 * The share of customers above each band threshold when bands follow a score distribution:
 * medium and up = the riskiest 30 %, high and up = 10 %, critical = 3 %.
 */
export const BAND_SHARES = { medium: 0.3, high: 0.1, critical: 0.03 } as const;

/** Customers a full rescore needs before the default model's bands follow the distribution. */
export const DISTRIBUTION_BANDS_MIN_CUSTOMERS = 200;

/**
 * The band thresholds in force: a fitted model's own; else, unless RISK_BANDS pins fixed points,
 * the tenant's score distribution (`distribution`, from the last full rescore of 200+
 * customers); else the configured points.
 */
export function bandsInForce(
  model: RiskModel,
  configured: BandThresholds,
  fixed: boolean,
  distribution: BandThresholds | null,
): BandThresholds {
  return model.bands ?? (!fixed && distribution ? distribution : configured);
}

/**
 * Band thresholds from a score distribution: the scores above which the riskiest 30 %, 10 % and
 * 3 % of `scores` lie ({@link BAND_SHARES}). A fitted model stores the thresholds of the
 * customers it was fitted on, so its bands keep their meaning ("critical: among the riskiest 3 %
 * when fitted, a churn probability of at least X") when its probabilities are all a few percent.
 * Thresholds are strictly increasing (0.01 apart at least, the score's resolution) and at most
 * 100; null without scores.
 */
export function quantileBands(
  scores: readonly number[],
  shares: { medium: number; high: number; critical: number } = BAND_SHARES,
): BandThresholds | null {
  const sorted = scores.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const at = (share: number) => {
    // the score at position ⌊(1 − share)·n⌋: `share` of the customers score at or above it
    const i = Math.min(sorted.length - 1, Math.floor((1 - share) * sorted.length));
    return round(sorted[i]);
  };
  const medium = Math.min(99.98, Math.max(0.01, at(shares.medium)));
  const high = Math.min(99.99, Math.max(medium + 0.01, at(shares.high)));
  const critical = Math.min(100, Math.max(high + 0.01, at(shares.critical)));
  return { medium: round(medium), high: round(high), critical: round(critical) };
}

/**
 * The typical shares the year's rates are read against (`breach_rate_year`, `reopen_rate_year`,
 * `negative_sentiment_year`): about the mean over all customers' years in the full-size simulated
 * world (0.30, 0.078 and 0.25 at 2026-02-24). A customer with few tickets is pulled toward them.
 */
export const TYPICAL_SHARES = { breach: 0.3, reopen: 0.08, negative: 0.25 } as const;

/** New customers are in onboarding for their first 60 days (`onboarding`). */
export const ONBOARDING_DAYS = 60;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
/** Any non-finite number becomes the fallback: NaN and ±Infinity never reach the database. */
const finite = (x: number | null | undefined, fallback = 0) =>
  x !== null && x !== undefined && Number.isFinite(x) ? x : fallback;
const round = (x: number, digits = 2) => Math.round(finite(x) * 10 ** digits) / 10 ** digits;

interface Transformed {
  name: FactorName;
  value: number | null;
  input: number;
  label: (value: number | null) => string;
}

const OPTIONAL: (keyof RawFeatures)[] = [
  'daysToRenewal',
  'medianResolutionHours',
  'globalMedianResolutionHours',
  'csatMean',
  'cesMean',
  'npsLatest',
  'daysSinceContact',
  'peerResolutionRatio',
];

const OPTIONAL_KEYS: ReadonlySet<string> = new Set(OPTIONAL);

/** Non-finite facts become null (optional ones) or 0 (counts), before anything else sees them. */
export function sanitize(raw: RawFeatures): RawFeatures {
  const out = { ...raw } as unknown as Record<string, unknown>;
  // keys and a set, not entries and an array scan: the full rescore sanitizes 75k rows of 35 facts
  for (const key of Object.keys(out)) {
    if (key === 'customerId' || key === 'tier') continue;
    const v = out[key];
    const n = typeof v === 'string' ? Number(v) : v;
    const ok = typeof n === 'number' && Number.isFinite(n);
    out[key] = ok ? n : OPTIONAL_KEYS.has(key) ? null : 0;
  }
  return out as unknown as RawFeatures;
}

/** Raw facts → model inputs (each bounded, each NaN-safe) with their explanations. */
export function transform(raw: RawFeatures): Transformed[] {
  const f = sanitize(raw);
  const baselinePer30 = finite(f.base90) / 3;
  const volumeRatio = (finite(f.vol30) + 1) / (baselinePer30 + 1);
  const reopenRate = f.solved90 > 0 ? finite(f.reopened90) / f.solved90 : 0;
  const resolutionRatio =
    f.medianResolutionHours !== null &&
    f.globalMedianResolutionHours &&
    f.globalMedianResolutionHours > 0
      ? finite(f.medianResolutionHours) / f.globalMedianResolutionHours
      : null;
  const negativeShare =
    f.customerMessages > 0 ? finite(f.negativeMessages) / f.customerMessages : null;
  const breachRate = f.tickets90 > 0 ? finite(f.breaches90) / f.tickets90 : null;
  const olderMessages = finite(f.customerMessages) - finite(f.customerMessages30);
  const sentimentTrend =
    f.customerMessages30 > 0 && olderMessages > 0
      ? finite(f.negativeMessages30) / f.customerMessages30 -
        (finite(f.negativeMessages) - finite(f.negativeMessages30)) / olderMessages
      : null;
  const ticketsYear = finite(f.ticketsYear);
  const messagesYear = finite(f.customerMessagesYear);
  /**
   * A share over the year as evidence against the typical share: the share shrunk toward
   * `typical` by one pseudo-case ((n + typical) / (of + 1), the posterior mean under a prior worth
   * one ticket or message), minus `typical`. 0 = typical, or no cases to judge by; one bad ticket
   * of one moves it about two thirds of the way, ten of ten nearly all of it; negative = better
   * than typical.
   */
  const yearShare = (n: number, of: number, typical: number) =>
    of > 0 ? clamp((clamp(finite(n), 0, of) + typical) / (of + 1) - typical, -1, 1) : 0;
  const dormancy =
    f.daysSinceContact === null ? Math.min(finite(f.tenureDays), 180) : finite(f.daysSinceContact);
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const count = (n: number | null, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  return [
    {
      name: 'volume_spike',
      value: round(volumeRatio),
      input: clamp(Math.log2(volumeRatio), -1, 3),
      label: () =>
        `${count(f.vol30, 'ticket')} in 30 days vs ${round(baselinePer30, 1)} per 30 days before`,
    },
    {
      name: 'open_backlog',
      value: f.openTickets,
      input: clamp(Math.log1p(finite(f.openTickets)) / Math.log(6), 0, 2),
      label: (v) => count(v, 'open ticket'),
    },
    {
      name: 'urgent_open',
      value: f.urgentOpen,
      input: clamp(finite(f.urgentOpen), 0, 3),
      label: (v) => `${count(v, 'urgent ticket')} open`,
    },
    {
      name: 'reopen_rate',
      value: f.solved90 > 0 ? round(reopenRate, 3) : null,
      input: clamp(reopenRate, 0, 1) * Math.min(1, finite(f.solved90) / 3),
      label: (v) =>
        v === null
          ? 'no solved tickets in 90 days'
          : `${pct(v)} of solved tickets reopened (90 days)`,
    },
    {
      name: 'sla_breaches',
      value: f.breaches90,
      input: clamp(Math.log1p(finite(f.breaches90)) / Math.log(4), 0, 2),
      label: (v) => `${count(v, 'SLA breach', 'SLA breaches')} in 90 days`,
    },
    {
      name: 'slow_resolution',
      value: resolutionRatio === null ? null : round(resolutionRatio),
      input: resolutionRatio === null ? 0 : clamp(Math.log2(resolutionRatio), -1, 2),
      label: (v) =>
        v === null
          ? 'no resolutions to compare in 90 days'
          : `resolution takes ${round(v, 1)}× the overall median`,
    },
    {
      name: 'low_csat',
      value: f.csatMean === null ? null : round(f.csatMean),
      input:
        f.csatMean === null || f.csatCount === 0
          ? 0
          : clamp((4 - finite(f.csatMean, 4)) / 2, -0.5, 1.5),
      label: (v) =>
        v === null
          ? 'no CSAT answers in 90 days'
          : `CSAT ${round(v, 1)}/5 over ${f.csatCount} answers (90 days)`,
    },
    {
      name: 'bad_csat_count',
      value: f.csatBad,
      input: clamp(finite(f.csatBad), 0, 3),
      label: (v) => `${count(v, 'CSAT rating')} of 1–2 in 90 days`,
    },
    {
      name: 'nps_detractor',
      value: f.npsLatest,
      input: f.npsLatest === null ? 0 : f.npsLatest <= 6 ? 1 : f.npsLatest <= 8 ? 0.2 : -0.5,
      label: (v) =>
        v === null
          ? 'no NPS answer yet'
          : `latest NPS ${v} (${v <= 6 ? 'detractor' : v <= 8 ? 'passive' : 'promoter'})`,
    },
    {
      name: 'high_effort',
      value: f.cesMean === null ? null : round(f.cesMean),
      input:
        f.cesMean === null || f.cesCount === 0
          ? 0
          : clamp((5 - finite(f.cesMean, 5)) / 3, -0.5, 1.5),
      label: (v) =>
        v === null ? 'no effort (CES) answers' : `effort score ${round(v, 1)}/7 (7 = easy)`,
    },
    {
      name: 'negative_sentiment',
      value: negativeShare === null ? null : round(negativeShare, 3),
      input:
        negativeShare === null
          ? 0
          : clamp(negativeShare, 0, 1) * Math.min(1, finite(f.customerMessages) / 3),
      label: (v) =>
        v === null
          ? 'no customer messages in 90 days'
          : `${pct(v)} of ${f.customerMessages} customer messages negative`,
    },
    {
      name: 'dormancy',
      value: round(dormancy, 0),
      input: clamp((dormancy - 30) / 90, 0, 1.5),
      label: (v) =>
        f.daysSinceContact === null
          ? 'no contact with support in 120 days'
          : `${v} days since last contact`,
    },
    {
      name: 'renewal_soon',
      value: f.daysToRenewal,
      input:
        f.daysToRenewal === null || f.daysToRenewal < 0 || f.daysToRenewal > 90
          ? 0
          : (90 - f.daysToRenewal) / 90,
      label: (v) =>
        v === null
          ? 'no renewal date'
          : v === 0
            ? 'renewal today'
            : `renewal in ${count(v, 'day')}`,
    },
    {
      name: 'short_tenure',
      value: round(finite(f.tenureDays), 0),
      input: clamp((365 - finite(f.tenureDays)) / 365, 0, 1),
      label: (v) => (v === 0 ? 'new customer (since today)' : `customer for ${count(v, 'day')}`),
    },
    {
      name: 'breach_rate',
      value: breachRate === null ? null : round(breachRate, 3),
      input:
        breachRate === null ? 0 : clamp(breachRate, 0, 1) * Math.min(1, finite(f.tickets90) / 3),
      label: (v) =>
        v === null
          ? 'no tickets in 90 days'
          : `${pct(v)} of ${f.tickets90} tickets breached an SLA (90 days)`,
    },
    {
      name: 'contact_drop',
      value: round(volumeRatio),
      input: clamp(-Math.log2(volumeRatio), 0, 3),
      label: () =>
        `going quiet: ${f.vol30} tickets in 30 days vs ${round(baselinePer30, 1)} per 30 days before`,
    },
    {
      name: 'sentiment_trend',
      value: sentimentTrend === null ? null : round(sentimentTrend, 3),
      input:
        sentimentTrend === null
          ? 0
          : clamp(sentimentTrend, -1, 1) * Math.min(1, finite(f.customerMessages30) / 3),
      label: (v) =>
        v === null
          ? 'no sentiment trend (too few messages)'
          : `negative messages ${v >= 0 ? 'up' : 'down'} ${Math.abs(Math.round(v * 100))} points this month vs the two before`,
    },
    {
      name: 'low_plan',
      value: f.tier ? (f.tier === 'free' ? 1 : f.tier === 'starter' ? 0.33 : 0) : null,
      input: f.tier === 'free' ? 1 : f.tier === 'starter' ? 0.33 : 0,
      label: () => (f.tier ? `${f.tier} plan` : 'plan unknown'),
    },
    {
      name: 'slow_vs_peers',
      value: f.peerResolutionRatio == null ? null : round(f.peerResolutionRatio),
      input:
        f.peerResolutionRatio == null || !(f.peerResolutionRatio > 0)
          ? 0
          : clamp(Math.log2(f.peerResolutionRatio), -1, 2),
      label: (v) =>
        v === null
          ? 'no resolutions to compare in 90 days'
          : `resolution takes ${round(v, 1)}× the median of the same team and priority`,
    },
    {
      name: 'breach_rate_year',
      value: ticketsYear > 0 ? round(finite(f.breachesYear) / ticketsYear, 3) : null,
      input: yearShare(finite(f.breachesYear), ticketsYear, TYPICAL_SHARES.breach),
      label: (v) =>
        v === null
          ? 'no tickets in the last year'
          : `${pct(v)} of ${ticketsYear} tickets breached an SLA (last 365 days)`,
    },
    {
      name: 'reopen_rate_year',
      value: ticketsYear > 0 ? round(finite(f.reopenedYear) / ticketsYear, 3) : null,
      input: yearShare(finite(f.reopenedYear), ticketsYear, TYPICAL_SHARES.reopen),
      label: (v) =>
        v === null
          ? 'no tickets in the last year'
          : `${pct(v)} of ${ticketsYear} tickets reopened (last 365 days)`,
    },
    {
      name: 'negative_sentiment_year',
      value: messagesYear > 0 ? round(finite(f.negativeMessagesYear) / messagesYear, 3) : null,
      input: yearShare(finite(f.negativeMessagesYear), messagesYear, TYPICAL_SHARES.negative),
      label: (v) =>
        v === null
          ? 'no customer messages in the last year'
          : `${pct(v)} of ${messagesYear} customer messages negative (last 365 days)`,
    },
    {
      name: 'long_tenure',
      value: round(finite(f.tenureDays) / 365, 2),
      input: clamp(Math.log2(1 + finite(f.tenureDays) / 365), 0, 2),
      label: (v) => `customer for ${v} years`,
    },
    {
      name: 'onboarding',
      value: round(finite(f.tenureDays), 0),
      input: clamp((ONBOARDING_DAYS - finite(f.tenureDays)) / ONBOARDING_DAYS, 0, 1),
      label: (v) =>
        finite(v) < ONBOARDING_DAYS
          ? `in the first ${ONBOARDING_DAYS} days (onboarding): day ${v}`
          : `past onboarding (customer for ${count(v, 'day')})`,
    },
  ];
}

export const logistic = (z: number) => 1 / (1 + Math.exp(-z));

export function bandOf(score: number, t: BandThresholds = DEFAULT_BANDS): Band {
  return score >= t.critical
    ? 'critical'
    : score >= t.high
      ? 'high'
      : score >= t.medium
        ? 'medium'
        : 'low';
}

export interface Score {
  score: number;
  band: Band;
  factors: FactorValue[];
  modelVersion: string;
}

/**
 * score = 100 × logistic(b + Σ wᵢ·fᵢ). Contributions split (score − baseline) in proportion to
 * wᵢ·fᵢ, so they add up to the score minus the score of a customer with every input at 0.
 * Factors are sorted by contribution, largest first.
 */
export function scoreCustomer(
  f: RawFeatures,
  model: RiskModel = DEFAULT_MODEL,
  bands: BandThresholds = DEFAULT_BANDS,
): Score {
  // plain loops over the transformed factors (the full rescore scores ~75k customers in one go)
  const parts = transform(f);
  const terms = new Array<number>(parts.length);
  let sumTerms = 0;
  for (let i = 0; i < parts.length; i++) {
    const input = finite(parts[i].input);
    parts[i].input = input;
    terms[i] = finite(model.weights[parts[i].name]) * input;
    sumTerms += terms[i];
  }
  const exact = 100 * logistic(finite(model.intercept) + sumTerms);
  const score = round(exact);
  const baseline = 100 * logistic(finite(model.intercept));
  const factors: FactorValue[] = new Array<FactorValue>(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    factors[i] = {
      name: p.name,
      value: p.value === null ? null : round(p.value, 3),
      input: round(p.input, 4),
      contribution:
        Math.abs(sumTerms) < 1e-9 ? 0 : round(((exact - baseline) * terms[i]) / sumTerms),
      label: p.label(p.value),
    };
  }
  if (f.tickets120 === 0) {
    factors.push({
      name: 'no_ticket_history',
      value: 0,
      input: 0,
      contribution: 0,
      label: 'no tickets in the last 120 days: the score rests on account facts only',
    });
  }
  factors.sort((a, b) => b.contribution - a.contribution);
  return {
    score: clamp(score, 0, 100),
    band: bandOf(score, model.bands ?? bands),
    factors,
    modelVersion: model.version,
  };
}

/** Applies weight overrides (e.g. from RISK_WEIGHTS) to a model, refusing unknown factor names. */
export function withOverrides(
  model: RiskModel,
  overrides: Record<string, number>,
  intercept?: number,
): RiskModel {
  const weights = { ...model.weights };
  for (const [name, w] of Object.entries(overrides)) {
    if (!(FACTOR_NAMES as readonly string[]).includes(name))
      throw new Error(`RISK_WEIGHTS names an unknown factor "${name}"`);
    if (!Number.isFinite(w)) throw new Error(`RISK_WEIGHTS.${name} must be a number`);
    weights[name as FactorName] = w;
  }
  const changed = Object.keys(overrides).length > 0 || intercept !== undefined;
  return {
    ...model,
    version: changed ? `${model.version}+config` : model.version,
    intercept: intercept ?? model.intercept,
    weights,
  };
}

/**
 * A fitted model's score is a calibrated probability of churning within its training horizon
 * (version `fitted-<cutoff>-h<days>`): that probability (0–1) and the horizon; null for the
 * default model, whose score is a risk index.
 */
export function churnProbabilityOf(
  modelVersion: string,
  score: number,
): { probability: number; horizonDays: number } | null {
  const fitted = /^fitted-.*-h(\d+)(\+config)?$/.exec(modelVersion);
  if (!fitted || fitted[2]) return null; // RISK_WEIGHTS on top: no longer calibrated
  return { probability: Math.round(score * 100) / 10_000, horizonDays: Number(fitted[1]) };
}
