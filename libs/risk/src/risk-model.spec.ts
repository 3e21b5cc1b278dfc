import type { RawFeatures } from './risk.repository';
import {
  DEFAULT_MODEL,
  bandOf,
  bandsInForce,
  churnProbabilityOf,
  logistic,
  quantileBands,
  scoreCustomer,
  withOverrides,
} from './risk-model';

const quiet: RawFeatures = {
  customerId: '1',
  tenureDays: 900,
  daysToRenewal: 200,
  tickets120: 6,
  vol30: 1,
  base90: 4,
  openTickets: 0,
  urgentOpen: 0,
  solved90: 4,
  reopened90: 0,
  breaches90: 0,
  medianResolutionHours: 10,
  globalMedianResolutionHours: 12,
  csatCount: 2,
  csatMean: 5,
  csatBad: 0,
  cesCount: 1,
  cesMean: 7,
  npsLatest: 10,
  customerMessages: 6,
  negativeMessages: 0,
  customerMessages30: 2,
  negativeMessages30: 0,
  tickets90: 5,
  ticketsYear: 14,
  breachesYear: 0,
  reopenedYear: 0,
  customerMessagesYear: 20,
  negativeMessagesYear: 1,
  daysSinceContact: 5,
};

const angry: RawFeatures = {
  ...quiet,
  vol30: 9,
  openTickets: 5,
  urgentOpen: 2,
  reopened90: 3,
  breaches90: 6,
  medianResolutionHours: 60,
  csatMean: 1.5,
  csatBad: 2,
  cesMean: 2,
  npsLatest: 3,
  negativeMessages: 5,
  daysToRenewal: 20,
  ticketsYear: 16,
  breachesYear: 9,
  reopenedYear: 5,
  customerMessagesYear: 24,
  negativeMessagesYear: 15,
};

describe('scoreCustomer', () => {
  it('keeps a happy customer low and an angry one critical, naming the reasons', () => {
    const low = scoreCustomer(quiet);
    const high = scoreCustomer(angry);
    expect(low.band).toBe('low');
    expect(high.band).toBe('critical');
    expect(high.score).toBeGreaterThan(90);
    const top = high.factors.slice(0, 5).map((f) => f.name);
    expect(top).toEqual(expect.arrayContaining(['negative_sentiment_year', 'low_csat']));
    const sentiment = high.factors.find((f) => f.name === 'negative_sentiment')!;
    expect(sentiment).toMatchObject({ value: 0.833, label: '83% of 6 customer messages negative' });
    expect(high.factors.find((f) => f.name === 'breach_rate_year')).toMatchObject({
      value: 0.563,
      label: '56% of 16 tickets breached an SLA (last 365 days)',
    });
    expect(high.modelVersion).toBe('default-v3');
  });

  it('splits the score above baseline into contributions that add up', () => {
    const s = scoreCustomer(angry);
    const baseline = 100 * logistic(DEFAULT_MODEL.intercept);
    const sum = s.factors.reduce((a, f) => a + f.contribution, 0);
    expect(sum).toBeCloseTo(s.score - baseline, 0);
  });

  it('gives a customer with no tickets a defined score and says so', () => {
    const none: RawFeatures = {
      ...quiet,
      tickets120: 0,
      vol30: 0,
      base90: 0,
      solved90: 0,
      medianResolutionHours: null,
      globalMedianResolutionHours: null,
      csatCount: 0,
      csatMean: null,
      cesCount: 0,
      cesMean: null,
      npsLatest: null,
      customerMessages: 0,
      negativeMessages: 0,
      daysSinceContact: null,
    };
    const s = scoreCustomer(none);
    expect(Number.isFinite(s.score)).toBe(true);
    expect(s.factors.find((f) => f.name === 'no_ticket_history')?.label).toContain(
      'no tickets in the last 120 days',
    );
    expect(s.factors.find((f) => f.name === 'reopen_rate')).toMatchObject({
      value: null,
      input: 0,
      label: 'no solved tickets in 90 days',
    });
  });

  it('never lets NaN, Infinity or a zero divisor through', () => {
    const broken = {
      ...quiet,
      vol30: NaN,
      base90: Infinity,
      solved90: 0,
      reopened90: 5,
      globalMedianResolutionHours: 0,
      csatMean: NaN,
      customerMessages: 0,
      negativeMessages: 3,
      tenureDays: NaN,
      daysSinceContact: -Infinity,
    } as RawFeatures;
    const s = scoreCustomer(broken);
    expect(Number.isFinite(s.score)).toBe(true);
    for (const f of s.factors) {
      expect(Number.isFinite(f.contribution)).toBe(true);
      expect(Number.isFinite(f.input)).toBe(true);
      expect(f.value === null || Number.isFinite(f.value)).toBe(true);
    }
    expect(JSON.stringify(s)).not.toMatch(/NaN|Infinity/);
  });

  it('rises with each kind of bad experience', () => {
    const base = scoreCustomer(quiet).score;
    for (const worse of [
      { breaches90: 4 },
      { csatBad: 2, csatMean: 1 },
      { negativeMessages: 5 },
      { reopened90: 3 },
      { urgentOpen: 2, openTickets: 3 },
    ]) {
      expect(scoreCustomer({ ...quiet, ...worse }).score).toBeGreaterThan(base);
    }
  });

  it('bands by thresholds, configurable', () => {
    expect([0, 24.9, 25, 49.9, 50, 74.9, 75, 100].map((s) => bandOf(s))).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
    expect(bandOf(30, { medium: 10, high: 20, critical: 30 })).toBe('critical');
  });

  it('takes weight overrides without code changes and refuses unknown factors', () => {
    const m = withOverrides(DEFAULT_MODEL, { negative_sentiment: 0, sentiment_trend: 0 });
    expect(m.version).toBe('default-v3+config');
    expect(scoreCustomer({ ...quiet, negativeMessages: 6 }, m).score).toBe(
      scoreCustomer(quiet, m).score,
    );
    expect(() => withOverrides(DEFAULT_MODEL, { vibes: 1 })).toThrow('unknown factor "vibes"');
  });
});

describe('quantileBands: bands that follow a score distribution', () => {
  it('puts the riskiest 30 / 10 / 3 % at or above medium / high / critical', () => {
    const scores = Array.from({ length: 1000 }, (_, i) => (i + 1) / 100); // 0.01 … 10.00
    const bands = quantileBands(scores)!;
    const share = (t: number) => scores.filter((s) => s >= t).length / scores.length;
    expect(share(bands.medium)).toBeCloseTo(0.3, 2);
    expect(share(bands.high)).toBeCloseTo(0.1, 2);
    expect(share(bands.critical)).toBeCloseTo(0.03, 2);
  });

  it('gives a fitted model of small probabilities every band', () => {
    const probabilities = Array.from({ length: 500 }, (_, i) => 1 + 4 * Math.sin(i) ** 2); // 1–5 %
    const bands = quantileBands(probabilities)!;
    const counts = { low: 0, medium: 0, high: 0, critical: 0 };
    for (const p of probabilities) counts[bandOf(p, bands)]++;
    expect(counts.low).toBeGreaterThan(300);
    expect(counts.medium).toBeGreaterThan(50);
    expect(counts.high).toBeGreaterThan(10);
    expect(counts.critical).toBeGreaterThan(5);
    // with the fixed 25/50/75 points the same customers would all be "low"
    expect(probabilities.every((p) => bandOf(p) === 'low')).toBe(true);
  });

  it('keeps thresholds strictly increasing when most scores tie, and refuses an empty list', () => {
    const bands = quantileBands([...Array(99).fill(6.91), 40])!;
    expect(bands.medium).toBe(6.91);
    expect(bands.high).toBeGreaterThan(bands.medium);
    expect(bands.critical).toBeGreaterThan(bands.high);
    expect(quantileBands([])).toBeNull();
    expect(quantileBands([NaN])).toBeNull();
  });

  it('is used by scoreCustomer when the model carries bands, over the configured ones', () => {
    const m = { ...DEFAULT_MODEL, bands: { medium: 0.05, high: 0.1, critical: 0.2 } };
    const s = scoreCustomer(quiet, m, { medium: 25, high: 50, critical: 75 });
    expect(s.score).toBeGreaterThanOrEqual(0.2);
    expect(s.band).toBe('critical');
    expect(scoreCustomer(quiet, DEFAULT_MODEL).band).toBe('low');
    expect(withOverrides(m, { dormancy: 0 }).bands).toEqual(m.bands);
  });
});

describe('features that generalise (0 in default-v1, hand-set since default-v2)', () => {
  const input = (f: RawFeatures, name: string) =>
    scoreCustomer(f).factors.find((x) => x.name === name)!;

  it('breach_rate: the share of recent tickets that breached, not their count', () => {
    const busy = { ...quiet, tickets90: 30, breaches90: 3 };
    const small = { ...quiet, tickets90: 3, breaches90: 3 };
    expect(input(busy, 'breach_rate')).toMatchObject({ value: 0.1, input: 0.1 });
    expect(input(small, 'breach_rate')).toMatchObject({ value: 1, input: 1 });
    expect(input({ ...quiet, tickets90: 0, breaches90: 0 }, 'breach_rate').value).toBeNull();
  });

  it('the year’s rates: shrunk toward the typical share by one case, read as the excess over it', () => {
    const year = { ...quiet, ticketsYear: 20, breachesYear: 5, reopenedYear: 2 };
    // (5 + 0.3) / 21 − 0.3: a quarter breached is better than the typical 30 %
    expect(input(year, 'breach_rate_year')).toMatchObject({ value: 0.25, input: -0.0476 });
    expect(input(year, 'reopen_rate_year')).toMatchObject({ value: 0.1, input: 0.019 });
    expect(input(year, 'breach_rate_year').contribution).toBeLessThan(0);
    // one ticket, breached: (1 + 0.3) / 2 − 0.3 = 0.35, half-way from typical to all
    const one = { ...quiet, ticketsYear: 1, breachesYear: 1 };
    expect(input(one, 'breach_rate_year').input).toBeCloseTo(0.35, 4);
    // ten of ten breached: most of the way to 1 − 0.3
    const ten = { ...quiet, ticketsYear: 10, breachesYear: 10 };
    expect(input(ten, 'breach_rate_year').input).toBeCloseTo(10.3 / 11 - 0.3, 4);
    expect(input(ten, 'breach_rate_year').input).toBeGreaterThan(
      input(one, 'breach_rate_year').input,
    );
    expect(input({ ...quiet, ticketsYear: 0, breachesYear: 0 }, 'breach_rate_year').input).toBe(0);
    const silent = { ...quiet, customerMessagesYear: 0, negativeMessagesYear: 0 };
    expect(input(silent, 'negative_sentiment_year')).toMatchObject({ value: null, input: 0 });
    expect(input({ ...quiet, ticketsYear: 0 }, 'breach_rate_year').label).toBe(
      'no tickets in the last year',
    );
  });

  it('onboarding: the first 60 days, 1 on the first day down to 0 at day 60 (0 in default-v3)', () => {
    expect(input({ ...quiet, tenureDays: 0 }, 'onboarding')).toMatchObject({
      input: 1,
      contribution: 0,
    });
    expect(input({ ...quiet, tenureDays: 30 }, 'onboarding').input).toBeCloseTo(0.5, 6);
    expect(input({ ...quiet, tenureDays: 30 }, 'onboarding').label).toBe(
      'in the first 60 days (onboarding): day 30',
    );
    expect(input({ ...quiet, tenureDays: 400 }, 'onboarding')).toMatchObject({
      input: 0,
      label: 'past onboarding (customer for 400 days)',
    });
    // a fitted model's weight makes it count
    const m = { ...DEFAULT_MODEL, weights: { ...DEFAULT_MODEL.weights, onboarding: -1 } };
    const fresh = { ...quiet, tenureDays: 10 };
    expect(scoreCustomer(fresh, m).score).toBeLessThan(scoreCustomer(fresh).score);
  });

  it('long_tenure: log₂ of 1 + years as a customer, capped at 2 (three years)', () => {
    expect(input({ ...quiet, tenureDays: 0 }, 'long_tenure').input).toBe(0);
    expect(input({ ...quiet, tenureDays: 365 }, 'long_tenure').input).toBeCloseTo(1, 6);
    expect(input({ ...quiet, tenureDays: 5000 }, 'long_tenure').input).toBe(2);
    // a loyal customer's score is lowered by it since default-v2 (negative weight)
    expect(input({ ...quiet, tenureDays: 1095 }, 'long_tenure').contribution).toBeLessThan(0);
  });

  it('contact_drop: going quiet against the customer’s own past', () => {
    expect(input({ ...quiet, vol30: 0, base90: 15 }, 'contact_drop').input).toBeCloseTo(
      Math.log2(6),
      4,
    );
    expect(input({ ...quiet, vol30: 0, base90: 90 }, 'contact_drop').input).toBe(3);
    expect(input({ ...quiet, vol30: 9, base90: 9 }, 'contact_drop').input).toBe(0);
  });

  it('sentiment_trend: this month’s negative share against the two before', () => {
    const worse = {
      ...quiet,
      customerMessages: 10,
      negativeMessages: 4,
      customerMessages30: 4,
      negativeMessages30: 4,
    };
    expect(input(worse, 'sentiment_trend')).toMatchObject({ value: 1, input: 1 });
    const better = { ...worse, negativeMessages30: 0 };
    expect(input(better, 'sentiment_trend').value).toBeCloseTo(-4 / 6, 3);
    expect(input({ ...quiet, customerMessages30: 0 }, 'sentiment_trend').value).toBeNull();
  });

  it('low_plan: free 1, starter 0.33, paid plans and unknown 0', () => {
    expect(input({ ...quiet, tier: 'free' }, 'low_plan')).toMatchObject({
      input: 1,
      label: 'free plan',
    });
    expect(input({ ...quiet, tier: 'enterprise' }, 'low_plan').input).toBe(0);
    expect(input({ ...quiet, tier: null }, 'low_plan')).toMatchObject({ input: 0, value: null });
  });

  it('slow_vs_peers: resolution time against the same team and priority', () => {
    expect(input({ ...quiet, peerResolutionRatio: 2 }, 'slow_vs_peers')).toMatchObject({
      value: 2,
      input: 1,
    });
    expect(input({ ...quiet, peerResolutionRatio: 16 }, 'slow_vs_peers').input).toBe(2);
    expect(input({ ...quiet, peerResolutionRatio: 0.25 }, 'slow_vs_peers').input).toBe(-1);
    expect(input({ ...quiet, peerResolutionRatio: null }, 'slow_vs_peers')).toMatchObject({
      value: null,
      input: 0,
    });
    expect(input({ ...quiet, peerResolutionRatio: NaN }, 'slow_vs_peers').input).toBe(0);
  });

  it('changes nothing in the default score', () => {
    const base = scoreCustomer(quiet).score;
    expect(scoreCustomer({ ...quiet, tickets90: 3, breaches90: 3, vol30: 0 }).score).not.toBeNaN();
    expect(scoreCustomer({ ...quiet, customerMessages30: 6, negativeMessages30: 0 }).score).toBe(
      base,
    );
  });
});

describe('churnProbabilityOf', () => {
  it('reads a fitted model’s score as a probability over its horizon, not the default’s', () => {
    expect(churnProbabilityOf('fitted-2026-05-25-h90', 18.2)).toEqual({
      probability: 0.182,
      horizonDays: 90,
    });
    expect(churnProbabilityOf('default-v1', 18.2)).toBeNull();
    expect(churnProbabilityOf('fitted-2026-05-25-h90+config', 18.2)).toBeNull();
  });
});

describe('bandsInForce: which thresholds band a score', () => {
  const fixed = { medium: 25, high: 50, critical: 75 };
  const distribution = { medium: 9, high: 14, critical: 30 };
  const fitted = {
    ...DEFAULT_MODEL,
    version: 'fitted-x-h90',
    bands: { medium: 4, high: 6, critical: 8 },
  };
  it('a fitted model’s own, whatever else is set', () => {
    expect(bandsInForce(fitted, fixed, true, distribution)).toEqual(fitted.bands);
  });
  it('the tenant’s distribution for the default model unless RISK_BANDS pins points', () => {
    expect(bandsInForce(DEFAULT_MODEL, fixed, false, distribution)).toEqual(distribution);
    expect(bandsInForce(DEFAULT_MODEL, fixed, true, distribution)).toEqual(fixed);
    expect(bandsInForce(DEFAULT_MODEL, fixed, false, null)).toEqual(fixed);
  });
});
