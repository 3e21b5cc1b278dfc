import {
  MAX_EXPECTED_MONTHS,
  expectedMonths,
  fittedHorizonDays,
  monthlyFromHorizon,
  segmentOf,
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
