import { insertUser, login, ok } from '../support/factories';
import { schemaOperations } from '../support/operations';
import { TestStack, startStack } from '../support/stack';

jest.setTimeout(60_000);

type Role = 'agent' | 'team_lead' | 'account_manager' | 'admin';
const ROLES: Role[] = ['agent', 'team_lead', 'account_manager', 'admin'];
const ALL: Role[] = ROLES;
const WORKERS: Role[] = ['agent', 'team_lead', 'admin'];
const OWNERS: Role[] = ['account_manager', 'admin'];
const PUBLIC = 'public' as const;

/** An id that exists nowhere: allowed callers get NOT_FOUND (so nothing is written). */
const NONE = '999999999';

/**
 * One row per GraphQL operation: who may call it, and a call that is harmless for those who may
 * (an unknown id or an invalid input, so the guard is what is tested and no row is written).
 * Adding an operation to the schema without a row here fails the first test: add one line.
 */
const MATRIX: Record<string, { allowed: Role[] | typeof PUBLIC; call: string }> = {
  // queries
  contact: { allowed: ALL, call: `{ contact(id: "${NONE}") { id } }` },
  customer: { allowed: ALL, call: `{ customer(id: "${NONE}") { id } }` },
  customers: { allowed: ALL, call: `{ customers(first: 1) { totalCount } }` },
  followUp: { allowed: ALL, call: `{ followUp(id: "${NONE}") { id } }` },
  followUps: { allowed: ALL, call: `{ followUps(first: 1) { edges { cursor } } }` },
  health: { allowed: PUBLIC, call: `{ health { status } }` },
  me: { allowed: ALL, call: `{ me { id } }` },
  queueStats: { allowed: ['team_lead', 'admin'], call: `{ queueStats { queue } }` },
  slaPolicies: { allowed: ALL, call: `{ slaPolicies { id } }` },
  surveyStats: {
    allowed: ['team_lead', 'account_manager', 'admin'],
    call: `{ surveyStats(filter: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }) { sent } }`,
  },
  teams: { allowed: ALL, call: `{ teams { id } }` },
  ticket: { allowed: ALL, call: `{ ticket(id: "${NONE}") { id } }` },
  tickets: { allowed: ALL, call: `{ tickets(first: 1) { edges { cursor } } }` },
  user: { allowed: ALL, call: `{ user(id: "${NONE}") { id } }` },
  users: { allowed: ALL, call: `{ users(first: 1) { edges { cursor } } }` },
  importRun: { allowed: ['admin'], call: `{ importRun(id: "${NONE}") { id } }` },
  importRuns: { allowed: ['admin'], call: `{ importRuns(first: 1) { id } }` },
  riskList: { allowed: OWNERS, call: `{ riskList(first: 1) { edges { cursor } } }` },
  retentionSummary: {
    allowed: OWNERS,
    call: `{ retentionSummary(period: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }) { current { churned } } }`,
  },
  supportKpis: {
    allowed: ['team_lead', 'admin'],
    call: `{ supportKpis(filter: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }) { rows { ticketsCreated } } }`,
  },
  startImport: {
    allowed: ['admin'],
    call: `mutation { startImport(input: { kind: customers }) { id } }`,
  },
  snoozeCustomer: {
    allowed: OWNERS,
    call: `mutation { snoozeCustomer(customerId: "${NONE}", days: 7, reason: "x") { until } }`,
  },
  unsnoozeCustomer: {
    allowed: OWNERS,
    call: `mutation { unsnoozeCustomer(customerId: "${NONE}") }`,
  },
  logOutreach: {
    allowed: OWNERS,
    call: `mutation { logOutreach(customerId: "${NONE}", note: "x") { next { id } } }`,
  },
  markChurned: {
    allowed: OWNERS,
    call: `mutation { markChurned(customerId: "${NONE}", reason: "x") { id } }`,
  },
  markRetained: {
    allowed: OWNERS,
    call: `mutation { markRetained(customerId: "${NONE}", note: "x") { id } }`,
  },
  exportContactData: { allowed: ['admin'], call: `{ exportContactData(contactId: "${NONE}") }` },
  // mutations
  eraseContact: {
    allowed: ['admin'],
    call: `mutation { eraseContact(contactId: "${NONE}") { contactId } }`,
  },
  addCustomerMessage: {
    allowed: WORKERS,
    call: `mutation { addCustomerMessage(id: "${NONE}", body: "x") { message { id } } }`,
  },
  addInternalNote: {
    allowed: [...WORKERS, 'account_manager'],
    call: `mutation { addInternalNote(id: "${NONE}", body: "x") { message { id } } }`,
  },
  cancelFollowUp: { allowed: ALL, call: `mutation { cancelFollowUp(id: "${NONE}") { id } }` },
  changeTicketStatus: {
    allowed: WORKERS,
    call: `mutation { changeTicketStatus(id: "${NONE}", status: open) { id } }`,
  },
  completeFollowUp: {
    allowed: ALL,
    call: `mutation { completeFollowUp(id: "${NONE}", outcome: "x") { id } }`,
  },
  createContact: {
    allowed: ALL,
    call: `mutation { createContact(customerId: "${NONE}", input: { name: "A", email: "a@b.example" }) { id } }`,
  },
  createCustomer: {
    allowed: OWNERS,
    call: `mutation { createCustomer(input: { name: "" }) { id } }`,
  },
  createFollowUp: {
    allowed: ALL,
    call: `mutation { createFollowUp(input: { ticketId: "${NONE}", kind: custom, dueAt: "2030-01-01T00:00:00Z" }) { id } }`,
  },
  createSlaPolicy: {
    allowed: ['admin'],
    call: `mutation { createSlaPolicy(input: { name: "x", priority: low, firstResponseMinutes: 0, resolutionMinutes: 0 }) { id } }`,
  },
  createTeam: { allowed: ['admin'], call: `mutation { createTeam(input: { name: "" }) { id } }` },
  createTicket: {
    allowed: WORKERS,
    call: `mutation { createTicket(input: { requesterId: "${NONE}", subject: "x", channel: email }) { id } }`,
  },
  createUser: {
    allowed: ['admin'],
    call: `mutation { createUser(input: { email: "bad", name: "x", password: "x", role: agent }) { id } }`,
  },
  deactivateSlaPolicy: {
    allowed: ['admin'],
    call: `mutation { deactivateSlaPolicy(id: "${NONE}") }`,
  },
  login: {
    allowed: PUBLIC,
    call: `mutation { login(email: "nobody@t.local", password: "x") { token } }`,
  },
  replyToTicket: {
    allowed: WORKERS,
    call: `mutation { replyToTicket(id: "${NONE}", body: "x") { message { id } } }`,
  },
  rescheduleFollowUp: {
    allowed: ALL,
    call: `mutation { rescheduleFollowUp(id: "${NONE}", dueAt: "2030-01-01T00:00:00Z") { id } }`,
  },
  setCustomerStatus: {
    allowed: OWNERS,
    call: `mutation { setCustomerStatus(id: "${NONE}", status: churned) { id } }`,
  },
  updateContact: {
    allowed: ALL,
    call: `mutation { updateContact(id: "${NONE}", input: { name: "x" }) { id } }`,
  },
  updateCustomer: {
    allowed: OWNERS,
    call: `mutation { updateCustomer(id: "${NONE}", input: { name: "x" }) { id } }`,
  },
  updateTeam: {
    allowed: ['admin'],
    call: `mutation { updateTeam(id: "${NONE}", input: { name: "x" }) { id } }`,
  },
  updateTicket: {
    allowed: WORKERS,
    call: `mutation { updateTicket(id: "${NONE}", input: { subject: "x" }) { id } }`,
  },
  updateUser: {
    allowed: ['admin'],
    call: `mutation { updateUser(id: "${NONE}", input: { name: "x" }) { id } }`,
  },
  // last: it revokes the caller's token (the test signs everyone in again afterwards)
  logout: { allowed: ALL, call: `mutation { logout }` },
};

describe('access control: every operation × every role', () => {
  let stack: TestStack;
  const tokens: Partial<Record<Role, string>> = {};

  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: {
        RATE_LIMIT_USER_PER_MINUTE: '0',
        RATE_LIMIT_IP_PER_MINUTE: '0',
        LOGIN_RATE_LIMIT_IP_PER_MINUTE: '0',
      },
    });
    // a team lead without a team may see no survey stats at all (a service rule), so give one
    const { rows } = await stack.db.query<{ id: string }>(
      `INSERT INTO teams (name) VALUES ('Leads') RETURNING id::text`,
    );
    for (const role of ROLES) {
      await insertUser(stack, {
        email: `${role}@t.local`,
        role,
        teamId: role === 'team_lead' ? rows[0].id : null,
      });
      tokens[role] = await login(stack, `${role}@t.local`);
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('has a matrix row for every query and mutation in the schema', async () => {
    const { queries, mutations } = await schemaOperations(stack);
    expect(Object.keys(MATRIX).sort()).toEqual([...queries, ...mutations].sort());
  });

  it('allows and forbids exactly as the matrix says, and refuses anonymous callers', async () => {
    const mismatches: string[] = [];
    for (const [op, row] of Object.entries(MATRIX)) {
      for (const who of [...ROLES, 'anonymous'] as const) {
        const token = who === 'anonymous' ? undefined : tokens[who];
        const res = await stack.gql(row.call, undefined, { token });
        const code = res.errors?.[0]?.extensions?.code as string | undefined;
        const expected =
          row.allowed === PUBLIC
            ? 'allowed'
            : who === 'anonymous'
              ? 'UNAUTHENTICATED'
              : row.allowed.includes(who)
                ? 'allowed'
                : 'FORBIDDEN';
        const got = code === 'FORBIDDEN' || code === 'UNAUTHENTICATED' ? code : 'allowed';
        // login's own refusal ("wrong e-mail or password") is UNAUTHENTICATED by design
        const actual = op === 'login' && code === 'UNAUTHENTICATED' ? 'allowed' : got;
        if (actual !== expected)
          mismatches.push(`${op} as ${who}: expected ${expected}, got ${code ?? 'success'}`);
        if (res.status >= 500 || code === 'INTERNAL_SERVER_ERROR')
          mismatches.push(`${op} as ${who}: ${res.status} ${code}`);
      }
    }
    expect(mismatches).toEqual([]);
    // logout (the last row) ended the sessions: sign everyone in again for the next tests
    for (const role of ROLES) tokens[role] = await login(stack, `${role}@t.local`);
    // the harmless calls wrote nothing
    const { rows } = await stack.db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM tickets) + (SELECT count(*) FROM customers) + (SELECT count(*) FROM teams)
            + (SELECT count(*) FROM follow_ups) + (SELECT count(*) FROM sla_policies) + (SELECT count(*) FROM contacts) AS n`,
    );
    expect(Number(rows[0].n)).toBe(1); // the team made above
  });

  it('keeps internal notes of a private team from users of other teams', async () => {
    const admin = tokens.admin!;
    const mk = async (name: string, isPrivate: boolean) =>
      (
        await ok(stack, admin, `mutation($i: TeamInput!) { createTeam(input: $i) { id } }`, {
          i: { name, isPrivate },
        })
      ).createTeam.id as string;
    const vault = await mk('Vault', true);
    const other = await mk('Other', false);
    await insertUser(stack, { email: 'insider@t.local', role: 'agent', teamId: vault });
    await insertUser(stack, { email: 'outsider@t.local', role: 'agent', teamId: other });
    await insertUser(stack, { email: 'am@t.local', role: 'account_manager' });
    const insider = await login(stack, 'insider@t.local');
    const outsider = await login(stack, 'outsider@t.local');
    const am = await login(stack, 'am@t.local');
    const customerId = (
      await ok(
        stack,
        admin,
        `mutation { createCustomer(input: { name: "Acme", contacts: [{ name: "Pat", email: "pat@acme.example" }] }) { id contacts { id } } }`,
      )
    ).createCustomer;
    const ticket = (
      await ok(
        stack,
        insider,
        `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }`,
        {
          i: {
            requesterId: customerId.contacts[0].id,
            subject: 'Sensitive',
            channel: 'email',
            teamId: vault,
            message: { body: 'Customer wrote', kind: 'customer_message' },
          },
        },
      )
    ).createTicket.id as string;
    await ok(
      stack,
      insider,
      `mutation($id: ID!) { addInternalNote(id: $id, body: "Secret: lawsuit pending") { message { id } } }`,
      { id: ticket },
    );

    const read = (token: string) =>
      ok(
        stack,
        token,
        `query($id: ID!, $c: ID!) {
        ticket(id: $id) { lastMessage { kind body } messages(first: 50) { edges { node { kind body } } } }
        customer(id: $c) { timeline(first: 50) { edges { node { kind body } } } }
      }`,
        { id: ticket, c: customerId.id },
      );
    const notesIn = (d: any) =>
      [
        ...d.ticket.messages.edges.map((e: any) => e.node.body),
        d.ticket.lastMessage?.body,
        ...d.customer.timeline.edges.map((e: any) => e.node.body),
      ].filter((b: string | null) => b?.includes('lawsuit')).length;

    expect(notesIn(await read(insider))).toBe(3); // messages, lastMessage, timeline
    expect(notesIn(await read(admin))).toBe(3);
    const out = await read(outsider);
    expect(notesIn(out)).toBe(0);
    expect(out.ticket.lastMessage).toEqual({ kind: 'customer_message', body: 'Customer wrote' });
    expect(out.ticket.messages.edges).toHaveLength(1);
    expect(notesIn(await read(am))).toBe(0); // no team: not a member

    // a public team's notes are visible to everyone staff
    await stack.db.query(`UPDATE teams SET is_private = false WHERE id = $1`, [vault]);
    expect(notesIn(await read(outsider))).toBe(3);
  });
});
