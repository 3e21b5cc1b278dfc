import { describe, expect, it } from 'vitest';
import {
  formatPeriod,
  periodFromSearch,
  periodToSearch,
  presetPeriod,
  previousPeriod,
} from './period';

const NOW = new Date('2026-11-25T15:30:00Z'); // a Wednesday
const iso = (p: { from: Date; to: Date }) => [p.from.toISOString(), p.to.toISOString()];

describe('periods (UTC)', () => {
  it('presets are whole UTC days, weeks from Monday, calendar quarters', () => {
    expect(iso(presetPeriod('this_week', NOW))).toEqual([
      '2026-11-23T00:00:00.000Z',
      '2026-11-30T00:00:00.000Z',
    ]);
    expect(iso(presetPeriod('last_4_weeks', NOW))).toEqual([
      '2026-10-26T00:00:00.000Z',
      '2026-11-23T00:00:00.000Z',
    ]);
    expect(iso(presetPeriod('this_quarter', NOW))).toEqual([
      '2026-10-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
    expect(iso(presetPeriod('last_month', new Date('2026-01-10T00:00:00Z')))).toEqual([
      '2025-12-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
    ]);
    // a Sunday belongs to the week that began the Monday before
    expect(presetPeriod('this_week', new Date('2026-11-29T23:59:00Z')).from.toISOString()).toBe(
      '2026-11-23T00:00:00.000Z',
    );
  });

  it('the previous period has the same length and ends where the period starts', () => {
    const q = presetPeriod('this_quarter', NOW); // 92 days
    expect(iso(previousPeriod(q))).toEqual([
      '2026-07-01T00:00:00.000Z',
      '2026-10-01T00:00:00.000Z',
    ]);
  });

  it('a custom period round-trips through the URL with its last day inclusive', () => {
    const s = new URLSearchParams('period=custom&from=2025-12-01&to=2025-12-07&by=team');
    const p = periodFromSearch(s, 'this_week', ['this_week', 'custom'], NOW);
    expect(iso(p)).toEqual(['2025-12-01T00:00:00.000Z', '2025-12-08T00:00:00.000Z']);
    expect(formatPeriod(p)).toBe('1 Dec 2025 – 7 Dec 2025');
    expect(periodToSearch(p, s).toString()).toBe(
      'period=custom&from=2025-12-01&to=2025-12-07&by=team',
    );
  });

  it('falls back to the default for an unknown, disallowed or inverted period', () => {
    const fallback = iso(presetPeriod('this_week', NOW));
    for (const q of [
      'period=nonsense',
      'period=last_month',
      'period=custom&from=2025-12-07&to=2025-12-01',
      'period=custom&from=yesterday&to=2025-12-01',
    ]) {
      expect(iso(periodFromSearch(new URLSearchParams(q), 'this_week', ['custom'], NOW))).toEqual(
        fallback,
      );
    }
  });
});
