import { insertUser, login, ok } from '../support/factories';
import { TestStack, startStack } from '../support/stack';

jest.setTimeout(60_000);

const T = `id status resolutionDueAt nextDueAt slaPausedAt slaPausedSeconds resolutionBreached`;

describe('SLA: the resolution clock pauses while pending / on hold and resumes on the customer reply', () => {
  let stack: TestStack;
  let admin: string;

  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: { RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_IP_PER_MINUTE: '0' },
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
});
