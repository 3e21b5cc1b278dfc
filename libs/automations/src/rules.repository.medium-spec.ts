import { db } from '@staydesk/core';
import { MediumDatabase, fixtures, mediumDatabase } from '@staydesk/testing';
import { NewRule, RulesRepository } from './rules.repository';

/** The rules SQL (typed builder and the time scans' templates) against a migrated database. */
describe('RulesRepository (medium)', () => {
  const repo = new RulesRepository();
  let m: MediumDatabase;
  let admin: string;
  let team: string;
  let customer: string;
  let contact: string;

  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);

  beforeAll(async () => {
    m = await mediumDatabase();
    const k = db(m.db);
    const f = fixtures(m.db);
    admin = await f.user({ email: 'ada@x.test', name: 'Ada', role: 'admin' });
    team = await f.team({ name: 'Tier 1' });
    await f.member(admin, team);
    customer = await f.customer({ accountManagerId: admin });
    contact = await f.contact({ customerId: customer });
    await k
      .insertInto('riskScores')
      .values({ customerId: customer, score: 0.8, band: 'high', factors: '{}', modelVersion: 't' })
      .execute();
  });
  afterAll(() => m.close());

  const ticket = (status: 'new' | 'open' | 'pending', extra: object = {}) =>
    fixtures(m.db).ticket({ customerId: customer, requesterId: contact, status, ...extra });

  const message = (
    ticketId: string,
    kind: 'public_reply' | 'internal_note' | 'customer_message',
    minutesAgo: number,
    body = 'text',
  ) =>
    fixtures(m.db).message({
      ticketId,
      kind,
      author: kind === 'customer_message' ? contact : admin,
      body,
      createdAt: ago(minutesAgo),
    });

  const rule = (over: Partial<NewRule> = {}): NewRule => ({
    name: 'Route billing',
    trigger: 'ticket_created',
    // snake_case keys and values inside the stored JSON must come back unchanged
    conditions: [{ field: 'custom.product_area', operator: 'is', values: ['billing_ops'] }],
    actions: {
      addTags: ['billing'],
      email: { to: 'account_manager', subject: 'Hi {{requester.first_name}}', body: 'b' },
      followUp: { inHours: 4, note: null },
    },
    active: true,
    stopProcessing: false,
    ...over,
  });

  it('saves rules with their JSON as written, snapshots each version and bumps the counter', async () => {
    const v0 = BigInt(await repo.activeVersion(m.db));
    const a = await m.run((tx) => repo.insert(tx, rule(), admin));
    const v1 = BigInt(await repo.activeVersion(m.db));
    expect(v1).toBeGreaterThan(v0);
    expect(a).toMatchObject({ ...rule(), position: 1, version: 1, createdById: admin });
    expect(typeof a.id).toBe('string');
    expect(a.createdAt).toBeInstanceOf(Date);
    const b = await m.run((tx) => repo.insert(tx, rule({ name: 'Second' }), admin));
    expect(b.position).toBe(2);

    // moving to another trigger puts it last there; staying keeps its position
    const moved = await m.run((tx) =>
      repo.update(tx, b.id, rule({ name: 'Second', trigger: 'ticket_updated' }), admin),
    );
    expect(moved).toMatchObject({ trigger: 'ticket_updated', position: 1, version: 2 });
    const again = await m.run((tx) =>
      repo.update(tx, b.id, rule({ name: 'Second!', trigger: 'ticket_updated' }), admin),
    );
    expect(again).toMatchObject({ position: 1, version: 3, name: 'Second!' });
    expect(BigInt(await repo.activeVersion(m.db))).toBeGreaterThan(v1);

    const versions = await repo.versions(m.db, b.id);
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(versions[2]).toMatchObject({
      ruleId: b.id,
      changedById: admin,
      snapshot: rule({ name: 'Second' }),
    });
    expect(await repo.byId(m.db, a.id)).toEqual(a);
    expect(await m.rollback((tx) => repo.lock(tx, a.id))).toEqual(a);

    const active = await repo.activeForChanges(m.db);
    expect(active.map((r) => r.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(active.find((r) => r.id === a.id)!.editor).toEqual({
      id: admin,
      name: 'Ada',
      role: 'admin',
      teamId: null,
      active: true,
      teamIds: [team],
    });
    expect(active.find((r) => r.id === a.id)!.conditions).toEqual(rule().conditions);

    const c = await m.run((tx) => repo.insert(tx, rule({ name: 'Third' }), admin));
    await m.run((tx) => repo.reorder(tx, [c.id, a.id]));
    expect((await repo.active(m.db, 'ticket_created')).map((r) => [r.id, r.position])).toEqual([
      [c.id, 1],
      [a.id, 2],
    ]);
    await m.run((tx) => repo.softDelete(tx, c.id, admin));
    expect(await repo.byId(m.db, c.id)).toBeNull();
    expect((await repo.list(m.db)).map((r) => r.id)).not.toContain(c.id);
    expect((await repo.activeForChanges(m.db)).map((r) => r.id)).not.toContain(c.id);
  });

  it('knows the ticket fields a condition may name', async () => {
    await db(m.db)
      .insertInto('customFieldDefinitions')
      .values({ entity: 'ticket', key: 'plan', label: 'Plan', type: 'text' })
      .execute();
    expect(await repo.ticketFieldExists(m.db, 'plan')).toBe(true);
    expect(await repo.ticketFieldExists(m.db, 'region')).toBe(false);
  });

  it('finds pending tickets past the clock once per pending spell', async () => {
    const r = await m.run((tx) =>
      repo.insert(
        tx,
        rule({
          trigger: 'time',
          conditions: [{ field: 'pending_hours', operator: 'at_least', values: ['1'] }],
        }),
        admin,
      ),
    );
    const late = await ticket('pending', { slaPausedAt: ago(120) });
    const early = await ticket('pending', { slaPausedAt: ago(10) });
    const found = await repo.timeCandidates(m.db, r.id, 'pending_hours', 1, 100);
    const mine = found.find((c) => c.ticketId === late);
    expect(mine?.period).toMatch(/^pending-\d+$/);
    expect(found.map((c) => c.ticketId)).not.toContain(early);
    expect(await m.run((tx) => repo.claimFiring(tx, r.id, late, mine!.period))).toBe(true);
    expect(await m.run((tx) => repo.claimFiring(tx, r.id, late, mine!.period))).toBe(false);
    expect(
      (await repo.timeCandidates(m.db, r.id, 'pending_hours', 1, 100)).map((c) => c.ticketId),
    ).not.toContain(late);
  });

  it('finds tickets whose latest public message is an unanswered customer message', async () => {
    const waiting = await ticket('open', { lastMessageAt: ago(90) });
    await message(waiting, 'public_reply', 120);
    const asked = await message(waiting, 'customer_message', 90);
    await message(waiting, 'internal_note', 30); // a note is no answer
    const answered = await ticket('open', { lastMessageAt: ago(60) });
    await message(answered, 'customer_message', 90);
    await message(answered, 'public_reply', 60);
    const found = await repo.timeCandidates(m.db, '0', 'unanswered_minutes', 45, 100);
    expect(found).toContainEqual({ ticketId: waiting, period: `message-${asked}` });
    expect(found.map((c) => c.ticketId)).not.toContain(answered);
    expect(
      (await repo.timeCandidates(m.db, '0', 'unanswered_minutes', 100, 100)).map((c) => c.ticketId),
    ).not.toContain(waiting);
  });

  it('reads the customer facts, the latest customer message and the mails', async () => {
    expect(await repo.customerFacts(m.db, customer, contact)).toEqual({
      tier: 'pro',
      riskBand: 'high',
      accountManagerId: admin,
      customerName: 'Acme',
      requesterName: 'Cy',
      requesterEmail: 'cy@acme.test',
    });
    const t = await ticket('open');
    await message(t, 'customer_message', 20, 'first');
    await message(t, 'customer_message', 10, 'second');
    await message(t, 'public_reply', 5, 'reply');
    expect(await repo.lastCustomerMessage(m.db, t)).toBe('second');
    expect(await repo.lastCustomerMessage(m.db, await ticket('new'))).toBe('');

    const mailId = await m.run((tx) =>
      repo.insertMail(tx, {
        ticketId: t,
        ruleId: null,
        kind: 'merge_notice',
        recipient: 'cy@acme.test',
        subject: 's',
        body: 'b',
      }),
    );
    const mail = await repo.mail(m.db, mailId);
    expect(mail).toMatchObject({ id: mailId, ticketId: t, status: 'queued', kind: 'merge_notice' });
    expect(typeof mail!.number).toBe('number');
    const sentAt = async () =>
      await db(m.db)
        .selectFrom('automationMails')
        .select(['automationMails.sentAt', 'automationMails.error'])
        .where('automationMails.id', '=', mailId)
        .executeTakeFirstOrThrow();
    await repo.markMail(m.db, mailId, 'failed', 'smtp down');
    expect(await sentAt()).toEqual({ sentAt: null, error: 'smtp down' });
    await repo.markMail(m.db, mailId, 'sent', null);
    expect((await sentAt()).sentAt).toBeInstanceOf(Date);
    expect(await repo.mail(m.db, '999999999')).toBeNull();
  });

  it('rolls back to a savepoint and keeps what came before it', async () => {
    const t = await ticket('open');
    const r = await m.run((tx) => repo.insert(tx, rule({ trigger: 'time' }), admin));
    await m.run(async (tx) => {
      await repo.claimFiring(tx, r.id, t, 'kept');
      await repo.savepoint(tx, 'automation_rule');
      await repo.claimFiring(tx, r.id, t, 'undone');
      await repo.rollbackToSavepoint(tx, 'automation_rule');
      await repo.savepoint(tx, 'automation_rules');
      await repo.claimFiring(tx, r.id, t, 'released');
      await repo.releaseSavepoint(tx, 'automation_rules');
    });
    const periods = await db(m.db)
      .selectFrom('automationRuleFirings')
      .select('automationRuleFirings.period')
      .where('automationRuleFirings.ticketId', '=', t)
      .orderBy('automationRuleFirings.period')
      .execute();
    expect(periods.map((p) => p.period)).toEqual(['kept', 'released']);
  });
});
