import { DomainError } from '../errors/domain-error';
import { encodeCursor } from './cursor';
import { Keyset, validKeyValue } from './keyset';

describe('Keyset', () => {
  const byUpdated = new Keyset<[string, string]>('tickets_updated_desc', [
    { kind: 'timestamp' },
    { kind: 'id' },
  ]);

  it('round-trips its own cursors and gives null without one', () => {
    const c = byUpdated.encode(['2026-01-01T10:00:00.123456Z', '42']);
    expect(byUpdated.decode(c)).toEqual(['2026-01-01T10:00:00.123456Z', '42']);
    expect(byUpdated.decode(undefined)).toBeNull();
    expect(byUpdated.decode(null)).toBeNull();
  });

  it.each([
    ['a time that is not one', ['yesterday', '1']],
    ['an impossible date', ['2026-13-45T00:00:00Z', '1']],
    ['an id that is not a number', ['2026-01-01T00:00:00Z', '1 OR 1=1']],
    ['an id over bigint', ['2026-01-01T00:00:00Z', '9'.repeat(25)]],
    ['a number for a string', [5, '1']],
    ['null', [null, '1']],
  ])('refuses a well-formed cursor carrying %s, naming the argument', (_, values) => {
    const forged = encodeCursor('tickets_updated_desc', values as (string | number | null)[]);
    try {
      byUpdated.decode(forged, 'before');
      throw new Error('not reached');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('BAD_USER_INPUT');
      expect((e as DomainError).details.field).toBe('before');
      expect((e as DomainError).message).toMatch(/^before: malformed cursor/);
    }
  });

  it('checks each kind', () => {
    expect(validKeyValue({ kind: 'smallint' }, 3)).toBe(true);
    expect(validKeyValue({ kind: 'smallint' }, 1e6)).toBe(false);
    expect(validKeyValue({ kind: 'smallint' }, 1.5)).toBe(false);
    expect(validKeyValue({ kind: 'number' }, 12.5)).toBe(true);
    expect(validKeyValue({ kind: 'number' }, 'lots')).toBe(false);
    expect(validKeyValue({ kind: 'date', infinity: true }, 'infinity')).toBe(true);
    expect(validKeyValue({ kind: 'date' }, 'infinity')).toBe(false);
    expect(validKeyValue({ kind: 'date' }, '2026-02-30x')).toBe(false);
    expect(validKeyValue({ kind: 'text', pattern: /^t\d+$/ }, 't001')).toBe(true);
    expect(validKeyValue({ kind: 'text', pattern: /^t\d+$/ }, 'x')).toBe(false);
    expect(validKeyValue({ kind: 'text' }, 'a\u0000b')).toBe(false);
  });

  it('builds the row comparison with typed placeholders', () => {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const byName = new Keyset<[string, string]>('users', [
      { kind: 'text', wrap: (v) => `lower(${v})` },
      { kind: 'id' },
    ]);
    expect(byName.predicate(['lower(name)', 'id'], '>', ['Ann', '7'], p)).toBe(
      '(lower(name), id) > (lower($1::text), $2::bigint)',
    );
    expect(params).toEqual(['Ann', '7']);
    expect(() => byName.predicate(['id'], '>', ['Ann', '7'], p)).toThrow(/1 columns for 2/);
  });
});
