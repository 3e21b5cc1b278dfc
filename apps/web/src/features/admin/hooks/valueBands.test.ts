import { describe, expect, it } from 'vitest';
import { bandRows, bandsOf, errorRow } from './valueBands';

describe('value band form', () => {
  it('starts from the saved bands, lowest first', () => {
    const rows = bandRows([
      { segment: 'low', minValue: 0 },
      { segment: 'top', minValue: 20000 },
    ]);
    expect(rows.map((r) => [r.segment, r.used, r.minValue])).toEqual([
      ['low', true, 0],
      ['mid', false, 1000],
      ['high', false, 10000],
      ['top', true, 20000],
    ]);
    expect(bandsOf(rows)).toEqual([
      { segment: 'low', minValue: 0 },
      { segment: 'top', minValue: 20000 },
    ]);
  });

  it('puts a server error on the row it names', () => {
    const rows = bandRows([
      { segment: 'low', minValue: 0 },
      { segment: 'top', minValue: 20000 },
    ]);
    expect(errorRow('bands[1].minValue', rows)).toBe('top');
    expect(errorRow('bands', rows)).toBe('bands');
    expect(errorRow('bands[5].segment', rows)).toBe('bands');
  });
});
