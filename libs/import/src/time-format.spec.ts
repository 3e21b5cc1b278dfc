import { TimeFormatError, compileTimeParser } from './time-format';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('compileTimeParser', () => {
  it('reads ISO 8601 by default, with or without an offset', () => {
    const p = compileTimeParser(undefined, 'UTC');
    expect(iso(p('2024-02-01T09:30:00Z'))).toBe('2024-02-01T09:30:00.000Z');
    expect(iso(p('2024-02-01T09:30:00.123456+01:00'))).toBe('2024-02-01T08:30:00.123Z');
    expect(iso(p('2024-02-01 09:30'))).toBe('2024-02-01T09:30:00.000Z');
    expect(iso(p('2024-02-01'))).toBe('2024-02-01T00:00:00.000Z');
    expect(p('2024-02-30T00:00:00Z')).toBeNull();
    expect(p('yesterday')).toBeNull();
  });

  it('applies the time zone to values without an offset, across DST', () => {
    const p = compileTimeParser('yyyy/MM/dd HH:mm:ss.SSS', 'Europe/Amsterdam');
    expect(iso(p('2024/01/08 09:00:00.250'))).toBe('2024-01-08T08:00:00.250Z'); // CET, +01:00
    expect(iso(p('2024/07/08 09:00:00.000'))).toBe('2024-07-08T07:00:00.000Z'); // CEST, +02:00
    expect(iso(p('2024/03/31 03:30:00.000'))).toBe('2024-03-31T01:30:00.000Z'); // just after the switch
  });

  it('knows 12-hour clocks, month names, epoch seconds and literals', () => {
    expect(iso(compileTimeParser('dd MMM yyyy hh:mm a')('05 Mar 2024 01:15 PM'))).toBe(
      '2024-03-05T13:15:00.000Z',
    );
    expect(iso(compileTimeParser('X')('1700000000'))).toBe('2023-11-14T22:13:20.000Z');
    expect(iso(compileTimeParser("yyyy-MM-dd'T'HH:mmZZ")('2024-03-05T13:15+02:00'))).toBe(
      '2024-03-05T11:15:00.000Z',
    );
    expect(compileTimeParser('dd.MM.yyyy')('31.04.2024')).toBeNull();
  });

  it('refuses unknown tokens and zones with a message that says what to use', () => {
    expect(() => compileTimeParser('yyyy-MM-dd Q')).toThrow(TimeFormatError);
    expect(() => compileTimeParser('yyyy-MM-dd Q')).toThrow(/unknown token "Q"/);
    expect(() => compileTimeParser(undefined, 'Mars/Olympus')).toThrow(/unknown time zone/);
    expect(() => compileTimeParser('HH:mm')).toThrow(/needs at least a year and a month/);
  });
});
