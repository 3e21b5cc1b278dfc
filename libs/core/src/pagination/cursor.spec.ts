import { DomainError } from '../errors/domain-error';
import { decodeCursor, encodeCursor, pageSize } from './cursor';
import { toConnection } from './connection';

describe('cursors', () => {
  it('round-trips values for the same ordering', () => {
    const c = encodeCursor('updated_desc', ['2026-01-01T00:00:00.000Z', 42]);
    expect(decodeCursor(c, 'updated_desc', 2)).toEqual(['2026-01-01T00:00:00.000Z', 42]);
  });

  it.each(['', 'not base64!', Buffer.from('{"a":1}').toString('base64url'), 'x'.repeat(2000)])(
    'rejects malformed cursor %#',
    (c) => {
      expect(() => decodeCursor(c, 'o', 1)).toThrow(/after: malformed cursor/);
    },
  );

  it('rejects a cursor issued for another ordering', () => {
    const c = encodeCursor('priority', [1, 2]);
    expect(() => decodeCursor(c, 'updated_desc', 2)).toThrow(/issued for ordering "priority"/);
  });

  it('throws BAD_USER_INPUT domain errors', () => {
    try {
      decodeCursor('@@', 'o', 1, 'before');
      throw new Error('not reached');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('BAD_USER_INPUT');
      expect((e as DomainError).details.field).toBe('before');
    }
  });

  it('caps the page size', () => {
    expect(pageSize(undefined)).toBe(25);
    expect(pageSize(100)).toBe(100);
    expect(() => pageSize(101)).toThrow('first: must be a whole number from 1 to 100');
    expect(() => pageSize(0)).toThrow();
    expect(() => pageSize(-5)).toThrow();
  });

  it('builds a connection with the extra row as the next-page probe', () => {
    const conn = toConnection(
      [1, 2, 3],
      2,
      (n) => `c${n}`,
      (n) => ({ n }),
      false,
    );
    expect(conn.edges.map((e) => e.node.n)).toEqual([1, 2]);
    expect(conn.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: 'c1',
      endCursor: 'c2',
    });
    expect(toConnection([], 2, String, (n) => n, false).pageInfo.endCursor).toBeNull();
  });
});
