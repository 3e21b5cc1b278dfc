import { describe, expect, it } from 'vitest';
import { formatTarget, generatePassword } from './useFieldErrors';

describe('admin form helpers', () => {
  it('writes SLA targets in days, hours and minutes', () => {
    expect(formatTarget(45)).toBe('45 min');
    expect(formatTarget(90)).toBe('1 h 30 min');
    expect(formatTarget(1440)).toBe('1 d');
    expect(formatTarget(2 * 1440 + 61)).toBe('2 d 1 h 1 min');
  });

  it('proposes passwords long enough for the api and never the same twice', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    expect(a.length).toBeGreaterThanOrEqual(12);
    expect(generatePassword()).not.toBe(a);
  });
});
