import { describe, expect, it } from 'vitest';
import { delta, formatHours, formatMeasure, formatPercent } from './measures';

describe('KPI figures in human units', () => {
  it('durations', () => {
    expect(formatHours(0.25)).toBe('15 min');
    expect(formatHours(2.5)).toBe('2 h 30 min');
    expect(formatHours(36)).toBe('1 d 12 h');
    expect(formatHours(48)).toBe('2 d');
    expect(formatHours(0)).toBe('0 min');
    expect(formatHours(0.001)).toBe('< 1 min');
    expect(formatHours(null)).toBe('–');
    expect(formatPercent(79.537)).toBe('79.5 %');
  });

  it('a figure in its unit, the same on the KPI and the retention pages', () => {
    expect(formatMeasure('hours', 1.5)).toBe('1 h 30 min');
    expect(formatMeasure('percent', 50)).toBe('50.0 %');
    expect(formatMeasure('score', 4.25)).toBe('4.3');
    expect(formatMeasure('money', 1200.4)).toBe('$1,200');
    expect(formatMeasure('count', 12345)).toBe('12,345');
    for (const unit of ['hours', 'percent', 'score', 'money', 'count'] as const)
      expect(formatMeasure(unit, null)).toBe('–');
  });

  it('signed deltas are better or worse by the figure’s direction', () => {
    expect(delta(0.5, 1, 'hours', 'lower')).toMatchObject({ text: '−30 min', tone: 'better' });
    expect(delta(50, 100, 'percent', 'higher')).toMatchObject({ text: '−50.0 pp', tone: 'worse' });
    expect(delta(3, 1, 'count', 'lower')).toMatchObject({ text: '+2', tone: 'worse' });
    expect(delta(80, 80, 'percent', 'higher')).toMatchObject({ text: '±0.0 pp', tone: 'same' });
    expect(delta(null, 3, 'count', 'lower')).toBeNull();
    // a volume is neither better nor worse
    expect(delta(341, 469, 'count', 'neutral')).toMatchObject({
      text: '−128',
      tone: 'same',
      words: '128 fewer than the previous period',
    });
    expect(delta(0.5, 1, 'hours', 'lower')!.words).toBe(
      '30 min shorter than the previous period (better)',
    );
  });
});
