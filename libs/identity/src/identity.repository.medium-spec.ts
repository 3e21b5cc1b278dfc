import { sql } from 'kysely';
import { db } from '@staydesk/core';
import { MediumDatabase, mediumDatabase } from '@staydesk/testing';
import { IdentityRepository, TeamRow } from './identity.repository';
import { mayReadTicket } from './roles';

/**
 * The identity SQL (typed query builder) against a migrated database: sign-in lookups,
 * memberships and the team rows that private-team visibility is decided from.
 */
describe('IdentityRepository (medium)', () => {
  const repo = new IdentityRepository();
  let m: MediumDatabase;
  /** Team ids 99, 100 and 101: their text order differs from their numeric order. */
  let t99: TeamRow;
  let t100: TeamRow;
  let t101: TeamRow;
  let lead: string;

  const team = (name: string, extra: Partial<Omit<TeamRow, 'id' | 'createdAt'>> = {}) => ({
    name,
    timezone: null,
    businessHours: null,
    holidays: [],
    isPrivate: false,
    leadId: null,
    ...extra,
  });
  const user = (email: string, name: string, teamId: string | null = null) =>
    repo.insertUser(m.db, { email, name, passwordHash: 'h', role: 'agent', teamId });

  beforeAll(async () => {
    m = await mediumDatabase();
    const k = db(m.db);
    const { max } = await k
      .selectFrom('teams')
      .select(sql<number>`coalesce(max(id), 0)::int`.as('max'))
      .executeTakeFirstOrThrow();
    expect(max).toBeLessThan(99);
    await sql`SELECT setval(pg_get_serial_sequence('teams', 'id'), 98)`.execute(k);
    lead = (await user('lead@x.test', 'Lead')).id;
    t99 = await repo.insertTeam(m.db, team('Ninety-nine'));
    t100 = await repo.insertTeam(
      m.db,
      team('Secret', {
        isPrivate: true,
        leadId: lead,
        timezone: 'Europe/Berlin',
        // a snake_case key must come back as written (the builder camelCases result keys)
        businessHours: { mon: [['09:00', '17:00']], odd_key: [['10:00', '11:00']] },
        holidays: [{ date: '2026-12-25', name: 'Christmas' }],
      }),
    );
    t101 = await repo.insertTeam(m.db, team('One-o-one'));
    expect([t99.id, t100.id, t101.id]).toEqual(['99', '100', '101']);
  });
  afterAll(() => m.close());

  it('reads teams with their JSON unchanged, ordered by lower(name), and by ids', async () => {
    expect(t100).toMatchObject({
      name: 'Secret',
      isPrivate: true,
      leadId: lead,
      timezone: 'Europe/Berlin',
      businessHours: { mon: [['09:00', '17:00']], odd_key: [['10:00', '11:00']] },
      holidays: [{ date: '2026-12-25', name: 'Christmas' }],
    });
    expect(t100.createdAt).toBeInstanceOf(Date);
    const all = await repo.listTeams(m.db);
    expect(all.map((t) => t.name)).toEqual(['Ninety-nine', 'One-o-one', 'Secret']);
    expect(all[2]).toEqual(t100);
    expect((await repo.teamsByIds(m.db, [t101.id, t100.id])).map((t) => t.id).sort()).toEqual([
      '100',
      '101',
    ]);
    expect(await repo.teamsByIds(m.db, [])).toEqual([]);
    // team names are unique case-insensitively: the constraint becomes a CONFLICT
    await expect(repo.insertTeam(m.db, team('secret'))).rejects.toThrow(/already exists/);
    const moved = await repo.updateTeam(m.db, t101.id, team('One-o-one', { holidays: [] }));
    expect(moved).toMatchObject({ id: t101.id, businessHours: null, holidays: [] });
    expect(await repo.updateTeam(m.db, '999999', team('Nobody'))).toBeNull();
  });

  it('keeps memberships: home team by trigger, set exactly, listed in numeric id order', async () => {
    const u = await user('mem@x.test', 'Member', t99.id);
    // RETURNING runs before the AFTER trigger adds the home membership; a re-read sees it
    expect(u).toMatchObject({ teamId: t99.id, teamIds: [], tokenVersion: 0, active: true });
    expect((await repo.usersByIds(m.db, [u.id]))[0].teamIds).toEqual([t99.id]);
    const set = await repo.setTeams(m.db, u.id, [t101.id, t100.id, t99.id], t99.id);
    expect(set.removed).toEqual([]);
    expect([...set.added].sort()).toEqual([t100.id, t101.id].sort());
    const [read] = await repo.usersByIds(m.db, [u.id]);
    expect(read.teamIds).toEqual(['99', '100', '101']);
    const narrowed = await repo.setTeams(m.db, u.id, [t100.id], t100.id);
    expect([...narrowed.removed].sort()).toEqual(['101', '99']);
    expect(narrowed.added).toEqual([]);
    const [after] = await repo.usersByIds(m.db, [u.id]);
    expect(after).toMatchObject({ teamId: t100.id, teamIds: [t100.id] });
    const cleared = await repo.setTeams(m.db, u.id, [], null);
    expect(cleared.removed).toEqual([t100.id]);
    expect((await repo.usersByIds(m.db, [u.id]))[0]).toMatchObject({ teamId: null, teamIds: [] });
  });

  it('updates only what the patch names, and every update re-runs the home-team trigger', async () => {
    const u = await user('upd@x.test', 'Upd', t99.id);
    await db(m.db).deleteFrom('userTeams').where('userId', '=', u.id).execute();
    const renamed = await repo.updateUser(m.db, u.id, { name: 'Updated' });
    expect(renamed).toMatchObject({
      name: 'Updated',
      role: 'agent',
      teamId: t99.id,
      active: true,
      tokenVersion: 0,
    });
    // team_id is in every UPDATE's SET list: the `UPDATE OF team_id` trigger restores the membership
    expect((await repo.usersByIds(m.db, [u.id]))[0].teamIds).toEqual([t99.id]);
    const moved = await repo.updateUser(m.db, u.id, { teamId: null, role: 'team_lead' });
    expect(moved).toMatchObject({ name: 'Updated', role: 'team_lead', teamId: null });
    const pw = await repo.updateUser(m.db, u.id, { passwordHash: 'new', active: false });
    expect(pw).toMatchObject({ tokenVersion: 1, active: false, teamId: null });
    expect((await repo.findAuthById(m.db, u.id))?.passwordHash).toBe('new');
    expect(await repo.updateUser(m.db, '999999', { name: 'x' })).toBeNull();
    await expect(user('upd@x.test', 'Again')).rejects.toThrow(/already exists/);
  });

  it('finds sign-ins by e-mail case-insensitively and by id', async () => {
    const u = await user('Case@X.test', 'Case');
    const byEmail = await repo.findAuthByEmail(m.db, 'cASE@x.TEST');
    expect(byEmail).toMatchObject({ id: u.id, passwordHash: 'h', email: 'Case@X.test' });
    expect(await repo.findAuthByEmail(m.db, 'nobody@x.test')).toBeNull();
    expect(await repo.findAuthById(m.db, u.id)).toEqual(byEmail);
    expect(await repo.findAuthById(m.db, '999999')).toBeNull();
    expect(await repo.usersByIds(m.db, [])).toEqual([]);
    await repo.recordLoginSuccess(m.db, u.id);
    expect((await repo.usersByIds(m.db, [u.id]))[0].lastLoginAt).toBeInstanceOf(Date);
  });

  it('lists users by membership, role, activity and search, paged by (lower(name), id)', async () => {
    const a = await user('a@list.test', 'alice', t101.id);
    const b = await user('b@list.test', 'Bob', t99.id);
    await repo.setTeams(m.db, b.id, [t99.id, t101.id], t99.id);
    const c = await user('c@list.test', 'carol', t101.id);
    await repo.updateUser(m.db, c.id, { active: false });
    const inTeam = await repo.listUsers(m.db, { teamId: t101.id }, null, 10);
    expect(inTeam.map((u) => u.name)).toEqual(['alice', 'Bob', 'carol']);
    const page1 = await repo.listUsers(m.db, { teamId: t101.id }, null, 2);
    const page2 = await repo.listUsers(m.db, { teamId: t101.id }, [page1[1].name, page1[1].id], 2);
    expect([...page1, ...page2].map((u) => u.id)).toEqual([a.id, b.id, c.id]);
    expect(
      (await repo.listUsers(m.db, { teamId: t101.id, active: true }, null, 10)).map((u) => u.id),
    ).toEqual([a.id, b.id]);
    expect((await repo.listUsers(m.db, { search: 'LIST.TEST' }, null, 10)).length).toBe(3);
    expect((await repo.listUsers(m.db, { search: 'car' }, null, 10)).map((u) => u.id)).toEqual([
      c.id,
    ]);
    // a pattern's wildcards are literal
    expect(await repo.listUsers(m.db, { search: '%' }, null, 10)).toEqual([]);
    expect((await repo.listUsers(m.db, { role: 'admin', teamId: t101.id }, null, 10)).length).toBe(
      0,
    );
  });

  it('hides a private team from non-members only (members, its lead and admins see it)', async () => {
    const outsider = await user('out@x.test', 'Out', t99.id);
    const member = await user('in@x.test', 'In', t100.id);
    const teams = await repo.listTeams(m.db);
    const hidden = async (id: string) => {
      const [u] = await repo.usersByIds(m.db, [id]);
      return teams.filter((t) => !mayReadTicket(u, t)).map((t) => t.id);
    };
    expect(await hidden(outsider.id)).toEqual([t100.id]);
    expect(await hidden(member.id)).toEqual([]);
    expect(await hidden(lead)).toEqual([]);
    await repo.updateUser(m.db, outsider.id, { role: 'admin' });
    expect(await hidden(outsider.id)).toEqual([]);
    expect(await repo.countActiveAdmins(m.db)).toBeGreaterThanOrEqual(1);
    const admins = await repo.countActiveAdmins(m.db);
    await repo.updateUser(m.db, outsider.id, { active: false });
    expect(await repo.countActiveAdmins(m.db)).toBe(admins - 1);
  });

  it('locks a client after repeated failures and starts counting again after the lock', async () => {
    const u = await user('lock@x.test', 'Lock');
    for (let i = 0; i < 2; i++) await repo.recordLoginFailure(m.db, u.id, 'c1', 3, 15);
    expect(await repo.lockedUntil(m.db, u.id, 'c1')).toBeNull();
    await repo.recordLoginFailure(m.db, u.id, 'c1', 3, 15);
    const until = await repo.lockedUntil(m.db, u.id, 'c1');
    expect(until).toBeInstanceOf(Date);
    expect(until!.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(await repo.lockedUntil(m.db, u.id, 'c2')).toBeNull();
    // an expired lock: the next failure counts from one and unlocks
    await db(m.db)
      .updateTable('loginFailures')
      .set({ lockedUntil: sql<Date>`now() - interval '1 minute'` })
      .where('userId', '=', u.id)
      .execute();
    await repo.recordLoginFailure(m.db, u.id, 'c1', 3, 15);
    const row = await db(m.db)
      .selectFrom('loginFailures')
      .select(['failures', 'lockedUntil'])
      .where('userId', '=', u.id)
      .where('client', '=', 'c1')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ failures: 1, lockedUntil: null });
    await repo.recordLoginFailure(m.db, u.id, 'c2', 1, 5);
    expect(await repo.lockedUntil(m.db, u.id, 'c2')).toBeInstanceOf(Date);
    expect(await repo.clearLoginFailures(m.db, u.id, 'c2')).toBe(1);
    await repo.recordLoginFailure(m.db, u.id, 'c3', 5, 5);
    expect(await repo.clearLoginFailures(m.db, u.id, null)).toBe(2);
    expect(await repo.clearLoginFailures(m.db, u.id, null)).toBe(0);
  });

  it('limits reset links per hour under the user lock and retires them on use', async () => {
    const u = await user('reset@x.test', 'Reset');
    const first = await m.run((tx) => repo.insertPasswordReset(tx, u.id, null, 30, 2));
    const second = await m.run((tx) => repo.insertPasswordReset(tx, u.id, lead, 30, 2));
    expect(await m.run((tx) => repo.insertPasswordReset(tx, u.id, null, 30, 2))).toBeNull();
    expect(first!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 60_000);
    await repo.setPasswordResetHash(m.db, first!.id, Buffer.from('abc'));
    const locked = await m.run((tx) => repo.passwordResetForUpdate(tx, first!.id));
    expect(locked).toEqual({
      id: first!.id,
      userId: u.id,
      tokenHash: Buffer.from('abc'),
      expired: false,
      usedAt: null,
    });
    await repo.usePasswordResets(m.db, first!.id, u.id);
    const a = await m.run((tx) => repo.passwordResetForUpdate(tx, first!.id));
    const b = await m.run((tx) => repo.passwordResetForUpdate(tx, second!.id));
    expect(a!.usedAt).toBeInstanceOf(Date);
    expect(b!.usedAt).toBeInstanceOf(Date);
    expect(await m.run((tx) => repo.passwordResetForUpdate(tx, '999999'))).toBeNull();
  });
});
