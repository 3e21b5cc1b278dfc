import { rebuildKpis } from '@staydesk/kpis';
import { TicketsService } from '@staydesk/tickets';
import { fails, insertUser, login, ok } from '../support/factories';
import { NO_RATE_LIMITS } from '../support/env';
import { TestStack, startStack } from '../support/stack';

jest.setTimeout(60_000);

const T = `id status resolutionDueAt nextDueAt slaPausedAt slaPausedSeconds resolutionBreached`;

describe('SLA: the resolution clock pauses while pending / on hold and resumes on the customer reply', () => {
  let stack: TestStack;
  let admin: string;

  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: NO_RATE_LIMITS,
    });
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    admin = await login(stack, 'admin@t.local');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('moves the resolution target by the hand-timed pause and keeps it through priority changes', async () => {
    await ok(
      stack,
      admin,
      `mutation { createSlaPolicy(input: { name: "Normal", priority: normal, firstResponseMinutes: 60, resolutionMinutes: 600 }) { id } }`,
    );
    const contact = (
      await ok(
        stack,
        admin,
        `mutation { createCustomer(input: { name: "Acme", contacts: [{ name: "Pat", email: "pat@acme.example" }] }) { contacts { id } } }`,
      )
    ).createCustomer.contacts[0].id;
    const created = (
      await ok(
        stack,
        admin,
        `mutation($c: ID!) { createTicket(input: { requesterId: $c, subject: "Slow", channel: email, message: { body: "Hi", kind: public_reply } }) { ${T} } }`,
        {
          c: contact,
        },
      )
    ).createTicket;
    const due0 = new Date(created.resolutionDueAt).getTime();
    expect(created.nextDueAt).toBe(created.resolutionDueAt);
    const pending = (
      await ok(
        stack,
        admin,
        `mutation($id: ID!) { changeTicketStatus(id: $id, status: pending) { ${T} } }`,
        { id: created.id },
      )
    ).changeTicketStatus;
    expect(pending.slaPausedAt).not.toBeNull();
    expect(pending.nextDueAt).toBeNull();
    expect(new Date(pending.resolutionDueAt).getTime()).toBe(due0);
    // hand-timed: the pause began exactly three hours ago
    const { rows } = await stack.db.query(
      `UPDATE tickets SET sla_paused_at = now() - interval '3 hours' WHERE id = $1 RETURNING sla_paused_at`,
      [created.id],
    );
    const pausedAt = new Date(rows[0].sla_paused_at).getTime();
    // on_hold keeps the clock paused
    await ok(
      stack,
      admin,
      `mutation($id: ID!) { changeTicketStatus(id: $id, status: on_hold) { id } }`,
      { id: created.id },
    );
    expect(
      (
        await stack.db.query(`SELECT sla_paused_at FROM tickets WHERE id = $1`, [created.id])
      ).rows[0].sla_paused_at.getTime(),
    ).toBe(pausedAt);
    // the customer writes back: open again, the target moved by the whole pause
    const resumed = (
      await ok(
        stack,
        admin,
        `mutation($id: ID!) { addCustomerMessage(id: $id, body: "Here are the logs") { ticket { ${T} } } }`,
        {
          id: created.id,
        },
      )
    ).addCustomerMessage.ticket;
    expect(resumed.status).toBe('open');
    expect(resumed.slaPausedAt).toBeNull();
    const moved = new Date(resumed.resolutionDueAt).getTime() - due0;
    const { rows: clock } = await stack.db.query(
      `SELECT extract(epoch FROM (updated_at - $2::timestamptz)) * 1000 AS ms FROM tickets WHERE id = $1`,
      [created.id, new Date(pausedAt)],
    );
    expect(moved).toBe(Math.round(Number(clock[0].ms)));
    expect(resumed.slaPausedSeconds).toBe(Math.round(moved / 1000));
    expect(resumed.slaPausedSeconds).toBeGreaterThanOrEqual(3 * 3600);
    expect(resumed.nextDueAt).toBe(resumed.resolutionDueAt);
    // a priority change recomputes the target from creation and keeps the paused time
    await ok(
      stack,
      admin,
      `mutation { createSlaPolicy(input: { name: "High", priority: high, firstResponseMinutes: 30, resolutionMinutes: 240 }) { id } }`,
    );
    const high = (
      await ok(
        stack,
        admin,
        `mutation($id: ID!) { updateTicket(id: $id, input: { priority: high }) { ${T} } }`,
        { id: created.id },
      )
    ).updateTicket;
    const createdAt = (
      await stack.db.query(`SELECT created_at FROM tickets WHERE id = $1`, [created.id])
    ).rows[0].created_at.getTime();
    expect(new Date(high.resolutionDueAt).getTime()).toBe(
      createdAt + 240 * 60_000 + resumed.slaPausedSeconds * 1000,
    );
  });

  it('next reply: a customer message after the first response starts the clock; a reply meets or breaches it; pending pauses it', async () => {
    const NR = `id status nextDueAt resolutionDueAt slaPausedAt nextReplyStartedAt nextReplyDueAt nextReplyBreached`;
    const bad = await fails(
      stack,
      admin,
      `mutation { createSlaPolicy(input: { name: "Bad", priority: urgent, firstResponseMinutes: 60, resolutionMinutes: 600, nextReplyMinutes: 0 }) { id } }`,
    );
    expect(bad.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.message).toMatch(/nextReplyMinutes/);
    const policy = (
      await ok(
        stack,
        admin,
        `mutation { createSlaPolicy(input: { name: "Urgent", priority: urgent, firstResponseMinutes: 60, resolutionMinutes: 6000 }) { id nextReplyMinutes } }`,
      )
    ).createSlaPolicy;
    expect(policy.nextReplyMinutes).toBeNull();
    expect(
      (
        await ok(
          stack,
          admin,
          `mutation($id: ID!) { updateSlaPolicy(id: $id, input: { nextReplyMinutes: 30 }) { nextReplyMinutes } }`,
          { id: policy.id },
        )
      ).updateSlaPolicy.nextReplyMinutes,
    ).toBe(30);
    const contact = (
      await ok(
        stack,
        admin,
        `mutation { createCustomer(input: { name: "Globex", contacts: [{ name: "Sam", email: "sam@globex.example" }] }) { contacts { id } } }`,
      )
    ).createCustomer.contacts[0].id;
    const id = (
      await ok(
        stack,
        admin,
        `mutation($c: ID!) { createTicket(input: { requesterId: $c, subject: "Down", channel: email, priority: urgent, message: { body: "It is down", kind: customer_message } }) { ${NR} } }`,
        { c: contact },
      )
    ).createTicket.id;
    const customer = async (body: string) =>
      (
        await ok(
          stack,
          admin,
          `mutation($id: ID!, $b: String!) { addCustomerMessage(id: $id, body: $b) { ticket { ${NR} } message { createdAt } } }`,
          { id, b: body },
        )
      ).addCustomerMessage;
    const reply = async (body: string) =>
      (
        await ok(
          stack,
          admin,
          `mutation($id: ID!, $b: String!) { replyToTicket(id: $id, body: $b) { ticket { ${NR} } } }`,
          { id, b: body },
        )
      ).replyToTicket.ticket;
    const events = async () =>
      (
        await stack.db.query(
          `SELECT type, from_value, to_value, created_at FROM ticket_events
            WHERE ticket_id = $1 AND (type LIKE 'next_reply_%' OR (type = 'sla_breached' AND to_value = 'next_reply'))
            ORDER BY id`,
          [id],
        )
      ).rows;
    // before the first response the first-response target covers the customer's messages
    expect((await customer('Still down')).ticket.nextReplyDueAt).toBeNull();
    const first = await reply('Looking into it');
    expect(first.nextReplyDueAt).toBeNull();
    expect(await events()).toEqual([]);

    // 1. customer message at t: due at t + 30 min; nextDueAt follows it (sooner than resolution)
    const m1 = await customer('Any news?');
    const t1 = new Date(m1.message.createdAt).getTime();
    expect(new Date(m1.ticket.nextReplyStartedAt).getTime()).toBe(t1);
    expect(new Date(m1.ticket.nextReplyDueAt).getTime()).toBe(t1 + 30 * 60_000);
    expect(m1.ticket.nextDueAt).toBe(m1.ticket.nextReplyDueAt);
    // a second message while the clock runs does not restart it
    expect((await customer('Hello?')).ticket.nextReplyDueAt).toBe(m1.ticket.nextReplyDueAt);
    // hand-timed: the message came 20 minutes ago, so the reply is at t + 20 min: met
    await stack.db.query(
      `UPDATE tickets SET next_reply_started_at = now() - interval '20 minutes',
              next_reply_due_at = now() + interval '10 minutes' WHERE id = $1`,
      [id],
    );
    const r1 = await reply('Fixed soon');
    expect(r1.nextReplyDueAt).toBeNull();
    expect(r1.nextReplyBreached).toBe(false);
    expect(r1.nextDueAt).toBe(r1.resolutionDueAt);
    let ev = await events();
    expect(ev.map((e) => e.type)).toEqual(['next_reply_met']);
    const waited1 = (ev[0].created_at.getTime() - new Date(ev[0].from_value).getTime()) / 60_000;
    expect(waited1).toBeGreaterThanOrEqual(20);
    expect(waited1).toBeLessThan(25);

    // 2. the message came 45 minutes ago (due 15 minutes ago): the SLA scan flags it, the reply is late
    await customer('This is taking long');
    await stack.db.query(
      `UPDATE tickets SET next_reply_started_at = now() - interval '45 minutes',
              next_reply_due_at = now() - interval '15 minutes',
              next_due_at = now() - interval '15 minutes' WHERE id = $1`,
      [id],
    );
    const scan = await stack.api.get(TicketsService, { strict: false }).markBreaches();
    expect(scan).toEqual({ firstResponse: 0, resolution: 0, nextReply: 1 });
    const breachedQueue = (
      await ok(stack, admin, `{ tickets(filter: { sla: breached }) { edges { node { id } } } }`)
    ).tickets.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(breachedQueue).toContain(id);
    const r2 = await reply('Sorry for the wait');
    expect(r2.nextReplyBreached).toBe(true);
    ev = await events();
    expect(ev.map((e) => e.type)).toEqual([
      'next_reply_met',
      'sla_breached',
      'next_reply_breached',
    ]);

    // 3. pending pauses it: 2 h paused with 90 minutes left; the scan skips it; the customer's
    //    reply resumes it with the due time moved by the pause
    await customer('One more question');
    const pending = (
      await ok(
        stack,
        admin,
        `mutation($id: ID!) { changeTicketStatus(id: $id, status: pending) { ${NR} } }`,
        { id },
      )
    ).changeTicketStatus;
    expect(pending.slaPausedAt).not.toBeNull();
    expect(pending.nextDueAt).toBeNull();
    const { rows } = await stack.db.query(
      `UPDATE tickets SET sla_paused_at = now() - interval '2 hours',
              next_reply_started_at = now() - interval '2 hours 10 minutes',
              next_reply_due_at = now() - interval '30 minutes' WHERE id = $1
        RETURNING sla_paused_at, next_reply_due_at`,
      [id],
    );
    expect((await stack.api.get(TicketsService, { strict: false }).markBreaches()).nextReply).toBe(
      0,
    );
    const resumed = (await customer('Here is the info')).ticket;
    expect(resumed.status).toBe('open');
    const updatedAt = (
      await stack.db.query(`SELECT updated_at FROM tickets WHERE id = $1`, [id])
    ).rows[0].updated_at.getTime();
    const pauseMs = updatedAt - rows[0].sla_paused_at.getTime();
    expect(new Date(resumed.nextReplyDueAt).getTime()).toBe(
      rows[0].next_reply_due_at.getTime() + pauseMs,
    );
    expect(resumed.nextReplyBreached).toBe(false);
    expect(resumed.nextDueAt).toBe(resumed.nextReplyDueAt);
    const r3 = await reply('Done');
    expect(r3.nextReplyBreached).toBe(false);
    ev = await events();
    expect(ev.map((e) => e.type)).toEqual([
      'next_reply_met',
      'sla_breached',
      'next_reply_breached',
      'next_reply_met',
    ]);

    // KPIs: compliance and median next-reply time over the three answered messages
    await rebuildKpis(stack.db);
    const waits = ev
      .filter((e) => e.type !== 'sla_breached')
      .map((e) => (e.created_at.getTime() - new Date(e.from_value).getTime()) / 1000)
      .sort((a, b) => a - b);
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const kpis = (
      await ok(
        stack,
        admin,
        `query($f: DateTime!, $t: DateTime!) { supportKpis(filter: { from: $f, to: $t }, groupBy: ["priority"]) {
          rows { priority slaNextReply { due met compliancePercent } nextReplyTime { count medianHours } } } }`,
        { f: from, t: to },
      )
    ).supportKpis.rows;
    const urgent = kpis.find((r: { priority: string }) => r.priority === 'urgent');
    expect(urgent.slaNextReply).toEqual({ due: 3, met: 2, compliancePercent: 66.67 });
    expect(urgent.nextReplyTime.count).toBe(3);
    expect(urgent.nextReplyTime.medianHours).toBeCloseTo(waits[1] / 3600, 6);
    const high = kpis.find((r: { priority: string }) => r.priority === 'high');
    expect(high.slaNextReply).toEqual({ due: 0, met: 0, compliancePercent: null });

    // the drill-down lists what is behind each next-reply figure (one row per answered message)
    const drill = async (metric: string) =>
      (
        await ok(
          stack,
          admin,
          `query($f: DateTime!, $t: DateTime!, $m: KpiMetric!) {
            supportKpiTickets(filter: { from: $f, to: $t, priorities: [urgent] }, metric: $m, orderBy: value_desc, first: 10) {
              totalCount edges { node { ticketId value } } } }`,
          { f: from, t: to, m: metric },
        )
      ).supportKpiTickets;
    const breached = await drill('sla_next_reply_breached');
    expect(breached.totalCount).toBe(urgent.slaNextReply.due - urgent.slaNextReply.met);
    expect(breached.edges).toHaveLength(1);
    expect(breached.edges[0].node.ticketId).toBe(id);
    const due = await drill('sla_next_reply_due');
    expect(due.totalCount).toBe(urgent.slaNextReply.due);
    expect((await drill('sla_next_reply_met')).totalCount).toBe(urgent.slaNextReply.met);
    const times = await drill('next_reply');
    expect(times.totalCount).toBe(urgent.nextReplyTime.count);
    expect(times.edges.map((e: { node: { value: number } }) => e.node.value)).toEqual(
      [...waits].reverse().map((w) => expect.closeTo(w, 3)),
    );
    // and the CSV export carries them
    const csv = await fetch(
      `${stack.url}/exports/kpis.csv?${new URLSearchParams({ from, to, groupBy: 'priority' })}`,
      { headers: { authorization: `Bearer ${admin}` } },
    );
    const [header, ...lines] = (await csv.text()).trim().split('\r\n');
    const cols = header.split(',');
    const line = lines
      .map((l) => l.split(','))
      .find((l) => l[cols.indexOf('priority')] === 'urgent')!;
    const col = (name: string) => line[cols.indexOf(name)];
    expect([
      col('sla_next_reply_due'),
      col('sla_next_reply_met'),
      col('sla_next_reply_percent'),
    ]).toEqual(['3', '2', '66.67']);
    expect(col('next_reply_count')).toBe('3');
    expect(Number(col('next_reply_median_hours'))).toBeCloseTo(waits[1] / 3600, 3);
  });
});
