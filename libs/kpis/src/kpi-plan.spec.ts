import {
  bucketStart,
  cellDimension,
  hoursBasis,
  percent,
  planBuckets,
  scopeFilter,
  validateFilter,
  validateGroupBy,
} from './kpi-plan';
import { backlogDay, dirtyBuckets } from './kpis.service';
import { csvLine } from './kpi-format';

const d = (s: string) => new Date(s);
const lead = { id: '7', role: 'team_lead' as const, teamId: '1', teamIds: ['1'], name: 'L' };

describe('KPI planning', () => {
  it('starts weeks on Monday and months on the 1st (UTC)', () => {
    expect(bucketStart(d('2026-03-08T23:59:00Z'), 'week')).toEqual(d('2026-03-02T00:00:00Z'));
    expect(bucketStart(d('2026-03-02T00:00:00Z'), 'week')).toEqual(d('2026-03-02T00:00:00Z'));
    expect(bucketStart(d('2026-03-31T12:00:00Z'), 'month')).toEqual(d('2026-03-01T00:00:00Z'));
  });

  it('clips edge buckets to the range and marks only whole ones as full', () => {
    const b = planBuckets(d('2026-04-01T00:00:00Z'), d('2026-04-20T00:00:00Z'), 'week');
    expect(
      b.map((x) => [x.start.toISOString().slice(0, 10), x.end.toISOString().slice(0, 10), x.full]),
    ).toEqual([
      ['2026-04-01', '2026-04-06', false],
      ['2026-04-06', '2026-04-13', true],
      ['2026-04-13', '2026-04-20', true],
    ]);
    expect(
      planBuckets(d('2026-01-01T00:00:00Z'), d('2026-03-01T00:00:00Z'), 'month').every(
        (x) => x.full,
      ),
    ).toBe(true);
  });

  it('refuses unbounded, inverted and too long ranges and unknown keys', () => {
    expect(() => validateFilter({ from: d('2026-01-01T00:00:00Z') }, 100)).toThrow(
      'filter.to: is required',
    );
    expect(() =>
      validateFilter({ from: d('2026-02-01T00:00:00Z'), to: d('2026-01-01T00:00:00Z') }, 100),
    ).toThrow('must be after filter.from');
    expect(() =>
      validateFilter({ from: d('2026-01-01T00:00:00Z'), to: d('2026-12-01T00:00:00Z') }, 100),
    ).toThrow('at most 100 days');
    expect(() => validateGroupBy(['team', 'quarter'])).toThrow('unknown group key "quarter"');
    expect(() => validateGroupBy(['day', 'week'])).toThrow('one time grain at most');
    expect(() => validateGroupBy(['team', 'team'])).toThrow('given twice');
    expect(validateGroupBy(['week', 'agent'])).toEqual({ grain: 'week', dims: ['agent'] });
  });

  it('limits team leads to their teams', () => {
    const f = validateFilter(
      { from: d('2026-01-01T00:00:00Z'), to: d('2026-02-01T00:00:00Z') },
      100,
    );
    expect(scopeFilter(lead, f, ['1', '3']).values.team).toEqual(['1', '3']);
    expect(() => scopeFilter(lead, { ...f, values: { team: ['2'] } }, ['1'])).toThrow(
      'team 2 is not one of your teams',
    );
    expect(() => scopeFilter(lead, f, [])).toThrow('you lead no team');
    expect(() => scopeFilter({ ...lead, role: 'agent' }, f, ['1'])).toThrow(
      'may not read support KPIs',
    );
    expect(scopeFilter({ ...lead, role: 'admin' }, f, [])).toBe(f);
  });

  it('answers from the cells only when one dimension is involved', () => {
    const f = { from: d('2026-01-01T00:00:00Z'), to: d('2026-02-01T00:00:00Z'), values: {} };
    expect(cellDimension('week', [], f)).toBe('all');
    expect(cellDimension('week', ['team'], f)).toBe('team');
    expect(cellDimension('week', ['team'], { ...f, values: { team: ['1', '2'] } })).toBe('team');
    expect(cellDimension('week', [], { ...f, values: { team: ['1'] } })).toBe('team');
    expect(cellDimension('week', [], { ...f, values: { team: ['1', '2'] } })).toBeNull();
    expect(cellDimension('week', ['team', 'agent'], f)).toBeNull();
    expect(cellDimension(null, [], f)).toBeNull();
    // the cells keep no group of absent values apart
    expect(cellDimension('week', ['agent'], { ...f, none: ['agent'] })).toBeNull();
  });

  it('selects the group without a value (filter.noValue), one way per dimension', () => {
    const r = { from: d('2026-01-01T00:00:00Z'), to: d('2026-02-01T00:00:00Z') };
    expect(validateFilter({ ...r, noValue: ['agent', 'segment'] }, 100).none).toEqual([
      'agent',
      'segment',
    ]);
    expect(validateFilter(r, 100).none).toBeUndefined();
    expect(() => validateFilter({ ...r, noValue: ['agent'], agentIds: ['4'] }, 100)).toThrow(
      'give one or the other',
    );
    expect(() => validateFilter({ ...r, noValue: ['colour'] }, 100)).toThrow('is not one of');
    const f = validateFilter({ ...r, noValue: ['team'] }, 100);
    expect(() => scopeFilter(lead, f, ['1'])).toThrow('tickets without a team');
  });

  it('rounds percentages and names the hours basis', () => {
    expect(percent(1, 3)).toBe(33.33);
    expect(percent(2, 3)).toBe(66.67);
    expect(percent(0, 0)).toBeNull();
    expect([hoursBasis(0, 0), hoursBasis(0, 2), hoursBasis(2, 2), hoursBasis(1, 2)]).toEqual([
      'none',
      'calendar',
      'business',
      'mixed',
    ]);
  });

  it('marks the buckets a change touches, never past now', () => {
    const now = d('2026-03-04T12:00:00Z');
    const b = dirtyBuckets(
      {
        days: [d('2026-02-27T00:00:00Z')],
        ranges: [{ from: d('2026-03-03T08:00:00Z'), to: null }],
      },
      now,
    );
    expect(b.day.map((x) => x.toISOString().slice(0, 10))).toEqual([
      '2026-02-27',
      '2026-03-03',
      '2026-03-04',
    ]);
    expect(b.week.map((x) => x.toISOString().slice(0, 10))).toEqual(['2026-02-23', '2026-03-02']);
    expect(b.month.map((x) => x.toISOString().slice(0, 10))).toEqual(['2026-02-01', '2026-03-01']);
    expect(backlogDay(d('2026-03-02T00:00:00Z'), now)).toEqual(d('2026-03-01T00:00:00Z'));
    expect(backlogDay(d('2026-03-02T12:00:00Z'), now)).toBeNull();
    expect(backlogDay(d('2026-04-01T00:00:00Z'), now)).toEqual(d('2026-03-04T00:00:00Z'));
  });

  it('writes CSV lines with quoting and no formula injection', () => {
    expect(csvLine(['a', 1, null, 'x,y', 'say "hi"', '=SUM(A1)'])).toBe(
      `a,1,,"x,y","say ""hi""",'=SUM(A1)\r\n`,
    );
  });
});
