import { Tx, db, pgCode } from '@staydesk/core';
import { MediumDatabase, mediumDatabase } from '@staydesk/testing';
import { IdentitySettingsRepository } from './identity-settings.repository';

/**
 * The writes other libraries make to users and teams (mail sender, notification e-mails,
 * availability, automatic assignment, the round robin's stamp) against a migrated database:
 * the rows each changes, and only those.
 */
describe('IdentitySettingsRepository (medium)', () => {
  const repo = new IdentitySettingsRepository();
  let m: MediumDatabase;
  let ann: string;
  let bob: string;
  let billing: string;
  let sales: string;
  const past = new Date('2020-01-01T00:00:00Z');

  const user = async (id: string) =>
    db(m.db)
      .selectFrom('users')
      .select([
        'users.notifyAssigned as assigned',
        'users.notifyCustomerReply as customerReply',
        'users.notifySlaWarning as slaWarning',
        'users.availability',
        'users.lastAutoAssignedAt',
        'users.updatedAt',
      ])
      .where('users.id', '=', id)
      .executeTakeFirstOrThrow();
  const team = async (id: string) =>
    db(m.db)
      .selectFrom('teams')
      .select([
        'teams.mailFromName',
        'teams.mailFromAddress',
        'teams.mailSignature',
        'teams.assignmentMode',
        'teams.assignmentCap',
        'teams.updatedAt',
      ])
      .where('teams.id', '=', id)
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    m = await mediumDatabase();
    const k = db(m.db);
    const newUser = async (email: string) =>
      (
        await k
          .insertInto('users')
          .values({ email, name: email, role: 'agent', passwordHash: 'x', updatedAt: past })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const newTeam = async (name: string) =>
      (
        await k
          .insertInto('teams')
          .values({ name, updatedAt: past })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    ann = await newUser('ann@x.test');
    bob = await newUser('bob@x.test');
    billing = await newTeam('Billing');
    sales = await newTeam('Sales');
  });

  afterAll(() => m.close());

  it('sets a team’s mail sender, false for a team that does not exist', async () => {
    const sender = {
      teamId: billing,
      fromName: 'Billing',
      fromAddress: 'b@x.test',
      signature: '--',
    };
    expect(await m.run((tx) => repo.setTeamMailSender(tx, sender))).toBe(true);
    const saved = await team(billing);
    expect(saved).toMatchObject({
      mailFromName: 'Billing',
      mailFromAddress: 'b@x.test',
      mailSignature: '--',
    });
    expect(saved.updatedAt.getTime()).toBeGreaterThan(past.getTime());
    const cleared = { teamId: billing, fromName: null, fromAddress: null, signature: null };
    expect(await repo.setTeamMailSender(m.db, cleared)).toBe(true);
    expect(await team(billing)).toMatchObject({
      mailFromName: null,
      mailFromAddress: null,
      mailSignature: null,
    });
    expect(await repo.setTeamMailSender(m.db, { ...sender, teamId: '999999999' })).toBe(false);
    expect(await team(sales)).toMatchObject({ mailFromName: null, updatedAt: past });
  });

  it('changes only the notification e-mails it is given', async () => {
    await repo.setMailNotifications(m.db, ann, { customerReply: false });
    const once = await user(ann);
    expect(once).toMatchObject({ assigned: true, customerReply: false, slaWarning: true });
    expect(once.updatedAt.getTime()).toBeGreaterThan(past.getTime());
    // null and absent keys leave their setting alone
    await repo.setMailNotifications(m.db, ann, { assigned: false, customerReply: null });
    expect(await user(ann)).toMatchObject({
      assigned: false,
      customerReply: false,
      slaWarning: true,
    });
    await repo.setMailNotifications(m.db, ann, { customerReply: true, slaWarning: false });
    expect(await user(ann)).toMatchObject({
      assigned: false,
      customerReply: true,
      slaWarning: false,
    });
    expect(await user(bob)).toMatchObject({
      assigned: true,
      customerReply: true,
      slaWarning: true,
      updatedAt: past,
    });
  });

  it('sets an agent’s availability, leaving updated_at and other users alone', async () => {
    await repo.setAvailability(m.db, bob, 'away');
    expect(await user(bob)).toMatchObject({ availability: 'away', updatedAt: past });
    expect((await user(ann)).availability).toBe('available');
    await repo.setAvailability(m.db, bob, 'available');
    expect((await user(bob)).availability).toBe('available');
  });

  it('sets a team’s automatic assignment, returning it; null for a team that does not exist', async () => {
    expect(
      await m.run((tx) =>
        repo.setTeamAssignment(tx, { teamId: sales, mode: 'least_open', cap: 3 }),
      ),
    ).toEqual({ teamId: sales, mode: 'least_open', cap: 3 });
    expect(await team(sales)).toMatchObject({
      assignmentMode: 'least_open',
      assignmentCap: 3,
      updatedAt: past,
    });
    expect(
      await repo.setTeamAssignment(m.db, { teamId: '999999999', mode: 'none', cap: 1 }),
    ).toBeNull();
    expect(await team(billing)).toMatchObject({ assignmentMode: 'none' });
  });

  it('stamps the auto-assigned agent with the clock, row-locked until the transaction ends', async () => {
    expect((await user(ann)).lastAutoAssignedAt).toBeNull();
    const stampIn = async (tx: Tx) => {
      await repo.markAutoAssigned(tx, ann);
      const { lastAutoAssignedAt } = await db(tx)
        .selectFrom('users')
        .select('users.lastAutoAssignedAt')
        .where('users.id', '=', ann)
        .executeTakeFirstOrThrow();
      if (!lastAutoAssignedAt) throw new Error('no stamp');
      return lastAutoAssignedAt.getTime();
    };
    const [first, second, blocked] = await m.rollback(async (tx) => {
      const a = await stampIn(tx);
      // another connection cannot lock the row while this transaction holds it
      const lock = await db(m.db)
        .selectFrom('users')
        .select('users.id')
        .where('users.id', '=', ann)
        .forUpdate()
        .noWait()
        .execute()
        .then(
          () => 'not locked',
          (err: unknown) => pgCode(err),
        );
      // clock_timestamp(), not the transaction's now(): a second pick in it comes later
      const b = await stampIn(tx);
      return [a, b, lock] as const;
    });
    expect(blocked).toBe('55P03');
    expect(second).toBeGreaterThan(first);
    // rolled back with the caller's transaction
    expect((await user(ann)).lastAutoAssignedAt).toBeNull();
    await repo.markAutoAssigned(m.db, bob);
    expect(await user(bob)).toMatchObject({
      lastAutoAssignedAt: expect.any(Date),
      updatedAt: past,
    });
    expect((await user(ann)).lastAutoAssignedAt).toBeNull();
  });
});
