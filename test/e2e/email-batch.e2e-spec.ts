import { EmailRepository, InboundService } from '@staydesk/email';
import { TransactionRunner, sqlQueryCounter } from '@staydesk/core';
import { TicketsService } from '@staydesk/tickets';
import { insertUser, login, ok } from '../support/factories';
import { TestStack, startStack } from '../support/stack';

const SUPPORT = 'support@staydesk.test';

/** A plain-text mail as an MTA hands it over. */
function rawMail(m: {
  from: string;
  subject: string;
  body: string;
  messageId: string;
  inReplyTo?: string;
}): Buffer {
  return Buffer.from(
    [
      `From: ${m.from}`,
      `To: ${SUPPORT}`,
      `Subject: ${m.subject}`,
      `Message-ID: <${m.messageId}>`,
      ...(m.inReplyTo ? [`In-Reply-To: <${m.inReplyTo}>`, `References: <${m.inReplyTo}>`] : []),
      'Date: Mon, 30 Nov 2026 18:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      m.body,
      '',
    ].join('\r\n'),
  );
}

/**
 * Issue 14: a filing batch opens its new tickets with one statement (`insertMailTickets`). Each
 * ticket it opens must carry exactly the rows `TicketsService.openFromMail` (a mail opening a
 * ticket on its own) writes: ticket columns (SLA policy and due times, next due time, search
 * vectors, status, version), history events (created, linked_from, the automation rule that
 * fired), the first message with its sentiment, and the outbox rows in the same order.
 */
describe('e-mail: a batch of mails opens each ticket as a single mail would', () => {
  let stack: TestStack;
  let tx: TransactionRunner;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startStack({
      env: { MAIL_FROM: `Staydesk <${SUPPORT}>`, OUTBOX_POLL_MS: '100' },
    });
    tx = stack.worker!.get(TransactionRunner);
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    const admin = await login(stack, 'admin@t.local');
    const customer = async (name: string, domain: string, tier: string) =>
      (
        await stack.db.query<{ id: string }>(
          `INSERT INTO customers (name, domain, tier) VALUES ($1, $2, $3) RETURNING id::text`,
          [name, domain, tier],
        )
      ).rows[0].id;
    const contact = async (customerId: string, email: string) =>
      (
        await stack.db.query<{ id: string }>(
          `INSERT INTO contacts (customer_id, name, email) VALUES ($1, $2, $2) RETURNING id::text`,
          [customerId, email],
        )
      ).rows[0].id;
    ids.acme = await customer('Acme', 'acme.example', 'pro');
    ids.globex = await customer('Globex', 'globex.example', 'free');
    ids.ann = await contact(ids.acme, 'ann@acme.example');
    ids.bob = await contact(ids.globex, 'bob@globex.example');
    // an SLA policy for one tier only (the other tier gets the default one, or none)
    await ok(
      stack,
      admin,
      `mutation { createSlaPolicy(input: { name: "Pro e-mail", priority: normal, channel: email, tier: pro,
          firstResponseMinutes: 45, resolutionMinutes: 900 }) { id } }`,
    );
    // an automation rule on creation: its event and its tag must be there for every ticket
    await ok(
      stack,
      admin,
      `mutation($i: AutomationRuleInput!) { createAutomationRule(input: $i) { id } }`,
      {
        i: {
          name: 'Tag mail',
          trigger: 'ticket_created',
          conditions: [{ field: 'channel', operator: 'is', values: ['email'] }],
          actions: { addTags: ['from-mail'] },
        },
      },
    );
    // a closed ticket a mail will answer (a new ticket linked to it)
    ids.closed = (
      await stack.db.query<{ id: string }>(
        `INSERT INTO tickets (customer_id, requester_id, subject, channel, priority, status, closed_at, solved_at)
         VALUES ($1, $2, 'Old', 'email', 'normal', 'closed', now(), now()) RETURNING id::text`,
        [ids.globex, ids.bob],
      )
    ).rows[0].id;
    await stack.db.query(
      `INSERT INTO ticket_messages (ticket_id, kind, author_contact_id, body) VALUES ($1, 'customer_message', $2, 'old')`,
      [ids.closed, ids.bob],
    );
    const old = await stack.db.query<{ id: string }>(
      `SELECT id::text FROM ticket_messages WHERE ticket_id = $1`,
      [ids.closed],
    );
    await stack.db.query(
      `INSERT INTO message_mail (ticket_message_id, direction, message_id, status) VALUES ($1, 'in', 'old@globex.example', 'received')`,
      [old.rows[0].id],
    );
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** Everything a new ticket consists of, with ids and times made relative to the ticket. */
  async function snapshot(ticketId: string) {
    const [t] = (
      await stack.db.query(
        `SELECT to_jsonb(t) - 'id' - 'number' - 'created_at' - 'updated_at' - 'last_message_at'
                - 'first_response_due_at' - 'resolution_due_at' - 'next_due_at' AS cols,
                extract(epoch FROM t.first_response_due_at - t.created_at) AS fr,
                extract(epoch FROM t.resolution_due_at - t.created_at) AS res,
                extract(epoch FROM t.next_due_at - t.created_at) AS next,
                t.updated_at = t.created_at AND t.last_message_at = t.created_at AS times
           FROM tickets t WHERE t.id = $1`,
        [ticketId],
      )
    ).rows;
    const events = (
      await stack.db.query(
        `SELECT actor_id, type, from_value, to_value, created_at = (SELECT created_at FROM tickets WHERE id = $1) AS at_creation
           FROM ticket_events WHERE ticket_id = $1 ORDER BY id`,
        [ticketId],
      )
    ).rows;
    const messages = (
      await stack.db.query(
        `SELECT id::text, kind, author_user_id, author_contact_id::text, body, sentiment,
                created_at = (SELECT created_at FROM tickets WHERE id = $1) AS at_creation
           FROM ticket_messages WHERE ticket_id = $1 ORDER BY id`,
        [ticketId],
      )
    ).rows;
    const outbox = (
      await stack.db.query(
        `SELECT type, payload, trace_context FROM outbox WHERE payload->>'ticketId' = $1 ORDER BY id`,
        [ticketId],
      )
    ).rows.map((o) => ({
      ...o,
      payload: {
        ...o.payload,
        ticketId: 'T',
        ...(o.payload.messageId
          ? { messageId: o.payload.messageId === messages[0].id ? 'M' : o.payload.messageId }
          : {}),
      },
    }));
    return { ...t, events, messages: messages.map(({ id: _, ...m }) => m), outbox };
  }

  it('opens several tickets in one batch with the rows openFromMail writes for one', async () => {
    const repo = stack.worker!.get(EmailRepository);
    const inbound = stack.worker!.get(InboundService);
    const tickets = stack.worker!.get(TicketsService);
    const mails = [
      {
        from: 'Ann <ann@acme.example>',
        subject: 'Skates exploded',
        body: 'Hello, the rocket skates exploded. This is terrible and I am angry.',
        messageId: 'b1@acme.example',
      },
      // answers the first mail of the batch: its ticket must exist first (same ticket)
      {
        from: 'Ann <ann@acme.example>',
        subject: 'Re: Skates exploded',
        body: 'Also the left one.',
        messageId: 'b3@acme.example',
        inReplyTo: 'b1@acme.example',
      },
      {
        from: 'Bob <bob@globex.example>',
        subject: '[#99999] Invoice question',
        body: 'Could you send the invoice again? Thanks, great service!',
        messageId: 'b2@globex.example',
      },
      // an unknown sender of a known domain: a new contact of Acme
      {
        from: 'Cy <cy@acme.example>',
        subject: 'Login broken',
        body: 'I cannot sign in since yesterday.',
        messageId: 'b4@acme.example',
      },
      // answers a closed ticket: a new ticket linked to it
      {
        from: 'Bob <bob@globex.example>',
        subject: 'Re: Old',
        body: 'It happened again.',
        messageId: 'b5@globex.example',
        inReplyTo: 'old@globex.example',
      },
    ];
    const stored = await repo.storeInboundMany(
      tx.db,
      mails.map((m) => ({
        messageId: m.messageId,
        source: 'smtp' as const,
        mailFrom: null,
        rcptTo: [SUPPORT],
        raw: rawMail(m),
      })),
    );
    const filed = await inbound.process(stored.map((s) => s.id));
    expect(filed).toEqual({
      filed: 5,
      outcomes: { new_ticket: 3, threaded: 1, linked_ticket: 1 },
    });
    const { rows: out } = await stack.db.query<{
      messageId: string;
      outcome: string;
      ticketId: string;
      number: number;
      requesterId: string;
    }>(
      `SELECT i.message_id AS "messageId", i.outcome, i.ticket_id::text AS "ticketId", t.number,
              t.requester_id::text AS "requesterId"
         FROM inbound_mails i JOIN tickets t ON t.id = i.ticket_id ORDER BY i.id`,
    );
    expect(out.map((o) => o.outcome)).toEqual([
      'new_ticket',
      'threaded',
      'new_ticket',
      'new_ticket',
      'linked_ticket',
    ]);
    expect(out[1].ticketId).toBe(out[0].ticketId);
    // ids and numbers follow the mails' order, as when opened one after another
    const opened = [out[0], out[2], out[3], out[4]];
    for (let i = 1; i < opened.length; i++) {
      expect(BigInt(opened[i].ticketId)).toBeGreaterThan(BigInt(opened[i - 1].ticketId));
      expect(opened[i].number).toBe(opened[i - 1].number + 1);
    }
    // every mail has its envelope and its thread entry
    const { rows: envelopes } = await stack.db.query(
      `SELECT mm.message_id FROM message_mail mm JOIN ticket_messages m ON m.id = mm.ticket_message_id
        WHERE mm.direction = 'in' AND mm.message_id LIKE 'b%' ORDER BY m.id`,
    );
    expect(envelopes.map((e) => e.message_id).sort()).toEqual(mails.map((m) => m.messageId).sort());

    // the same tickets opened one by one through openFromMail (the single-mail path)
    const contentOf = async (ticketId: string) =>
      (
        await stack.db.query<{ subject: string; body: string }>(
          `SELECT t.subject, (SELECT body FROM ticket_messages WHERE ticket_id = t.id ORDER BY id LIMIT 1) AS body
             FROM tickets t WHERE t.id = $1`,
          [ticketId],
        )
      ).rows[0];
    for (const [i, o] of opened.entries()) {
      const c = await contentOf(o.ticketId);
      const customerId = (
        await stack.db.query<{ customerId: string }>(
          `SELECT customer_id::text AS "customerId" FROM tickets WHERE id = $1`,
          [o.ticketId],
        )
      ).rows[0].customerId;
      const single = await tx.run(async (t) => {
        const tier = (await t.query(`SELECT tier FROM customers WHERE id = $1`, [customerId]))[0]
          .tier as string;
        return tickets.openFromMail(t, {
          requesterId: o.requesterId,
          customerId,
          customerTier: tier,
          subject: c.subject,
          body: c.body,
          linkedFrom: i === 3 ? ids.closed : null,
        });
      });
      const [a, b] = [await snapshot(o.ticketId), await snapshot(single.ticket.id)];
      if (i === 0) {
        // the first ticket also got the threaded reply (mail 2): compare what it was opened with
        expect(a.messages).toHaveLength(2);
        expect(a.messages[0]).toEqual(b.messages[0]);
        expect(a.events.slice(0, b.events.length)).toEqual(b.events);
        expect(a.outbox.slice(0, b.outbox.length)).toEqual(b.outbox);
        expect([a.fr, a.res]).toEqual([b.fr, b.res]);
        continue;
      }
      expect(a).toEqual(b);
      expect(a.events.map((e: { type: string }) => e.type)).toEqual(
        i === 3
          ? ['created', 'linked_from', 'rule_applied', 'tags_changed']
          : ['created', 'rule_applied', 'tags_changed'],
      );
      expect(a.cols.tags).toEqual(['from-mail']);
    }
    // the policy for Acme's tier applied to the pro customer's tickets, with its due times
    const acme = await snapshot(out[3].ticketId);
    expect([acme.fr, acme.res, acme.next].map(Number)).toEqual([45 * 60, 900 * 60, 45 * 60]);
  });

  it('a job whose mails this worker has filed runs no statement; one naming a waiting mail files it', async () => {
    const inbound = stack.worker!.get(InboundService);
    const repo = stack.worker!.get(EmailRepository);
    const store = (messageId: string) =>
      repo.storeInbound(tx.db, {
        messageId,
        source: 'smtp',
        mailFrom: null,
        rcptTo: [SUPPORT],
        raw: rawMail({ from: 'Ann <ann@acme.example>', subject: 'Again', body: 'Hi', messageId }),
      });
    const statements = async <T>(work: () => Promise<T>) => {
      const store = { count: 0 };
      const result = await sqlQueryCounter.run(store, work);
      return { result, count: store.count };
    };
    const c1 = await store('c1@acme.example');
    const first = await statements(() => inbound.process([c1.id]));
    expect(first.result).toEqual({ filed: 1, outcomes: { new_ticket: 1 } });
    expect(first.count).toBeGreaterThan(3);
    // its job again (a redelivery, or a job named in a group the batch already took)
    const again = await statements(() => inbound.process([c1.id]));
    expect(again).toEqual({ result: { filed: 0, outcomes: {} }, count: 0 });
    // a job naming the filed mail and a waiting one files the waiting one
    const c2 = await store('c2@acme.example');
    const both = await statements(() => inbound.process([c1.id, c2.id]));
    expect(both.result).toEqual({ filed: 1, outcomes: { new_ticket: 1 } });
    const { rows } = await stack.db.query<{ status: string }>(
      `SELECT status FROM inbound_mails WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [[c1.id, c2.id]],
    );
    expect(rows.map((r) => r.status)).toEqual(['processed', 'processed']);
  });

  it('a filing batch reads the automation rules once, whatever its size', async () => {
    const inbound = stack.worker!.get(InboundService);
    const repo = stack.worker!.get(EmailRepository);
    // no active rule: what a ticket costs beyond the batch's statements is the rules check
    await stack.db.query(`UPDATE automation_rules SET active = false`);
    const fileNew = async (ids: string[]) => {
      const stored = await repo.storeInboundMany(
        tx.db,
        ids.map((messageId) => ({
          messageId,
          source: 'smtp' as const,
          mailFrom: null,
          rcptTo: [SUPPORT],
          raw: rawMail({ from: 'Ann <ann@acme.example>', subject: 'New', body: 'Hi', messageId }),
        })),
      );
      const counter = { count: 0 };
      const filed = await sqlQueryCounter.run(counter, () =>
        inbound.process(stored.map((m) => m.id)),
      );
      expect(filed).toEqual({ filed: ids.length, outcomes: { new_ticket: ids.length } });
      return counter.count;
    };
    await fileNew(['d0@acme.example']); // the rules changed: this batch reads them again
    const one = await fileNew(['d1@acme.example']);
    const four = await fileNew([
      'd2@acme.example',
      'd3@acme.example',
      'd4@acme.example',
      'd5@acme.example',
    ]);
    expect(four).toBe(one);
  });
});
