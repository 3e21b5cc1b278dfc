// Over 400 lines: the unit tests of backtest.ts (its pure metrics), kept next to the code they test.
import {
  BacktestInputError,
  aucDifference,
  aucInterval,
  brierScore,
  reliabilityTable,
  bandTable,
  evaluate,
  factorContrast,
  fixed,
  parseWindow,
  percent,
  precisionAtK,
  rocAuc,
  storedModel,
  textTable,
  withConfigWeights,
} from './backtest';
import { DEFAULT_MODEL, FACTOR_NAMES } from './risk-model';
import type { Band } from './risk-model';

const outcomes = (rows: [number, boolean][]) =>
  rows.map(([score, churned]) => ({ score, churned }));

describe('rocAuc', () => {
  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    const perfect = outcomes([
      [90, true],
      [80, true],
      [30, false],
      [20, false],
      [10, false],
    ]);
    expect(rocAuc(perfect)).toBe(1);
    expect(rocAuc(perfect.map((o) => ({ ...o, score: -o.score })))).toBe(0);
  });

  it('is 0.5 when every score is tied, whatever the order', () => {
    expect(
      rocAuc(
        outcomes([
          [40, true],
          [40, false],
          [40, false],
          [40, true],
          [40, false],
        ]),
      ),
    ).toBe(0.5);
  });

  it('counts ties between a churner and a non-churner as one half', () => {
    // pairs (churner, other): (50,10) win, (50,50) tie, (30,10) win, (30,50) loss → 2.5 / 4
    const items = outcomes([
      [50, true],
      [30, true],
      [50, false],
      [10, false],
    ]);
    expect(rocAuc(items)).toBeCloseTo(0.625, 12);
    // independent of the input order
    expect(rocAuc([...items].reverse())).toBeCloseTo(0.625, 12);
  });

  it('matches the pairwise definition on a larger mixed sample', () => {
    const items = Array.from({ length: 200 }, (_, i) => ({
      score: Math.round(50 + 40 * Math.sin(i * 1.7)),
      churned: (i * 7919) % 11 < 3,
    }));
    let wins = 0;
    let pairs = 0;
    for (const a of items.filter((i) => i.churned)) {
      for (const b of items.filter((i) => !i.churned)) {
        pairs++;
        wins += a.score > b.score ? 1 : a.score === b.score ? 0.5 : 0;
      }
    }
    expect(rocAuc(items)).toBeCloseTo(wins / pairs, 12);
  });

  it('is null for no customers or a single class', () => {
    expect(rocAuc([])).toBeNull();
    expect(rocAuc(outcomes([[10, false]]))).toBeNull();
    expect(
      rocAuc(
        outcomes([
          [10, true],
          [20, true],
        ]),
      ),
    ).toBeNull();
  });
});

describe('precisionAtK', () => {
  const twenty = (churnedRanks: number[]) =>
    Array.from({ length: 20 }, (_, i) => ({ score: 100 - i, churned: churnedRanks.includes(i) }));

  it('takes the top decile (ceil) and reports the lift over the base rate', () => {
    const p = precisionAtK(twenty([0, 5, 12, 19]), 0.1);
    expect(p).toMatchObject({ fraction: 0.1, k: 2, hits: 1, precision: 0.5, baseRate: 0.2 });
    expect(p.lift).toBeCloseTo(2.5, 12);
  });

  it('is 1 when the top k are all churners and 0 when none are', () => {
    expect(precisionAtK(twenty([0, 1]), 0.1).precision).toBe(1);
    expect(precisionAtK(twenty([0, 1]), 0.1).lift).toBe(10);
    expect(precisionAtK(twenty([10, 11]), 0.1).precision).toBe(0);
  });

  it('rounds k up, so a small sample still looks at one customer', () => {
    const p = precisionAtK(
      outcomes([
        [5, true],
        [3, false],
        [1, false],
      ]),
      0.1,
    );
    expect(p).toMatchObject({ k: 1, hits: 1, precision: 1 });
    expect(precisionAtK(twenty([]), 0.25).k).toBe(5);
    expect(precisionAtK(twenty([]), 1).k).toBe(20);
  });

  it('shares the last places among customers tied at the boundary instead of using input order', () => {
    // k = 2: one clear top score, then three tied at 50 of which one churned → 1 + 1/3 hits
    const items = outcomes([
      [90, false],
      [50, true],
      [50, false],
      [50, false],
      ...Array.from({ length: 16 }, () => [10, false] as [number, boolean]),
    ]);
    const p = precisionAtK(items, 0.1);
    expect(p.k).toBe(2);
    expect(p.hits).toBeCloseTo(1 / 3, 12);
    expect(p.precision).toBeCloseTo(1 / 6, 12);
    expect(precisionAtK([...items].reverse(), 0.1).hits).toBeCloseTo(1 / 3, 12);
  });

  it('has no lift without churners and no precision without customers', () => {
    expect(precisionAtK(twenty([]), 0.1)).toMatchObject({ precision: 0, baseRate: 0, lift: null });
    expect(precisionAtK([], 0.1)).toEqual({
      fraction: 0.1,
      k: 0,
      hits: 0,
      precision: null,
      baseRate: null,
      lift: null,
    });
  });

  it('refuses a fraction outside (0, 1]', () => {
    expect(() => precisionAtK(twenty([]), 0)).toThrow(RangeError);
    expect(() => precisionAtK(twenty([]), 1.5)).toThrow(RangeError);
  });
});

describe('bandTable', () => {
  it('lists every band in order with counts, churn rate and mean score', () => {
    const rows = bandTable([
      { band: 'low', score: 10, churned: false },
      { band: 'low', score: 20, churned: true },
      { band: 'critical', score: 80, churned: true },
      { band: 'low', score: 0, churned: false },
    ]);
    expect(rows).toEqual([
      { band: 'low', customers: 3, churned: 1, rate: 1 / 3, meanScore: 10 },
      { band: 'medium', customers: 0, churned: 0, rate: null, meanScore: null },
      { band: 'high', customers: 0, churned: 0, rate: null, meanScore: null },
      { band: 'critical', customers: 1, churned: 1, rate: 1, meanScore: 80 },
    ]);
  });

  it('is four empty bands for no customers', () => {
    expect(bandTable([]).map((r) => [r.band, r.customers, r.rate])).toEqual([
      ['low', 0, null],
      ['medium', 0, null],
      ['high', 0, null],
      ['critical', 0, null],
    ]);
  });
});

describe('factorContrast', () => {
  it('ranks factors by the gap between churners and the others, missing factors counting 0', () => {
    const rows = [
      {
        score: 60,
        churned: true,
        factors: [
          { name: 'negative_sentiment' as const, contribution: 20 },
          { name: 'sla_breaches' as const, contribution: 5 },
        ],
      },
      {
        score: 30,
        churned: true,
        factors: [{ name: 'negative_sentiment' as const, contribution: 10 }],
      },
      {
        score: 20,
        churned: false,
        factors: [
          { name: 'negative_sentiment' as const, contribution: 2 },
          { name: 'dormancy' as const, contribution: 6 },
        ],
      },
    ];
    const top = factorContrast(rows, 3);
    expect(top).toEqual([
      { name: 'negative_sentiment', churners: 15, others: 2, difference: 13 },
      { name: 'sla_breaches', churners: 2.5, others: 0, difference: 2.5 },
      expect.objectContaining({ difference: 0 }),
    ]);
    expect(factorContrast(rows, FACTOR_NAMES.length).at(-1)).toEqual({
      name: 'dormancy',
      churners: 0,
      others: 6,
      difference: -6,
    });
  });

  it('gives null means for an empty side', () => {
    const top = factorContrast([{ score: 1, churned: false, factors: [] }], 1);
    expect(top[0]).toMatchObject({ churners: null, others: 0, difference: null });
    expect(factorContrast([], 5)).toHaveLength(5);
  });
});

describe('evaluate', () => {
  it('puts every metric together, and copes with no customers', () => {
    const band = (score: number): Band => (score >= 50 ? 'high' : 'low');
    const items = [90, 70, 40, 30, 20, 10, 5, 4, 3, 2].map((score, i) => ({
      score,
      band: band(score),
      churned: i < 2,
      factors: [],
    }));
    const r = evaluate(items);
    expect(r).toMatchObject({ customers: 10, churned: 2, baseRate: 0.2, auc: 1 });
    expect(r.precisionAt10).toMatchObject({ k: 1, precision: 1, lift: 5 });
    expect(r.bands.find((b) => b.band === 'high')).toMatchObject({
      customers: 2,
      churned: 2,
      rate: 1,
    });
    expect(r.bands.reduce((s, b) => s + b.customers, 0)).toBe(10);

    expect(evaluate([])).toMatchObject({ customers: 0, churned: 0, baseRate: null, auc: null });
  });
});

describe('parseWindow', () => {
  const now = new Date('2026-11-23T12:00:00Z');

  it('reads a date as midnight UTC, defaults the horizon to 90 days and computes the end', () => {
    expect(parseWindow('2026-06-01', undefined, now)).toEqual({
      cutoff: new Date('2026-06-01T00:00:00Z'),
      horizonDays: 90,
      end: new Date('2026-08-30T00:00:00Z'),
    });
    expect(parseWindow('2026-06-01T08:30:00+02:00', '30', now).cutoff).toEqual(
      new Date('2026-06-01T06:30:00Z'),
    );
  });

  it('accepts a window that ends exactly now, and refuses one that ends later', () => {
    expect(parseWindow('2026-08-25T12:00:00Z', '90', now).end).toEqual(now);
    expect(() => parseWindow('2026-08-25T12:00:01Z', '90', now)).toThrow(/after now/);
  });

  it.each([
    ['06/01/2026'],
    ['2026-13-01'],
    ['2026-02-30'],
    ['2026-06-01T10:00'],
    ['yesterday'],
    [''],
  ])('refuses the cut-off %j with one line', (text) => {
    expect(() => parseWindow(text, '90', now)).toThrow(BacktestInputError);
    expect(() => parseWindow(text, '90', now)).toThrow(/^--cutoff needs a date/);
  });

  it.each([['0'], ['-5'], ['1.5'], ['ninety'], ['3651']])('refuses the horizon %j', (h) => {
    expect(() => parseWindow('2026-01-01', h, now)).toThrow(/^--horizon needs a whole number/);
  });

  it('requires a cut-off', () => {
    expect(() => parseWindow(undefined, '90', now)).toThrow(/--cutoff is required/);
  });
});

describe('storedModel', () => {
  it('keeps the stored weights and the default weight of a factor not stored (as RiskService does)', () => {
    const m = storedModel({ version: 'v', intercept: '-3.5', weights: { reopen_rate: 0.7 } });
    expect(m.intercept).toBe(-3.5);
    expect(Object.keys(m.weights).sort()).toEqual([...FACTOR_NAMES].sort());
    expect(m.weights.reopen_rate).toBe(0.7);
    expect(m.weights.sla_breaches).toBe(DEFAULT_MODEL.weights.sla_breaches);
    expect(DEFAULT_MODEL.weights.reopen_rate).not.toBe(0.7); // the defaults were not touched
  });

  it('refuses unknown factors, non-numeric weights and a missing intercept', () => {
    expect(() => storedModel({ version: 'v', intercept: 0, weights: { tier: 1 } })).toThrow(
      /unknown factor "tier"/,
    );
    expect(() => storedModel({ version: 'v', intercept: 0, weights: { dormancy: '1' } })).toThrow(
      /non-numeric/,
    );
    expect(() => storedModel({ version: 'v', intercept: null, weights: {} })).toThrow(/intercept/);
    expect(() => storedModel({ version: 'v', intercept: 0, weights: [1] })).toThrow(/weights/);
  });
});

describe('withConfigWeights', () => {
  it('applies RISK_WEIGHTS and an intercept on top of a model, marking the version', () => {
    const m = withConfigWeights(DEFAULT_MODEL, { sla_breaches: 2, intercept: -3 });
    expect(m).toMatchObject({ version: 'default-v3+config', intercept: -3 });
    expect(m.weights.sla_breaches).toBe(2);
    expect(withConfigWeights(DEFAULT_MODEL, {})).toEqual(DEFAULT_MODEL);
  });

  it('refuses an unknown factor with a BacktestInputError', () => {
    expect(() => withConfigWeights(DEFAULT_MODEL, { tier: 1 })).toThrow(BacktestInputError);
  });
});

describe('text output', () => {
  it('aligns a table: first column left, the rest right', () => {
    expect(
      textTable(
        ['band', 'customers'],
        [
          ['low', '1200'],
          ['critical', '4'],
        ],
      ),
    ).toBe(['band      customers', 'low            1200', 'critical          4'].join('\n'));
  });

  it('formats shares and numbers, with n/a for null', () => {
    expect(percent(0.0331)).toBe('3.3%');
    expect(percent(null)).toBe('n/a');
    expect(fixed(0.71234)).toBe('0.712');
    expect(fixed(null)).toBe('n/a');
  });
});

describe('storedModel bands', () => {
  const row = { version: 'fitted-x', intercept: -3, weights: { dormancy: 0.1 } };
  it('reads a fitted model’s own band thresholds', () => {
    expect(storedModel({ ...row, bands: { medium: 2, high: 4, critical: 7.5 } }).bands).toEqual({
      medium: 2,
      high: 4,
      critical: 7.5,
    });
    expect(storedModel(row).bands).toBeNull();
  });
  it('refuses thresholds that are not increasing', () => {
    expect(() => storedModel({ ...row, bands: { medium: 4, high: 2, critical: 7 } })).toThrow(
      'model fitted-x has band thresholds that are not three increasing numbers up to 100',
    );
  });
});

describe('calibration and uncertainty', () => {
  it('Brier score: 0 for certain right answers, 0.25 for a coin, null when empty', () => {
    expect(
      brierScore([
        { probability: 1, churned: true },
        { probability: 0, churned: false },
      ]),
    ).toBe(0);
    expect(
      brierScore([
        { probability: 0.5, churned: true },
        { probability: 0.5, churned: false },
      ]),
    ).toBe(0.25);
    expect(brierScore([])).toBeNull();
  });

  it('reliability table: deciles of predictions with their observed churn', () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({
      probability: i / 1000,
      churned: i % 10 === 0 && i >= 500,
    }));
    const rows = reliabilityTable(items);
    expect(rows).toHaveLength(10);
    expect(rows.map((r) => r.customers)).toEqual(Array(10).fill(100));
    expect(rows[0]).toMatchObject({ decile: 1, observed: 0 });
    expect(rows[0].predicted).toBeCloseTo(0.0495, 4);
    expect(rows[9].observed).toBeCloseTo(0.1, 10);
  });

  it('Hanley–McNeil: AUC 0.8 with 50 churners and 50 others → se ≈ 0.045', () => {
    const { se, low, high } = aucInterval(0.8, 50, 50);
    expect(se).toBeCloseTo(0.0445, 4);
    expect(low).toBeCloseTo(0.8 - 1.96 * se, 10);
    expect(high).toBeCloseTo(0.8 + 1.96 * se, 10);
    expect(aucInterval(0.6, 4000, 80_000).se).toBeLessThan(0.01);
  });

  it('paired bootstrap: a clearly better scoring wins beyond the noise, an equal one does not', () => {
    let s = 7;
    const rand = () => (s = (s * 16_807) % 2_147_483_647) / 2_147_483_647;
    const truth = Array.from({ length: 2000 }, () => rand());
    const churned = truth.map((t) => rand() < t * 0.3);
    const good = truth.map((t, i) => ({ score: t, churned: churned[i] }));
    const noise = truth.map((_, i) => ({ score: rand(), churned: churned[i] }));
    const better = aucDifference(good, noise, 100)!;
    expect(better.difference).toBeGreaterThan(0.1);
    expect(better.low).toBeGreaterThan(0);
    const same = aucDifference(good, good, 100)!;
    expect(same.difference).toBe(0);
    expect(same.low).toBe(0);
    expect(() => aucDifference(good, good.slice(1))).toThrow(RangeError);
  });
});
