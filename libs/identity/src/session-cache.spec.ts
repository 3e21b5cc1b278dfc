import type { UserRow } from './identity.repository';
import { SessionUserCache, VerifiedTokens } from './session-cache';

const row = (id: string, role: UserRow['role'] = 'agent'): UserRow => ({
  id,
  email: `${id}@t.local`,
  name: id,
  role,
  teamId: null,
  teamIds: [],
  active: true,
  createdAt: new Date(0),
  lastLoginAt: null,
  tokenVersion: 0,
});

describe('SessionUserCache', () => {
  it('answers only under the stamp the row was read with, and drops it on another', () => {
    const c = new SessionUserCache(5_000, 10);
    c.set('1', row('1'), null, 0);
    expect(c.get('1', null, 1)?.id).toBe('1');
    expect(c.get('1', '1', 2)).toBeNull(); // stamped since: re-read
    expect(c.get('1', null, 3)).toBeNull(); // and gone, even for the old stamp
    c.set('1', row('1', 'admin'), '1', 4);
    expect(c.get('1', '1', 5)?.role).toBe('admin');
  });

  it('forgets a row after the TTL whatever the stamp says', () => {
    const c = new SessionUserCache(5_000, 10);
    c.set('1', row('1'), '7', 1_000);
    expect(c.get('1', '7', 5_999)).not.toBeNull();
    expect(c.get('1', '7', 6_000)).toBeNull();
  });

  it('holds at most max users, dropping the oldest first', () => {
    const c = new SessionUserCache(5_000, 2);
    c.set('1', row('1'), null, 0);
    c.set('2', row('2'), null, 0);
    c.set('3', row('3'), null, 0);
    expect(c.size).toBe(2);
    expect(c.get('1', null, 1)).toBeNull();
    expect(c.get('3', null, 1)).not.toBeNull();
  });
});

describe('VerifiedTokens', () => {
  it('remembers claims until their exp, and never tokens without one', () => {
    const v = new VerifiedTokens<{ sub: string; exp?: number }>(10);
    v.set('a', { sub: '1', exp: 100 });
    v.set('b', { sub: '2' });
    expect(v.get('a', 99_999)?.sub).toBe('1');
    expect(v.get('a', 100_000)).toBeNull();
    expect(v.get('b', 0)).toBeNull();
  });
});
