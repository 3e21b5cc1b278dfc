import { fails, insertUser, login, ok } from '../support/factories';
import { NO_RATE_LIMITS } from '../support/env';
import { TestStack, startStack } from '../support/stack';

jest.setTimeout(60_000);

const MACRO = `id name body scope teamId ownerId usageCount
  actions { status priority teamId assigneeId unassign addTags removeTags note }`;
const CREATE = `mutation($i: MacroInput!) { createMacro(input: $i) { ${MACRO} } }`;
const PREVIEW = `query($t: ID!, $m: ID!) { previewMacro(ticketId: $t, macroId: $m) { reply note changes { field from to } } }`;
const APPLY = `mutation($t: ID!, $m: ID!, $v: Int) { applyMacro(ticketId: $t, macroId: $m, expectedVersion: $v) {
  reply note changes { field from to } message { id kind body }
  ticket { id status priority tags version assignee { id } team { id } } } }`;
const LIST = `query($s: String) { macros(search: $s) { id name usageCount } }`;

describe('macros: saved replies with placeholders and actions, applied in one transaction', () => {
  let stack: TestStack;
  let admin: string;
  let agent: string;
  let agentId: string;
  let otherAgent: string;
  let lead: string;
  let support: string;
  let vault: string;
  let contact: string;

  const newTicket = async (i: Record<string, unknown> = {}) =>
    (
      await ok(
        stack,
        admin,
        `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id version } }`,
        {
          i: {
            requesterId: contact,
            subject: 'Printer on fire',
            channel: 'email',
            message: { body: 'It smokes', kind: 'customer_message' },
            ...i,
          },
        },
      )
    ).createTicket as { id: string; version: number };

  const snapshot = async (id: string) => {
    const t = await stack.db.query(
      `SELECT version, status, priority, tags, team_id FROM tickets WHERE id = $1`,
      [id],
    );
    const m = await stack.db.query(
      `SELECT count(*)::int AS n FROM ticket_messages WHERE ticket_id = $1`,
      [id],
    );
    const e = await stack.db.query(
      `SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1`,
      [id],
    );
    return { ...t.rows[0], messages: m.rows[0].n, events: e.rows[0].n };
  };

  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: NO_RATE_LIMITS,
    });
    await insertUser(stack, { email: 'admin@t.local', role: 'admin', name: 'Ann Admin' });
    admin = await login(stack, 'admin@t.local');
    const team = async (name: string, isPrivate = false) =>
      (
        await ok(stack, admin, `mutation($i: TeamInput!) { createTeam(input: $i) { id } }`, {
          i: { name, isPrivate },
        })
      ).createTeam.id as string;
    support = await team('Support');
    vault = await team('Vault', true);
    agentId = await insertUser(stack, {
      email: 'agent@t.local',
      role: 'agent',
      name: 'Bo Agent',
      teamId: support,
    });
    await insertUser(stack, {
      email: 'other@t.local',
      role: 'agent',
      name: 'Cy Other',
      teamId: support,
    });
    await insertUser(stack, {
      email: 'lead@t.local',
      role: 'team_lead',
      name: 'Di Lead',
      teamId: support,
    });
    agent = await login(stack, 'agent@t.local');
    otherAgent = await login(stack, 'other@t.local');
    lead = await login(stack, 'lead@t.local');
    contact = (
      await ok(
        stack,
        admin,
        `mutation { createCustomer(input: { name: "Acme Corp", contacts: [{ name: "Ada Lovelace", email: "ada@acme.example" }] }) { contacts { id } } }`,
      )
    ).createCustomer.contacts[0].id;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses an unknown placeholder when the macro is saved, naming it', async () => {
    for (const i of [
      { name: 'Bad', scope: 'personal', body: 'Hi {{requester.nickname}}, see {{ticket.number}}' },
      { name: 'Bad note', scope: 'personal', actions: { note: 'Ping {{agent.boss}}' } },
    ]) {
      const err = await fails(stack, agent, CREATE, { i });
      expect(err.extensions?.code).toBe('BAD_USER_INPUT');
      expect(err.message).toMatch(/\{\{(requester\.nickname|agent\.boss)\}\}/);
    }
    const empty = await fails(stack, agent, CREATE, { i: { name: 'Nothing', scope: 'personal' } });
    expect(empty.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await stack.db.query(`SELECT count(*)::int AS n FROM macros`)).rows[0].n).toBe(0);
  });

  it('lets agents manage personal macros only; admins and team leads shared ones (leads: their team)', async () => {
    const shared = { name: 'Shared', body: 'Hello', scope: 'global' };
    expect((await fails(stack, agent, CREATE, { i: shared })).extensions?.code).toBe('FORBIDDEN');
    expect(
      (await fails(stack, agent, CREATE, { i: { ...shared, scope: 'team', teamId: support } }))
        .extensions?.code,
    ).toBe('FORBIDDEN');
    expect(
      (await fails(stack, lead, CREATE, { i: { ...shared, scope: 'team', teamId: vault } }))
        .extensions?.code,
    ).toBe('FORBIDDEN');
    const teamMacro = (
      await ok(stack, lead, CREATE, {
        i: { ...shared, name: 'Team hello', scope: 'team', teamId: support },
      })
    ).createMacro;
    expect(teamMacro).toMatchObject({ scope: 'team', teamId: support });
    const mine = (
      await ok(stack, agent, CREATE, {
        i: { name: 'Mine', body: 'Mine {{agent.name}}', scope: 'personal' },
      })
    ).createMacro;
    expect(mine.ownerId).toBe(agentId);
    // another agent neither sees, applies, changes nor deletes it
    const names = (await ok(stack, otherAgent, LIST)).macros.map((m: any) => m.name);
    expect(names).toContain('Team hello');
    expect(names).not.toContain('Mine');
    const t = await newTicket();
    expect(
      (await fails(stack, otherAgent, PREVIEW, { t: t.id, m: mine.id })).extensions?.code,
    ).toBe('NOT_FOUND');
    expect((await fails(stack, otherAgent, APPLY, { t: t.id, m: mine.id })).extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect(
      (
        await fails(stack, otherAgent, `mutation($id: ID!) { deleteMacro(id: $id) }`, {
          id: mine.id,
        })
      ).extensions?.code,
    ).toBe('FORBIDDEN');
    expect(
      (
        await fails(stack, agent, `mutation($id: ID!) { deleteMacro(id: $id) }`, {
          id: teamMacro.id,
        })
      ).extensions?.code,
    ).toBe('FORBIDDEN');
    // a user outside the team does not see the team's macro
    await insertUser(stack, { email: 'outsider@t.local', role: 'agent', teamId: vault });
    const outsider = await login(stack, 'outsider@t.local');
    expect((await ok(stack, outsider, LIST)).macros.map((m: any) => m.name)).not.toContain(
      'Team hello',
    );
    // the owner may change and delete it
    const renamed = await ok(
      stack,
      agent,
      `mutation($id: ID!, $i: MacroInput!) { updateMacro(id: $id, input: $i) { name } }`,
      {
        id: mine.id,
        i: { name: 'Mine 2', body: 'Mine', scope: 'personal' },
      },
    );
    expect(renamed.updateMacro.name).toBe('Mine 2');
    expect(
      (await ok(stack, agent, `mutation($id: ID!) { deleteMacro(id: $id) }`, { id: mine.id }))
        .deleteMacro,
    ).toBe(true);
  });

  it('previews the rendered reply and the changes without writing, then applies them in one go with history naming the macro', async () => {
    const macro = (
      await ok(stack, admin, CREATE, {
        i: {
          name: 'Waiting on logs',
          scope: 'global',
          body: 'Hi {{requester.first_name}} ({{requester.name}}) of {{customer.name}}, about #{{ticket.number}} "{{ticket.subject}}": please send logs. {{agent.name}}',
          actions: {
            status: 'pending',
            priority: 'high',
            addTags: ['needs-logs'],
            note: 'Asked {{requester.first_name}} for logs',
          },
        },
      })
    ).createMacro;
    const t = await newTicket({ tags: ['printer'] });
    const before = await snapshot(t.id);
    // {{ticket.number}} is the ticket's human number, not its id
    const { rows: numbered } = await stack.db.query<{ number: number }>(
      'SELECT number FROM tickets WHERE id = $1',
      [t.id],
    );
    const expectedReply = `Hi Ada (Ada Lovelace) of Acme Corp, about #${numbered[0].number} "Printer on fire": please send logs. Bo Agent`;
    const preview = (await ok(stack, agent, PREVIEW, { t: t.id, m: macro.id })).previewMacro;
    expect(preview.reply).toBe(expectedReply);
    expect(preview.note).toBe('Asked Ada for logs');
    expect(preview.changes).toEqual(
      expect.arrayContaining([
        { field: 'status', from: 'new', to: 'pending' },
        { field: 'priority', from: 'normal', to: 'high' },
        { field: 'tags', from: 'printer', to: 'needs-logs,printer' },
        { field: 'assignee', from: null, to: agentId },
      ]),
    );
    expect(await snapshot(t.id)).toEqual(before);

    const applied = (await ok(stack, agent, APPLY, { t: t.id, m: macro.id, v: t.version }))
      .applyMacro;
    expect(applied.message).toMatchObject({ kind: 'public_reply', body: expectedReply });
    expect(applied.ticket).toMatchObject({
      status: 'pending',
      priority: 'high',
      tags: ['needs-logs', 'printer'],
      assignee: { id: agentId },
    });
    const msgs = await stack.db.query(
      `SELECT kind, body FROM ticket_messages WHERE ticket_id = $1 ORDER BY id`,
      [t.id],
    );
    expect(msgs.rows.map((r: any) => r.kind)).toEqual([
      'customer_message',
      'public_reply',
      'internal_note',
    ]);
    expect(msgs.rows[2].body).toBe('Asked Ada for logs');
    const history = (
      await ok(
        stack,
        agent,
        `query($id: ID!) { ticket(id: $id) { events { type fromValue toValue } } }`,
        { id: t.id },
      )
    ).ticket.events;
    expect(history).toEqual(
      expect.arrayContaining([
        { type: 'macro_applied', fromValue: macro.id, toValue: 'Waiting on logs' },
        { type: 'status_changed', fromValue: 'open', toValue: 'pending' },
        { type: 'priority_changed', fromValue: 'normal', toValue: 'high' },
      ]),
    );
    // usage counts feed "most used": applied once, it now comes before the team macro
    const list = (await ok(stack, agent, LIST)).macros;
    expect(list[0]).toMatchObject({ name: 'Waiting on logs', usageCount: 1 });
    expect((await ok(stack, agent, LIST, { s: 'logs' })).macros.map((m: any) => m.name)).toEqual([
      'Waiting on logs',
    ]);
    expect((await ok(stack, agent, LIST, { s: '%' })).macros).toEqual([]);
  });

  it('changes nothing when any step is refused: stale version, state machine, private team', async () => {
    const noBody = (
      await ok(stack, admin, CREATE, {
        i: { name: 'Close it', scope: 'global', actions: { status: 'closed', addTags: ['x'] } },
      })
    ).createMacro;
    const reply = (
      await ok(stack, admin, CREATE, {
        i: {
          name: 'Move out',
          scope: 'global',
          body: 'Moving you on',
          actions: { teamId: support },
        },
      })
    ).createMacro;
    // stale expectedVersion: CONFLICT
    const t = await newTicket();
    const before = await snapshot(t.id);
    expect(
      (await fails(stack, agent, APPLY, { t: t.id, m: reply.id, v: t.version - 1 })).extensions
        ?.code,
    ).toBe('CONFLICT');
    expect(await snapshot(t.id)).toEqual(before);
    // new → closed is not a move of the state machine: the tag is not kept either
    const err = await fails(stack, agent, APPLY, { t: t.id, m: noBody.id });
    expect(err.extensions?.code).toBe('BAD_USER_INPUT');
    expect(err.message).toContain('cannot move a ticket from new to closed');
    expect(await snapshot(t.id)).toEqual(before);
    // a private team's ticket is not there for an agent of another team: nothing is posted
    const secret = await newTicket({ teamId: vault });
    const secretBefore = await snapshot(secret.id);
    const refused = await fails(stack, agent, APPLY, { t: secret.id, m: reply.id });
    expect(refused.extensions?.code).toBe('NOT_FOUND');
    expect(await snapshot(secret.id)).toEqual(secretBefore);
    expect(
      (await stack.db.query(`SELECT usage_count FROM macros WHERE id = $1`, [reply.id])).rows[0]
        .usage_count,
    ).toBe(0);
    // a macro without a body posts no reply
    const solved = (
      await ok(stack, admin, CREATE, {
        i: { name: 'Tag only', scope: 'global', actions: { addTags: ['vip'] } },
      })
    ).createMacro;
    const r = (await ok(stack, agent, APPLY, { t: t.id, m: solved.id })).applyMacro;
    expect(r.message).toBeNull();
    expect(r.ticket.tags).toEqual(['vip']);
    expect((await snapshot(t.id)).messages).toBe(before.messages);
  });
});
