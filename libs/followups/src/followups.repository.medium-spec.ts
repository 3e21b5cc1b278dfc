import { db } from '@staydesk/core';
import { MediumDatabase, fixtures, mediumDatabase } from '@staydesk/testing';
import { FollowUpsRepository } from './followups.repository';

/** The follow-ups SQL (typed query builder) against a migrated database. */
describe('FollowUpsRepository (medium)', () => {
  const repo = new FollowUpsRepository();
  let m: MediumDatabase;
  let owner: string;
  let customer: string;
  let privateTicket: string;
  let privateTeam: string;

  beforeAll(async () => {
    m = await mediumDatabase();
    // Fixtures through the typed builder too, so they follow the schema.
    const f = fixtures(m.db);
    owner = await f.user({ email: 'am@x.test', name: 'Ann', role: 'account_manager' });
    customer = await f.customer();
    privateTeam = await f.team({ name: 'Secret', isPrivate: true });
    const contact = await f.contact({ customerId: customer });
    privateTicket = await f.ticket({
      customerId: customer,
      requesterId: contact,
      subject: 'Hidden',
      teamId: privateTeam,
    });
  });
  afterAll(() => m.close());

  const base = () => ({
    customerId: customer,
    ticketId: null,
    ownerId: owner,
    kind: 'check_in' as const,
    note: null,
    createdById: owner,
  });

  it('inserts and reads back a typed row with its computed columns', async () => {
    const past = new Date(Date.now() - 3600_000);
    const f = await repo.insert(m.db, { ...base(), dueAt: past, note: 'call' });
    expect(f).toMatchObject({
      customerId: customer,
      ownerId: owner,
      kind: 'check_in',
      status: 'open',
      note: 'call',
      overdue: true,
      remindedAt: null,
    });
    expect(typeof f.id).toBe('string');
    expect(f.dueAt).toBeInstanceOf(Date);
    expect(f.dueKey).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(await repo.byIds(m.db, [f.id])).toEqual([f]);
  });

  it('pages by (due_at, id) with the keyset and filters overdue, owner and hidden teams', async () => {
    const t0 = Date.now() + 86400_000;
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push(await repo.insert(m.db, { ...base(), dueAt: new Date(t0 + (i % 2) * 1000) }));
    }
    const hidden = await repo.insert(m.db, {
      ...base(),
      ticketId: privateTicket,
      dueAt: new Date(t0),
    });
    const filter = { ownerId: owner, overdue: false, hiddenTeamIds: [privateTeam] };
    const first = await repo.list(m.db, filter, null, 3);
    const rest = await repo.list(m.db, filter, first[2], 10);
    const ids = [...first, ...rest].map((f) => f.id);
    expect(ids).toHaveLength(5);
    expect(ids).not.toContain(hidden.id);
    expect(new Set(ids)).toEqual(new Set(made.map((f) => f.id)));
    const keys = [...first, ...rest].map((f) => [f.dueKey, Number(f.id)] as const);
    expect(keys).toEqual(
      [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1])),
    );
    expect(
      (await repo.list(m.db, { ownerId: owner, overdue: false }, null, 50)).map((f) => f.id),
    ).toContain(hidden.id);
  });

  it('closes, reschedules and marks reminded once', async () => {
    const f = await repo.insert(m.db, { ...base(), dueAt: new Date(Date.now() - 1000) });
    expect((await repo.dueForReminder(m.db, 100)).map((r) => r.id)).toContain(f.id);
    expect(await repo.markReminded(m.db, f.id)).toBe(true);
    expect(await repo.markReminded(m.db, f.id)).toBe(false);
    const later = new Date(Date.now() + 3600_000);
    const moved = await repo.reschedule(m.db, f.id, later);
    expect(moved.remindedAt).toBeNull();
    expect(moved.dueAt.getTime()).toBe(later.getTime());
    const done = await repo.close(m.db, f.id, 'done', 'talked');
    expect(done).toMatchObject({ status: 'done', outcome: 'talked', overdue: false });
    expect(done.completedAt).toBeInstanceOf(Date);
    expect((await repo.forReminder(m.db, f.id))!).toMatchObject({
      ownerName: 'Ann',
      ownerEmail: 'am@x.test',
      ownerActive: true,
      customerName: 'Acme',
    });
  });

  it('moves the open follow-ups of a merged ticket to the one that stays, not the closed ones', async () => {
    const k = db(m.db);
    const { id: contact } = await k
      .selectFrom('contacts')
      .select('contacts.id')
      .where('contacts.customerId', '=', customer)
      .executeTakeFirstOrThrow();
    const ticket = () =>
      fixtures(m.db).ticket({ customerId: customer, requesterId: contact, subject: 'Merge' });
    const source = await ticket();
    const target = await ticket();
    const dueAt = new Date(Date.now() + 3600_000);
    const open = await repo.insert(m.db, { ...base(), ticketId: source, dueAt });
    const closed = await repo.insert(m.db, { ...base(), ticketId: source, dueAt });
    await repo.close(m.db, closed.id, 'done', 'called');
    const elsewhere = await repo.insert(m.db, { ...base(), ticketId: privateTicket, dueAt });
    await m.run((tx) => repo.moveOpenToTicket(tx, source, target));
    const rows = await repo.byIds(m.db, [open.id, closed.id, elsewhere.id]);
    const ticketOf = new Map(rows.map((f) => [f.id, f.ticketId]));
    expect([ticketOf.get(open.id), ticketOf.get(closed.id), ticketOf.get(elsewhere.id)]).toEqual([
      target,
      source,
      privateTicket,
    ]);
  });

  it('answers the foreign-key violation as a CONFLICT', async () => {
    await expect(
      repo.insert(m.db, { ...base(), customerId: '999999999', dueAt: new Date() }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('hides a private team’s ticket from customerOfTicket', async () => {
    expect(await repo.customerOfTicket(m.db, privateTicket)).toBe(customer);
    expect(await repo.customerOfTicket(m.db, privateTicket, [privateTeam])).toBeNull();
  });
});
