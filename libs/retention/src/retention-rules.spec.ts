import {
  decodeRiskCursor,
  encodeRiskCursor,
  npsCategory,
  retentionRates,
  revenueRates,
  validateRiskFilter,
  assertMayAct,
} from './retention-rules';
import { topFactors } from './retention-view';

const am = { id: '5', role: 'account_manager' as const, teamId: null, teamIds: [], name: 'A' };

describe('retention rules', () => {
  it('checks the risk-list filter and explains what is wrong', () => {
    expect(() => validateRiskFilter(am, { mrrMin: 10, mrrMax: 5 }, null, null)).toThrow(
      'must not be below filter.mrrMin',
    );
    expect(() => validateRiskFilter(am, { bands: ['purple'] }, null, null)).toThrow(
      '"purple" is not one of',
    );
    expect(() => validateRiskFilter(am, { mine: true, accountManagerId: '9' }, null, null)).toThrow(
      'contradicts mine',
    );
    expect(() => validateRiskFilter(am, { risingDays: 7 }, null, 30)).toThrow(
      'contradicts filter.risingDays',
    );
    expect(() => validateRiskFilter(am, {}, 'alphabetical', null)).toThrow(
      'orderBy: must be one of',
    );
    const q = validateRiskFilter(am, { mine: true, risingDays: 14 }, 'score_change', null);
    expect(q).toMatchObject({
      accountManagerId: '5',
      rising: true,
      changeDays: 14,
      snoozed: 'exclude',
    });
  });

  it('binds cursors to the ordering and its window', () => {
    const q = validateRiskFilter(am, {}, 'score', null);
    const c = encodeRiskCursor(q, 80.5, '12');
    expect(decodeRiskCursor(q, c)).toEqual({ key: 80.5, id: '12' });
    expect(() => decodeRiskCursor(validateRiskFilter(am, {}, 'score', 7), c)).toThrow(
      'issued for ordering',
    );
  });

  it('computes the DESIGN rates', () => {
    expect(
      retentionRates({ customersAtStart: 8, customersAtEnd: 7, acquired: 1, churned: 2 }),
    ).toEqual({
      retentionRatePercent: 75,
      churnRatePercent: 25,
    });
    expect(
      retentionRates({ customersAtStart: 0, customersAtEnd: 3, acquired: 3, churned: 0 }),
    ).toEqual({
      retentionRatePercent: null,
      churnRatePercent: null,
    });
  });

  it('names NPS categories and the top three positive factors', () => {
    expect([
      npsCategory(10),
      npsCategory(9),
      npsCategory(8),
      npsCategory(6),
      npsCategory(null),
    ]).toEqual(['promoter', 'promoter', 'passive', 'detractor', null]);
    expect(
      topFactors([
        { name: 'a', label: 'A', contribution: 1 },
        { name: 'b', label: 'B', contribution: 9 },
        { name: 'c', label: 'C', contribution: -4 },
        { name: 'd', label: 'D', contribution: 3 },
        { name: 'e', label: 'E', contribution: 2 },
      ]),
    ).toEqual(['B', 'D', 'E']);
  });

  it('lets account managers act on their own or unassigned customers only', () => {
    expect(() => assertMayAct(am, '5', '1')).not.toThrow();
    expect(() => assertMayAct(am, null, '1')).not.toThrow();
    expect(() => assertMayAct(am, '6', '1')).toThrow(
      'This customer belongs to another account manager; only they or an admin may change it',
    );
    expect(() => assertMayAct({ ...am, role: 'agent' }, '5', '1')).toThrow(
      'may not work the retention list',
    );
    expect(() => assertMayAct({ ...am, role: 'admin' }, '6', '1')).not.toThrow();
  });

  it('computes revenue churn and net revenue retention over the MRR at the start', () => {
    expect(
      revenueRates({ revenueAtStart: 1850, revenueChurned: 300, revenueRetained: 2550 }),
    ).toEqual({ revenueChurnRatePercent: 16.22, netRevenueRetentionPercent: 137.84 });
    expect(revenueRates({ revenueAtStart: 0, revenueChurned: 0, revenueRetained: 0 })).toEqual({
      revenueChurnRatePercent: null,
      netRevenueRetentionPercent: null,
    });
  });

  it('checks value segment filters and knows the new ordering', () => {
    expect(
      validateRiskFilter(am, { valueSegments: ['top', 'top'] }, 'expected_value_at_risk', null),
    ).toMatchObject({ valueSegments: ['top'], order: 'expected_value_at_risk' });
    expect(() => validateRiskFilter(am, { valueSegments: ['gold'] }, null, null)).toThrow(
      '"gold" is not one of top, high, mid, low',
    );
  });
});
