import { db } from '@staydesk/core';
import { MediumDatabase, fixtures, mediumDatabase } from '@staydesk/testing';
import { SurveysRepository } from './surveys.repository';
import type { StatsGroup } from './survey-stats.sql';

/** The survey SQL (builder and `sql` templates) against a migrated database. */
describe('SurveysRepository (medium)', () => {
  const repo = new SurveysRepository();
  let m: MediumDatabase;
  let admin: string;
  let lead: string;
  let team: string;
  let customer: string;
  let contacts: string[];
  let tickets: string[];

  beforeAll(async () => {
    m = await mediumDatabase();
    const f = fixtures(m.db);
    admin = await f.user({ email: 'admin@x.test', role: 'admin' });
    lead = await f.user({ email: 'lead@x.test', role: 'team_lead' });
    team = await f.team({
      name: 'Support',
      leadId: lead,
      timezone: 'Europe/Paris',
      businessHours: JSON.stringify({ mon: [['09:00', '17:00']], sat: [] }),
    });
    customer = await f.customer();
    contacts = [];
    for (const n of ['a', 'b', 'c']) {
      contacts.push(
        await f.contact({ customerId: customer, name: n.toUpperCase(), email: `${n}@acme.test` }),
      );
    }
    tickets = [];
    for (const requesterId of contacts.slice(0, 2)) {
      tickets.push(
        await f.ticket({
          customerId: customer,
          requesterId,
          subject: `Help ${requesterId}`,
          status: 'solved',
          solveCount: 1,
          teamId: team,
          assigneeId: lead,
        }),
      );
    }
  });
  afterAll(() => m.close());

  const csat = (i: number, salt: string, id: string) => ({
    id,
    tokenHash: `hash-${salt}`,
    ticketId: tickets[i],
    solveCycle: 1,
    contactId: contacts[i],
    customerId: customer,
    teamId: team,
    agentId: lead,
    salt,
  });

  it('decides a CSAT batch: reads by position drawing ids, locks, inserts once per solve with the token hashes', async () => {
    const asked = [
      { ticketId: tickets[1], solveCycle: 1 },
      { ticketId: '999999999', solveCycle: 1 },
      { ticketId: tickets[0], solveCycle: 1 },
    ];
    const read = await repo.csatTickets(m.db, asked);
    expect(read.map((r) => [r.ord, r.id])).toEqual(
      expect.arrayContaining([
        [1, tickets[1]],
        [3, tickets[0]],
      ]),
    );
    expect(read).toHaveLength(2);
    expect(read.find((r) => r.ord === 3)).toEqual({
      ord: 3,
      id: tickets[0],
      status: 'solved',
      solveCount: 1,
      customerId: customer,
      requesterId: contacts[0],
      teamId: team,
      assigneeId: lead,
      optOut: false,
      bouncing: false,
      contactName: 'A',
      contactEmail: 'a@acme.test',
      customerName: 'Acme',
      ticketSubject: `Help ${contacts[0]}`,
      existingId: null,
      existingSent: false,
      newId: expect.stringMatching(/^\d+$/),
    });
    const idOf = (ord: number) => read.find((r) => r.ord === ord)!.newId!;
    // one id per solve without a survey, each its own
    expect(idOf(3)).not.toEqual(idOf(1));
    const inserted = await m.run(async (tx) => {
      await repo.lockContacts(tx, [contacts[1], contacts[0], contacts[1]]);
      expect(await repo.surveyedWithinMany(tx, contacts, 30)).toEqual(new Set());
      return repo.insertCsatMany(tx, [csat(0, 'salt-a', idOf(3)), csat(1, 'salt-b', idOf(1))], 14);
    });
    expect(inserted).toHaveLength(2);
    // the rows have the drawn ids
    expect(inserted.map((r) => r.id)).toEqual([idOf(3), idOf(1)]);
    expect(inserted[0]).toMatchObject({
      kind: 'csat',
      ticketId: tickets[0],
      solveCycle: 1,
      contactId: contacts[0],
      customerId: customer,
      teamId: team,
      agentId: lead,
      tokenSalt: 'salt-a',
      sentAt: null,
      score: null,
    });
    expect(typeof inserted[0].id).toBe('string');
    expect(inserted[0].expiresAt.getTime() - inserted[0].createdAt.getTime()).toBe(14 * 86_400_000);
    // the same solve again: skipped, not an error
    // a fresh id (cycle 2 has no survey), but cycle 1 of that ticket has one
    const [redrawn] = await repo.csatTickets(m.db, [{ ticketId: tickets[0], solveCycle: 2 }]);
    expect(await repo.insertCsatMany(m.db, [csat(0, 'salt-c', redrawn.newId!)], 14)).toEqual([]);
    expect(await repo.surveyedWithinMany(m.db, contacts, 30)).toEqual(
      new Set(contacts.slice(0, 2)),
    );
    const again = await repo.csatTickets(m.db, [{ ticketId: tickets[0], solveCycle: 1 }]);
    expect(again[0]).toMatchObject({
      existingId: inserted[0].id,
      existingSent: false,
      newId: null,
    });
    const ctx = await m.run((tx) => repo.contextByTokenHash(tx, 'hash-salt-b', true));
    expect(ctx).toMatchObject({
      id: inserted[1].id,
      contactName: 'B',
      contactEmail: 'b@acme.test',
      surveyOptOut: false,
      bouncing: false,
      customerName: 'Acme',
      ticketSubject: `Help ${contacts[1]}`,
      dataSentAt: null,
    });
    expect(ctx!.sendingAt).toBeInstanceOf(Date);
  });

  it('marks a delivery: sending, the journal’s data-sent mark, sent once, reminded once', async () => {
    const [s] = await repo.byTicketIds(m.db, [tickets[0]]);
    expect(await repo.markSending(m.db, s.id)).toBe(true);
    // the journal runs the compiled statement on its own connection (here: the pool)
    const one = repo.dataSentQuery(m.db, s.id);
    await m.db.query(one.sql, [...one.parameters]);
    expect((await repo.context(m.db, s.id))!.dataSentAt).toBeInstanceOf(Date);
    await repo.clearSending(m.db, s.id);
    expect(await repo.context(m.db, s.id)).toMatchObject({ sendingAt: null, dataSentAt: null });
    const [other] = await repo.byTicketIds(m.db, [tickets[1]]);
    // the CSAT batch's hand-over mark: handed over and sent in one write, undone by a refusal
    const many = repo.handedOverManyQuery(m.db, [s.id, other.id]);
    await m.db.query(many.sql, [...many.parameters]);
    const handed = await repo.context(m.db, other.id);
    expect(handed!.sentAt).toBeInstanceOf(Date);
    expect(handed!.sentAt).toEqual(handed!.dataSentAt);
    await repo.clearSending(m.db, other.id, true);
    expect(await repo.context(m.db, other.id)).toMatchObject({
      sendingAt: null,
      dataSentAt: null,
      sentAt: null,
    });
    // after the server's answer: sent_at where the mark is missing, none rewritten
    await repo.sentBarrier(m.db, [s.id, other.id]);
    const sent = await repo.context(m.db, s.id);
    expect(sent!.sentAt).toBeInstanceOf(Date);
    expect(sent!.sentAt).toEqual(sent!.dataSentAt);
    // sent after the server's answer (not by the hand-over mark): a later failure leaves it
    await repo.clearSending(m.db, other.id, true);
    expect((await repo.context(m.db, other.id))!.sentAt).toBeInstanceOf(Date);
    // once sent, nothing changes the delivery marks any more
    expect(await repo.markSending(m.db, s.id)).toBe(false);
    expect(await repo.markSent(m.db, s.id)).toBe(false);
    await repo.clearSending(m.db, s.id);
    expect((await repo.context(m.db, s.id))!.sentAt).toEqual(sent!.sentAt);
    expect(await repo.markReminded(m.db, s.id)).toBe(true);
    expect(await repo.markReminded(m.db, s.id)).toBe(false);
  });

  it('saves answers: a null score keeps the recorded one, absent CES and comment stay', async () => {
    const [s] = await repo.byTicketIds(m.db, [tickets[1]]);
    await repo.saveResponse(m.db, s.id, { score: null, nonce: 'n1' });
    expect(await repo.context(m.db, s.id)).toMatchObject({
      score: null,
      respondedAt: null,
      formNonce: 'n1',
    });
    await repo.saveResponse(m.db, s.id, { score: 2, cesScore: 3, comment: 'slow', nonce: 'n2' });
    const first = (await repo.context(m.db, s.id))!;
    expect(first).toMatchObject({ score: 2, cesScore: 3, comment: 'slow', formNonce: 'n2' });
    expect(first.respondedAt).toBeInstanceOf(Date);
    await repo.saveResponse(m.db, s.id, { score: null, nonce: 'n3' });
    await repo.saveResponse(m.db, s.id, { score: 4, comment: null, nonce: 'n4' });
    expect(await repo.context(m.db, s.id)).toMatchObject({
      score: 4,
      cesScore: 3,
      comment: null,
      formNonce: 'n4',
      respondedAt: first.respondedAt,
    });
    expect(await repo.hasRecoveryFollowUp(m.db, s.id)).toBe(false);
  });

  it('reads the team lead with its business hours as stored, and the first admin', async () => {
    expect(await repo.teamLead(m.db, team)).toEqual({
      leadId: lead,
      timezone: 'Europe/Paris',
      businessHours: { mon: [['09:00', '17:00']], sat: [] },
    });
    expect(await repo.teamLead(m.db, '999999999')).toEqual({
      leadId: null,
      timezone: null,
      businessHours: null,
    });
    expect(await repo.anyAdmin(m.db)).toBe(admin);
  });

  it('reads no lead when the team lead is deactivated', async () => {
    await db(m.db).updateTable('users').set({ active: false }).where('id', '=', lead).execute();
    try {
      expect(await repo.teamLead(m.db, team)).toMatchObject({
        leadId: null,
        timezone: 'Europe/Paris',
      });
    } finally {
      await db(m.db).updateTable('users').set({ active: true }).where('id', '=', lead).execute();
    }
  });

  it('creates an NPS batch once per period for contacts not surveyed lately', async () => {
    const created = await repo.createNpsBatch(m.db, '2026-Q4', 90, 30, 14, 100);
    // contacts a and b had a CSAT survey within the throttle window
    expect(created).toHaveLength(1);
    expect(created[0]).toEqual({ id: expect.any(String), tokenSalt: expect.any(String) });
    expect(await repo.createNpsBatch(m.db, '2026-Q4', 90, 30, 14, 100)).toEqual([]);
  });

  it('lists a customer’s latest surveys per customer and a ticket’s surveys', async () => {
    const all = await repo.byCustomerIds(m.db, [customer, '999999999'], 20);
    expect(all).toHaveLength(3);
    expect(all.map((s) => s.createdAt.getTime())).toEqual(
      [...all.map((s) => s.createdAt.getTime())].sort((a, b) => b - a),
    );
    expect(all[0]).toMatchObject({ customerId: customer });
    expect(Object.keys(all[0]).sort()).toEqual(
      Object.keys((await repo.byTicketIds(m.db, [tickets[0]]))[0]).sort(),
    );
    expect(await repo.byCustomerIds(m.db, [customer], 1)).toHaveLength(1);
    expect(await repo.byTicketIds(m.db, [])).toEqual([]);
  });

  it('computes the KPIs for every grouping', async () => {
    const f = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) };
    const byKind = await repo.stats(m.db, f, 'kind');
    expect(byKind).toEqual([
      expect.objectContaining({
        groupKey: 'csat',
        sent: 2,
        responded: 1,
        csatSent: 2,
        csatResponded: 1,
        csatResponses: 1,
        csatGood: 1,
        csatWeight: 100,
        csatGoodWeight: 100,
        cesResponses: 1,
        cesSum: 3,
      }),
    ]);
    const groups: StatsGroup[] = ['none', 'team', 'agent', 'week', 'month', 'segment'];
    for (const g of groups) {
      const rows = await repo.stats(m.db, f, g);
      expect(rows.reduce((n, r) => n + r.sent, 0)).toBe(2);
    }
    expect((await repo.stats(m.db, { ...f, teamIds: [team] }, 'team'))[0]).toMatchObject({
      groupKey: team,
      sent: 2,
    });
    expect(await repo.stats(m.db, { ...f, agentIds: [admin] }, 'agent')).toEqual([]);
  });
});
