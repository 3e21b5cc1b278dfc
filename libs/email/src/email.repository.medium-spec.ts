import { sql } from 'kysely';
import { db } from '@staydesk/core';
import { MediumDatabase, fixtures, mediumDatabase } from '@staydesk/testing';
import { EmailRepository } from './email.repository';
import { MailboxesRepository } from './mailboxes.repository';
import { NotificationsRepository } from './notifications.repository';

/**
 * The e-mail channel's set-based SQL (typed templates: the SKIP LOCKED claims, the multi-row
 * stores and outcome updates, the `sent` mark) and its builder lookups, against a migrated
 * database.
 */
describe('EmailRepository (medium)', () => {
  const repo = new EmailRepository();
  let m: MediumDatabase;
  let customer: string;
  let contact: string;
  let ticket: string;
  let agent: string;

  const mail = (messageId: string) => ({
    messageId,
    source: 'smtp' as const,
    mailFrom: 'ann@acme.test',
    rcptTo: ['support@staydesk.local'],
    raw: Buffer.from(`Message-ID: <${messageId}>\r\n\r\nhello`),
  });

  beforeAll(async () => {
    m = await mediumDatabase();
    const f = fixtures(m.db);
    customer = await f.customer({ domain: 'Acme.test' });
    contact = await f.contact({ customerId: customer, name: 'Ann', email: 'Ann@acme.test' });
    agent = await f.user({ email: 'agent@x.test', name: 'Agent A' });
    ticket = await f.ticket({ customerId: customer, requesterId: contact, subject: 'Skates' });
  });
  afterAll(() => m.close());

  /** A public reply with its queued envelope. */
  async function reply(messageId: string): Promise<string> {
    const id = await fixtures(m.db).message({
      ticketId: ticket,
      kind: 'public_reply',
      author: agent,
      body: `reply ${messageId}`,
    });
    await repo.insertMessageMail(m.db, {
      ticketMessageId: id,
      direction: 'out',
      messageId,
      inReplyTo: null,
      refs: [],
      fromAddress: null,
      toAddresses: [],
      ccAddresses: ['cc@acme.test'],
      status: 'queued',
      html: null,
      fullText: null,
      inboundMailId: null,
    });
    return id;
  }

  it('stores inbound mail once per Message-ID, alone and many in one statement', async () => {
    const one = await repo.storeInbound(m.db, mail('s1@acme.test'));
    expect(one).toEqual({ id: expect.any(String), stored: true, status: 'received' });
    expect(await repo.storeInbound(m.db, mail('s1@acme.test'))).toEqual({ ...one, stored: false });
    const many = await repo.storeInboundMany(m.db, [
      mail('s2@acme.test'),
      mail('s1@acme.test'),
      mail('s2@acme.test'),
      mail('s3@acme.test'),
    ]);
    expect(many.map((r) => r.stored)).toEqual([true, false, false, true]);
    expect(many[1].id).toBe(one.id);
    expect(many[2].id).toBe(many[0].id);
    const row = await db(m.db)
      .selectFrom('inboundMails')
      .select(['rcptTo', 'raw', 'size'])
      .where('id', '=', many[3].id)
      .executeTakeFirstOrThrow();
    expect(row.rcptTo).toEqual(['support@staydesk.local']);
    expect(row.raw.toString()).toContain('s3@acme.test');
    expect(row.size).toBe(row.raw.length);
  });

  it('claims waiting mail with SKIP LOCKED, the named ones first, then by id as a number', async () => {
    // ids 1…n: make sure some have more digits than others (text order would differ)
    await sql`SELECT setval(pg_get_serial_sequence('inbound_mails', 'id'), 98)`.execute(db(m.db));
    const stored = await repo.storeInboundMany(
      m.db,
      ['c1', 'c2', 'c3', 'c4'].map((x) => mail(`${x}@acme.test`)),
    );
    const ids = stored.map((s) => s.id); // 99, 100, 101, 102
    const waiting = await repo.claimInboundBatch(m.db, [], 100);
    const mine = waiting.map((r) => r.id).filter((id) => ids.includes(id));
    expect(mine).toEqual(ids);
    expect(waiting.map((r) => Number(r.id))).toEqual(
      [...waiting.map((r) => Number(r.id))].sort((a, b) => a - b),
    );
    expect(waiting[0]).toMatchObject({ source: 'smtp', status: 'received' });
    expect(Buffer.isBuffer(waiting[0].raw)).toBe(true);

    // bytes the caller still holds are not read back: the caller's come back
    const mine2 = Buffer.from('the receiver still has these bytes');
    const withHeld = await repo.claimInboundBatch(
      m.db,
      [ids[1]],
      2,
      true,
      new Map([[ids[1], mine2]]),
    );
    expect(withHeld.map((r) => [r.id, r.raw])).toEqual([[ids[1], mine2]]);
    const [fromDb] = await repo.claimInboundBatch(m.db, [ids[1]], 1, true);
    expect(fromDb.raw).toEqual(waiting.find((r) => r.id === ids[1])!.raw);

    const named = await repo.claimInboundBatch(m.db, [ids[2]], 2);
    expect(named[0].id).toBe(ids[2]);
    expect(named).toHaveLength(2);
    expect((await repo.claimInboundBatch(m.db, [ids[3]], 50, true)).map((r) => r.id)).toEqual([
      ids[3],
    ]);

    // a mail locked by one transaction is skipped by another, not waited for
    await m.rollback(async (a) => {
      const held = await repo.claimInboundBatch(a, [ids[0]], 1, true);
      expect(held.map((r) => r.id)).toEqual([ids[0]]);
      const other = await m.rollback((b) => repo.claimInboundBatch(b, [ids[0]], 50));
      expect(other.map((r) => r.id)).not.toContain(ids[0]);
      expect(other.map((r) => r.id)).toContain(ids[1]);
    });

    await repo.finishInboundMany(m.db, [
      {
        id: ids[0],
        status: 'processed',
        outcome: 'new_ticket',
        ticketId: ticket,
        ticketMessageId: null,
      },
      {
        id: ids[1],
        status: 'ignored',
        outcome: 'auto_reply',
        ticketId: null,
        ticketMessageId: null,
      },
    ]);
    const after = await db(m.db)
      .selectFrom('inboundMails')
      .select(['id', 'status', 'outcome', 'ticketId', 'processedAt'])
      .where('id', 'in', [ids[0], ids[1]])
      .orderBy('id')
      .execute();
    expect(after).toEqual([
      {
        id: ids[0],
        status: 'processed',
        outcome: 'new_ticket',
        ticketId: ticket,
        processedAt: expect.any(Date),
      },
      {
        id: ids[1],
        status: 'ignored',
        outcome: 'auto_reply',
        ticketId: null,
        processedAt: expect.any(Date),
      },
    ]);
    expect(await repo.unfiledInbound(m.db, 0, 1000)).toEqual(
      expect.arrayContaining([ids[2], ids[3]]),
    );
    expect(await repo.unfiledInbound(m.db, 0, 1000)).not.toContain(ids[0]);
    expect(await repo.unfiledInbound(m.db, 3600, 1000)).toEqual([]);
  });

  it('finds people: contacts by address, customers by domain (active, then oldest)', async () => {
    expect(await repo.contactsByEmails(m.db, ['ann@acme.test'])).toEqual([
      { id: contact, customerId: customer, email: 'ann@acme.test', tier: 'pro' },
    ]);
    const k = db(m.db);
    await k
      .insertInto('customers')
      .values({ name: 'Acme old', tier: 'free', mrr: 0, domain: 'acme.test', status: 'churned' })
      .execute();
    expect(await repo.customersByDomains(m.db, ['acme.test', 'none.test'])).toEqual([
      { domain: 'acme.test', id: customer, tier: 'pro' },
    ]);
    expect(await repo.customerByDomain(m.db, 'ACME.test')).toEqual({ id: customer });
    expect(await repo.customerInfo(m.db, customer)).toEqual({ tier: 'pro', domain: 'Acme.test' });
  });

  it('claims replies with SKIP LOCKED, marks them sent in one statement, reconciles handed ones', async () => {
    const a = await reply('out-a@staydesk.local');
    const b = await reply('out-b@staydesk.local');
    const claimed = await repo.claimReplies(m.db, [b], 1, 15);
    expect(claimed).toEqual([{ id: b, handed: false }]);
    const rest = await repo.claimReplies(m.db, [], 100, 15);
    expect(rest).toEqual([{ id: a, handed: false }]);
    expect(await repo.claimReplies(m.db, [], 100, 15)).toEqual([]); // leased
    await repo.renewLease(m.db, [a, b], 30);

    const [ctx] = await repo.replyContexts(m.db, [a]);
    expect(ctx).toMatchObject({
      messageId: a,
      kind: 'public_reply',
      ticketId: ticket,
      requesterEmail: 'Ann@acme.test',
      agentName: 'Agent A',
      teamName: null,
      mail: {
        status: 'sending',
        messageId: 'out-a@staydesk.local',
        ccAddresses: ['cc@acme.test'],
        dataSentAt: null,
      },
    });
    expect(typeof ctx.ticketNumber).toBe('number');

    await repo.markSentMany(m.db, [{ id: a, to: ['Ann@acme.test'] }]);
    const [sent] = await repo.messageMailByIds(m.db, [a]);
    expect(sent).toMatchObject({ status: 'sent', toAddresses: ['Ann@acme.test'], error: null });
    expect(sent.sentAt).toBeInstanceOf(Date);

    // b: its worker handed the message over, then died; the lease ran out
    await m.db.query(EmailRepository.DATA_SENT_SQL, [[b]]);
    await db(m.db)
      .updateTable('messageMail')
      .set({ leaseUntil: new Date(Date.now() - 1000) })
      .where('ticketMessageId', '=', b)
      .execute();
    expect(await repo.claimReplies(m.db, [], 100, 15)).toEqual([{ id: b, handed: true }]);
    await repo.markRetrying(m.db, b, 'try later', 0);
    const [retry] = await repo.messageMailByIds(m.db, [b]);
    expect(retry).toMatchObject({ status: 'queued', error: 'try later' });
    await repo.markFailed(m.db, b, '550 no', 'failed');
    expect((await repo.messageMailByIds(m.db, [b]))[0]).toMatchObject({ status: 'failed' });

    const threads = await repo.threadsOf(m.db, [b]);
    expect(threads.get(b)).toEqual([{ messageId: 'out-a@staydesk.local', direction: 'out' }]);
    expect(await repo.messagesByMessageIds(m.db, ['out-a@staydesk.local'])).toEqual([
      { messageId: 'out-a@staydesk.local', direction: 'out', ticketId: ticket, ticketMessageId: a },
    ]);
    expect(await repo.outboundByMessageIds(m.db, ['out-b@staydesk.local'])).toEqual([
      { ticketMessageId: b, ticketId: ticket, messageId: 'out-b@staydesk.local' },
    ]);
  });

  it('reads bouncing addresses (any case) and a contact’s bounce', async () => {
    // customers marks them (CustomersRepository.markAddressesBouncing)
    await db(m.db)
      .updateTable('contacts')
      .set({ emailBouncingAt: new Date(), emailBounceReason: '550 gone' })
      .where('contacts.id', '=', contact)
      .execute();
    expect(await repo.bouncingAddresses(m.db, ['Ann@Acme.test', 'x@y.test'])).toEqual(
      new Set(['ann@acme.test']),
    );
    const [bounce] = await repo.contactBounces(m.db, [contact]);
    expect(bounce).toMatchObject({ id: contact, reason: '550 gone' });
    expect(bounce.bouncingAt).toBeInstanceOf(Date);
  });

  it('reads notification settings and team senders', async () => {
    const { id: user } = await db(m.db)
      .insertInto('users')
      .values({
        email: 'ag@x.test',
        name: 'Ag',
        role: 'agent',
        passwordHash: 'x',
        notifyCustomerReply: false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await repo.notificationSettings(m.db, user)).toEqual({
      assigned: true,
      customerReply: false,
      slaWarning: true,
    });
    expect(await repo.notificationSettings(m.db, '999999999')).toBeNull();
    const sender = { fromName: 'Billing', fromAddress: 'b@x.test', signature: '--' };
    const { id: team } = await db(m.db)
      .insertInto('teams')
      .values({
        name: 'Billing',
        mailFromName: sender.fromName,
        mailFromAddress: sender.fromAddress,
        mailSignature: sender.signature,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await repo.teamSenders(m.db, [team])).toEqual([{ teamId: team, ...sender }]);
  });

  it('keeps mailboxes: last UID as a number, ordered by name', async () => {
    const boxes = new MailboxesRepository();
    const base = {
      host: 'h',
      port: 993,
      tls: true,
      username: 'u',
      passwordEnc: 'p',
      folder: 'INBOX',
      moveTo: null,
    };
    const b = await boxes.insert(m.db, { ...base, name: 'b' });
    const a = await boxes.insert(m.db, { ...base, name: 'A' });
    await expect(boxes.insert(m.db, { ...base, name: 'b' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await boxes.progress(m.db, b.id, '7', 42);
    expect(await boxes.byId(m.db, b.id)).toMatchObject({
      lastUid: 42,
      uidValidity: '7',
      active: true,
    });
    expect((await boxes.list(m.db)).map((x) => x.name)).toEqual(['A', 'b']);
    expect(await boxes.setActive(m.db, a.id, false)).toMatchObject({ active: false });
    expect(await boxes.activeIds(m.db)).toEqual([b.id]);
    await boxes.polled(m.db, b.id, 'refused');
    expect((await boxes.byId(m.db, b.id))!.lastError).toBe('refused');
  });
  it('finds notification targets and due SLA warnings; records a key once and counts the hour', async () => {
    const notes = new NotificationsRepository();
    const due = new Date(Date.now() + 30 * 60_000);
    await db(m.db)
      .updateTable('tickets')
      .set({ assigneeId: agent, nextDueAt: due })
      .where('id', '=', ticket)
      .execute();
    expect(await notes.target(m.db, ticket, null)).toMatchObject({
      ticketId: ticket,
      subject: 'Skates',
      assigneeId: agent,
      userId: agent,
      name: 'Agent A',
      active: true,
      notifyAssigned: true,
    });
    expect(await notes.target(m.db, '999999999', null)).toBeNull();
    const warnings = await notes.slaWarningsDue(m.db);
    expect(warnings).toEqual([{ id: ticket, due: String(Math.round(due.getTime() / 1000)) }]);
    expect(await notes.record(m.db, 'k1', 'Agent@x.test')).toBe(true);
    expect(await notes.record(m.db, 'k1', 'Agent@x.test')).toBe(false);
    expect(await notes.sentLastHour(m.db, 'agent@X.test')).toBe(1);
    await notes.forget(m.db, 'k1');
    expect(await notes.sentLastHour(m.db, 'agent@x.test')).toBe(0);
  });
});
