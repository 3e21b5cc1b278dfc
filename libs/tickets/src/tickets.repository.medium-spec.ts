import { sql } from 'kysely';
import { db } from '@staydesk/core';
import { IdentitySettingsRepository } from '@staydesk/identity';
import { MediumDatabase, fixtures, mediumDatabase } from '@staydesk/testing';
import { insertMailTickets } from './ticket-batch-insert';
import { TicketOrder, TicketRow, TicketsRepository, ticketSortKey } from './tickets.repository';

/**
 * The tickets SQL (typed builder and `sql` templates) against a migrated database: the queue
 * list's keyset pages and private-team visibility, createTicket's one-statement insert, optimistic
 * locking's version bump, the breach sweep, SLA policies and the mail batch insert.
 */
describe('TicketsRepository (medium)', () => {
  const repo = new TicketsRepository(new IdentitySettingsRepository());
  let m: MediumDatabase;
  let agent: string;
  let lead: string;
  let member: string;
  let customer: string;
  let contact: string;
  let privateTeam: string;
  let publicTeam: string;
  const made: TicketRow[] = [];

  const events = (at: Date) => [
    { actorId: agent, type: 'created', fromValue: null, toValue: 'new', createdAt: at },
  ];
  const audit = () => ({ actorId: agent, action: 'ticket.create', details: { via: 'medium' } });
  const outbox = { type: 'ticket.created', traceContext: null };
  const newTicket = (subject: string, at: Date) => ({
    requesterId: contact,
    subject,
    channel: 'email' as const,
    priority: 'high' as const,
    status: 'new' as const,
    assigneeId: null,
    tags: ['vip'],
    createdById: agent,
    firstResponseAt: null,
    lastMessageAt: null,
    createdAt: at,
  });

  beforeAll(async () => {
    m = await mediumDatabase();
    const k = db(m.db);
    const f = fixtures(m.db);
    agent = await f.user({ email: 'agent@x.test' });
    lead = await f.user({ email: 'lead@x.test', role: 'team_lead' });
    member = await f.user({ email: 'member@x.test' });
    customer = await f.customer({ customFields: JSON.stringify({ account_code: 'A-1' }) });
    contact = await f.contact({ customerId: customer });
    privateTeam = await f.team({ name: 'Secret', isPrivate: true, leadId: lead });
    publicTeam = await f.team({ name: 'Open' });
    await f.member(member, privateTeam);
    await k
      .insertInto('slaPolicies')
      .values([
        { name: 'high', priority: 'high', firstResponseMinutes: 60, resolutionMinutes: 480 },
        {
          name: 'high email pro',
          priority: 'high',
          channel: 'email',
          tier: 'pro',
          firstResponseMinutes: 30,
          resolutionMinutes: 240,
        },
      ])
      .execute();

    // twelve tickets; equal updated_at pairs, so the id breaks ties in the keyset
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 12; i++) {
      const at = new Date(t0 + Math.floor(i / 2) * 60_000);
      const t = await repo.insertCreatedResolving(
        m.db,
        { ...newTicket(`Ticket ${i}`, at), customerId: null },
        events(at),
        audit(),
        outbox,
      );
      made.push(t!);
    }
    // three of them in the private team, two in the public one
    for (const [i, team] of [
      [0, privateTeam],
      [5, privateTeam],
      [9, privateTeam],
      [3, publicTeam],
      [4, publicTeam],
    ] as const) {
      made[i] = await m.run(async (tx) => {
        const t = (await repo.lockById(tx, made[i].id))!;
        return repo.update(tx, t.id, { teamId: team, updatedAt: new Date() }, t.updatedAt);
      });
    }
  });
  afterAll(() => m.close());

  it('creates a ticket with its policy, due times, events, audit and outbox row in one statement', async () => {
    const t = made[1];
    expect(typeof t.id).toBe('string');
    expect(t).toMatchObject({
      customerId: customer,
      requesterId: contact,
      subject: 'Ticket 1',
      channel: 'email',
      priority: 'high',
      status: 'new',
      tags: ['vip'],
      version: 1,
      customFields: {},
      externalIds: [],
    });
    // the most specific policy (email + pro): 30 and 240 minutes
    expect(t.firstResponseDueAt!.getTime() - t.createdAt.getTime()).toBe(30 * 60_000);
    expect(t.resolutionDueAt!.getTime() - t.createdAt.getTime()).toBe(240 * 60_000);
    expect(t.nextDueAt).toEqual(t.firstResponseDueAt);
    expect(t.updatedKey).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(await repo.events(m.db, [t.id])).toMatchObject([
      { ticketId: t.id, actorId: agent, type: 'created', toValue: 'new' },
    ]);
    const k = db(m.db);
    const out = await k
      .selectFrom('outbox')
      .select(sql<string>`payload::text`.as('payload'))
      .where(sql<boolean>`payload->>'ticketId' = ${t.id}`)
      .executeTakeFirstOrThrow();
    // ids as strings in the payload, as before the conversion
    expect(JSON.parse(out.payload)).toEqual({ ticketId: t.id, customerId: customer });
    const a = await k
      .selectFrom('auditLog')
      .select(['auditLog.entityId', 'auditLog.action'])
      .where('auditLog.entityId', '=', t.id)
      .executeTakeFirstOrThrow();
    expect(a.action).toBe('ticket.create');
  });

  it('inserts nothing for a contact of another customer', async () => {
    const at = new Date();
    const none = await repo.insertCreatedResolving(
      m.db,
      { ...newTicket('Wrong customer', at), customerId: '999999' },
      events(at),
      audit(),
      outbox,
    );
    expect(none).toBeNull();
    expect(await repo.createContext(m.db, contact, 'high', 'email')).toMatchObject({
      requesterId: contact,
      customerId: customer,
      policy: { name: 'high email pro', firstResponseMinutes: 30, businessHours: false },
    });
    expect(await repo.createContext(m.db, '999999', 'high', 'email')).toBeNull();
  });

  it('bumps the version on every update and keeps snake_case custom field keys', async () => {
    const before = made[2];
    await db(m.db)
      .updateTable('tickets')
      .set({ customFields: JSON.stringify({ product_area: 'billing' }) })
      .where('tickets.id', '=', before.id)
      .execute();
    const after = await repo.update(m.db, before.id, { subject: 'Renamed' }, new Date());
    expect(after.version).toBe(before.version + 1);
    expect(after.subject).toBe('Renamed');
    expect(after.customFields).toEqual({ product_area: 'billing' });
    expect((await repo.byNumber(m.db, after.number))!.customFields).toEqual({
      product_area: 'billing',
    });
  });

  const pages = async (
    order: TicketOrder,
    viewer: { id: string; teamIds: string[] } | undefined,
    size: number,
  ) => {
    const seen: TicketRow[] = [];
    let after: [string | number, string] | null = null;
    for (;;) {
      const page = await repo.list(m.db, { viewer }, order, after, size + 1);
      seen.push(...page.slice(0, size));
      if (page.length <= size) return seen;
      const last = page[size - 1];
      after = [ticketSortKey(last, order), last.id];
    }
  };

  it.each(['updated_desc', 'created_desc', 'priority', 'due'] as const)(
    'pages the queue by %s with the keyset cursor: every ticket once, in order',
    async (order) => {
      const all = await repo.list(m.db, {}, order, null, 100);
      const paged = await pages(order, undefined, 5);
      expect(paged.map((t) => t.id)).toEqual(all.map((t) => t.id));
      expect(new Set(paged.map((t) => t.id)).size).toBe(paged.length);
      expect(paged.length).toBeGreaterThanOrEqual(made.length);
    },
  );

  it('leaves private-team tickets out for an outsider, not for a member or the lead', async () => {
    const hidden = [made[0].id, made[5].id, made[9].id];
    const outsider = (await pages('updated_desc', { id: agent, teamIds: [publicTeam] }, 4)).map(
      (t) => t.id,
    );
    for (const id of hidden) expect(outsider).not.toContain(id);
    expect(outsider).toContain(made[3].id);
    const asMember = (await pages('updated_desc', { id: member, teamIds: [privateTeam] }, 4)).map(
      (t) => t.id,
    );
    const asLead = (await pages('updated_desc', { id: lead, teamIds: [] }, 4)).map((t) => t.id);
    for (const id of hidden) {
      expect(asMember).toContain(id);
      expect(asLead).toContain(id);
    }
    expect(await repo.count(m.db, { viewer: { id: agent, teamIds: [] } }, 10_000)).toBe(
      outsider.length,
    );
    expect(await repo.count(m.db, {}, 3)).toBe(3);
  });

  it('filters by team (one id and several), search by number and reads relations as JSON', async () => {
    const one = await repo.list(m.db, { teamIds: [publicTeam] }, 'updated_desc', null, 50);
    expect(one.map((t) => t.id).sort()).toEqual([made[3].id, made[4].id].sort());
    const two = await repo.list(
      m.db,
      { teamIds: [publicTeam, privateTeam] },
      'updated_desc',
      null,
      50,
    );
    expect(two).toHaveLength(5);
    const t = made[7];
    await repo.insertMessage(m.db, {
      ticketId: t.id,
      kind: 'customer_message',
      authorUserId: null,
      authorContactId: contact,
      body: 'The invoice is wrong',
      sentiment: -0.5,
      createdAt: new Date(),
    });
    const [found] = await repo.list(m.db, { search: `#${t.number}` }, 'updated_desc', null, 10, {
      customer: true,
      requester: true,
      assignee: true,
      lastMessage: true,
    });
    expect(found.id).toBe(t.id);
    expect(found.$customer).toMatchObject({
      id: customer,
      name: 'Acme',
      customFields: { account_code: 'A-1' },
    });
    expect(found.$requester).toMatchObject({ id: contact, customerId: customer });
    expect(found.$assignee).toBeNull();
    expect(found.$lastMessage).toMatchObject({
      ticketId: t.id,
      kind: 'customer_message',
      body: 'The invoice is wrong',
    });
    const text = await repo.list(m.db, { search: 'invoice' }, 'updated_desc', null, 10);
    expect(text.map((x) => x.id)).toEqual([t.id]);
    expect(await repo.lastMessages(m.db, [t.id], false)).toMatchObject([
      { ticketId: t.id, body: 'The invoice is wrong' },
    ]);
  });

  it('finds solved tickets to auto-close and counts open ones per customer', async () => {
    const t = made[10];
    await repo.update(
      m.db,
      t.id,
      { status: 'solved', solvedAt: new Date(Date.now() - 86_400_000) },
      new Date(),
    );
    expect(await m.run((tx) => repo.solvedBefore(tx, new Date(), 10))).toEqual([t.id]);
    const [open] = await repo.countOpenByCustomer(m.db, [customer]);
    expect(open).toEqual({ customerId: customer, n: made.length - 1 });
  });

  it('sweeps breaches once and records one event per breached target', async () => {
    const t = made[11];
    await db(m.db)
      .updateTable('tickets')
      .set({ firstResponseDueAt: new Date(Date.now() - 60_000), nextDueAt: new Date(0) })
      .where('tickets.id', '=', t.id)
      .execute();
    const first = await repo.markBreaches(m.db);
    expect(first.firstResponse).toBeGreaterThanOrEqual(1);
    const again = await repo.markBreaches(m.db);
    expect(again).toEqual({ firstResponse: 0, resolution: 0, nextReply: 0 });
    const evs = await repo.events(m.db, [t.id]);
    expect(evs.filter((e) => e.type === 'sla_breached').map((e) => e.toValue)).toContain(
      'first_response',
    );
    expect((await repo.byIds(m.db, [t.id]))[0].firstResponseBreached).toBe(true);
  });

  it('administers SLA policies: one active policy per priority, channel and tier', async () => {
    const p = await repo.insertPolicy(m.db, {
      name: 'urgent chat',
      priority: 'urgent',
      channel: 'chat',
      tier: null,
      firstResponseMinutes: 5,
      resolutionMinutes: 60,
      businessHours: false,
      nextReplyMinutes: 15,
    });
    expect(p).toMatchObject({ priority: 'urgent', channel: 'chat', active: true });
    await expect(
      repo.insertPolicy(m.db, { ...p, name: 'again', nextReplyMinutes: null }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const changed = await repo.updatePolicy(m.db, p.id, { ...p, resolutionMinutes: 90 });
    expect(changed.resolutionMinutes).toBe(90);
    expect(await repo.policyFor(m.db, 'urgent', 'chat', 'free')).toMatchObject({ id: p.id });
    expect((await repo.listPolicies(m.db)).map((x) => x.priority)[0]).toBe('urgent');
    expect(await repo.deactivatePolicy(m.db, p.id)).toBe(true);
    expect(await repo.deactivatePolicy(m.db, p.id)).toBe(false);
    expect(await repo.lockActivePolicy(m.db, p.id)).toBeNull();
    expect(await repo.policyById(m.db, p.id)).toMatchObject({ active: false });
  });

  it('opens a batch of mail tickets in input order with their messages', async () => {
    const opened = await insertMailTickets(m.db, [
      { requesterId: contact, customerId: customer, subject: ' First ', body: 'Hello' },
      { requesterId: contact, customerId: customer, subject: '', body: 'Again' },
    ]);
    expect(opened).toHaveLength(2);
    expect(Number(opened[1].ticketId)).toBeGreaterThan(Number(opened[0].ticketId));
    const [a, b] = await repo
      .byIds(m.db, [opened[0].ticketId, opened[1].ticketId])
      .then((r) => r.sort((x, y) => Number(x.id) - Number(y.id)));
    expect(a).toMatchObject({ subject: 'First', channel: 'email', priority: 'normal' });
    expect(b.subject).toBe('(no subject)');
    expect(await repo.messages(m.db, a.id, null, 10)).toMatchObject([
      { id: opened[0].messageId, body: 'Hello', kind: 'customer_message' },
    ]);
  });

  it('picks an auto-assignee under the cap, locking the team row', async () => {
    await db(m.db)
      .updateTable('teams')
      .set({ assignmentMode: 'round_robin', assignmentCap: 5 })
      .where('teams.id', '=', publicTeam)
      .execute();
    await db(m.db).insertInto('userTeams').values({ userId: agent, teamId: publicTeam }).execute();
    const picked = await m.run((tx) => repo.pickAutoAssignee(tx, publicTeam));
    expect(picked).toEqual({ userId: agent, mode: 'round_robin', cap: 5 });
    // the round robin's stamp (identity's write, on the same transaction)
    const { lastAutoAssignedAt } = await db(m.db)
      .selectFrom('users')
      .select('users.lastAutoAssignedAt')
      .where('users.id', '=', agent)
      .executeTakeFirstOrThrow();
    expect(lastAutoAssignedAt).toBeInstanceOf(Date);
    expect(await m.run((tx) => repo.pickAutoAssignee(tx, privateTeam))).toBeNull();
  });
});
