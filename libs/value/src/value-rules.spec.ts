import {
  MAX_EXPECTED_MONTHS,
  checkBands,
  expectedMonths,
  fittedHorizonDays,
  monthlyFromHorizon,
  segmentOf,
  segmentValueOf,
  weightedMean,
} from './value-rules';

describe('lifetime value rules', () => {
  it('reads the horizon of a fitted model from its version only', () => {
    expect(fittedHorizonDays('fitted-2026-05-25-h90')).toBe(90);
    expect(fittedHorizonDays('default-v1')).toBeNull();
    expect(fittedHorizonDays('fitted-2026-05-25-h0')).toBeNull();
    expect(fittedHorizonDays(null)).toBeNull();
  });

  it('turns a horizon probability into a monthly one (compounding)', () => {
    // 10 % over 90 days → 1 − 0.9^(30.4375/90)
    expect(monthlyFromHorizon(0.1, 90)).toBeCloseTo(1 - Math.pow(0.9, 30.4375 / 90), 12);
    // a month-long horizon is the probability itself
    expect(monthlyFromHorizon(0.2, 30.4375)).toBeCloseTo(0.2, 12);
    expect(monthlyFromHorizon(1.5, 90)).toBe(1);
    expect(monthlyFromHorizon(-1, 90)).toBe(0);
  });

  it('expects 1 ÷ rate months, capped at 60, and 60 without churn', () => {
    expect(expectedMonths(0.05)).toBeCloseTo(20, 12);
    expect(expectedMonths(0.001)).toBe(MAX_EXPECTED_MONTHS);
    expect(expectedMonths(0)).toBe(MAX_EXPECTED_MONTHS);
    expect(expectedMonths(Number.NaN)).toBe(MAX_EXPECTED_MONTHS);
  });

  it('puts a value in the highest segment whose bound it reaches; unknown stays unknown', () => {
    const bounds = { top: 1000, high: 500, mid: 100, low: 10 };
    expect(segmentOf(1000, bounds)).toBe('top');
    expect(segmentOf(999.99, bounds)).toBe('high');
    expect(segmentOf(100, bounds)).toBe('mid');
    expect(segmentOf(10, bounds)).toBe('low');
    expect(segmentOf(5, bounds)).toBe('low');
    expect(segmentOf(5, {})).toBeNull();
    expect(segmentOf(null, bounds)).toBeNull();
  });

  it('weights by revenue', () => {
    expect(
      weightedMean([
        { value: 100, weight: 3 },
        { value: 0, weight: 1 },
      ]),
    ).toBe(75);
    expect(weightedMean([{ value: 100, weight: 0 }])).toBeNull();
  });
});

describe('value segment placement and bands', () => {
  it('places a short active history by its run rate (MRR × 6) when that is higher', () => {
    // 3 months at 100 = 300 to date; run rate 600
    expect(segmentValueOf({ toDate: 300, monthsAsCustomer: 3, mrr: 100, active: true })).toEqual({
      value: 600,
      basis: 'run_rate',
    });
    // 6 months or more: to date, even when the run rate is higher
    expect(segmentValueOf({ toDate: 300, monthsAsCustomer: 6, mrr: 100, active: true })).toEqual({
      value: 300,
      basis: 'to_date',
    });
    // churned, MRR unknown, run rate lower (MRR cut), value unknown
    expect(
      segmentValueOf({ toDate: 300, monthsAsCustomer: 3, mrr: 100, active: false }).basis,
    ).toBe('to_date');
    expect(
      segmentValueOf({ toDate: 300, monthsAsCustomer: 3, mrr: null, active: true }).basis,
    ).toBe('to_date');
    expect(segmentValueOf({ toDate: 900, monthsAsCustomer: 5, mrr: 10, active: true })).toEqual({
      value: 900,
      basis: 'to_date',
    });
    expect(segmentValueOf({ toDate: null, monthsAsCustomer: 1, mrr: 100, active: true })).toEqual({
      value: null,
      basis: null,
    });
  });

  it('accepts 2–4 ascending bands named low < mid < high < top', () => {
    expect(
      checkBands([
        { segment: 'low', minValue: 0 },
        { segment: 'high', minValue: 1000.5 },
        { segment: 'top', minValue: 20000 },
      ]),
    ).toEqual({
      bands: [
        { segment: 'low', minValue: 0 },
        { segment: 'high', minValue: 1000.5 },
        { segment: 'top', minValue: 20000 },
      ],
    });
  });

  it('names the field of the first problem', () => {
    const low = { segment: 'low', minValue: 0 };
    expect(checkBands([low])).toMatchObject({ field: 'bands' });
    expect(checkBands([low, low, low, low, low])).toMatchObject({ field: 'bands' });
    expect(checkBands([low, { segment: 'gold', minValue: 5 }])).toMatchObject({
      field: 'bands[1].segment',
    });
    expect(checkBands([low, { segment: 'low', minValue: 5 }])).toMatchObject({
      field: 'bands[1].segment',
      message: 'low is given twice',
    });
    expect(
      checkBands([
        { segment: 'low', minValue: -1 },
        { segment: 'top', minValue: 5 },
      ]),
    ).toMatchObject({ field: 'bands[0].minValue' });
    expect(checkBands([low, { segment: 'top', minValue: 0 }])).toMatchObject({
      field: 'bands[1].minValue',
    });
    expect(
      checkBands([
        { segment: 'top', minValue: 0 },
        { segment: 'low', minValue: 5 },
      ]),
    ).toMatchObject({ field: 'bands[1].segment' });
    expect(checkBands([low, { segment: 'top', minValue: 1.234 }])).toMatchObject({
      field: 'bands[1].minValue',
    });
  });
});
