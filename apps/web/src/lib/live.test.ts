import { describe, expect, it } from 'vitest';
import { plural } from './format';
import { resubscribeDelay } from './live';

describe('resubscribeDelay', () => {
  it('doubles from 1 s and stops at 15 s', () => {
    expect([0, 1, 2, 3, 4, 10].map(resubscribeDelay)).toEqual([
      1000, 2000, 4000, 8000, 15_000, 15_000,
    ]);
  });
});

describe('plural', () => {
  it('says "1 ticket", "2 tickets" and "10,000+ tickets"', () => {
    expect(plural(1, 'ticket')).toBe('1 ticket');
    expect(plural(2, 'ticket')).toBe('2 tickets');
    expect(plural(0, 'ticket')).toBe('0 tickets');
    expect(plural(10_001, 'ticket')).toBe('10,000+ tickets');
    expect(plural(1, 'SLA breach', 'SLA breaches')).toBe('1 SLA breach');
  });
});
