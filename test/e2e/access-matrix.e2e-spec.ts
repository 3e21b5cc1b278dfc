import { PASSWORD, fails, insertUser, login, ok } from '../support/factories';
import { schemaOperations } from '../support/operations';
import { NO_RATE_LIMITS } from '../support/env';
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
  retentionCustomers: {
    allowed: OWNERS,
    call: `{ retentionCustomers(period: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }, figure: churned, first: 1) { edges { cursor } } }`,
  },
  supportKpiSurveys: {
    allowed: ['team_lead', 'admin'],
    call: `{ supportKpiSurveys(filter: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }) { __typename } }`,
  },
  supportKpiTickets: {
    allowed: ['team_lead', 'admin'],
    call: `{ supportKpiTickets(filter: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }, metric: tickets_created, first: 1) { totalCount } }`,
  },
  valueSegments: {
    allowed: ['team_lead', 'account_manager', 'admin'],
    call: `{ valueSegments { segment } }`,
  },
  valueSegmentScheme: {
    allowed: ['team_lead', 'account_manager', 'admin'],
    call: `{ valueSegmentScheme { scheme } }`,
  },
  // an invalid scheme (no bands): an admin gets BAD_USER_INPUT and nothing changes
  setValueSegmentScheme: {
    allowed: ['admin'],
    call: `mutation { setValueSegmentScheme(scheme: bands, bands: []) { scheme } }`,
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
  changePassword: {
    allowed: ALL,
    call: `mutation { changePassword(currentPassword: "wrong", newPassword: "x") { token } }`,
  },
  unlockUser: { allowed: ['admin'], call: `mutation { unlockUser(id: "${NONE}") { id } }` },
  sendPasswordResetLink: {
    allowed: ['admin'],
    call: `mutation { sendPasswordResetLink(id: "${NONE}") }`,
  },
  requestPasswordReset: {
    allowed: PUBLIC,
    call: `mutation { requestPasswordReset(email: "nobody@t.local") }`,
  },
  resetPassword: {
    allowed: PUBLIC,
    call: `mutation { resetPassword(token: "x", newPassword: "x") }`,
  },
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
    call: `mutation { createFollowUp(input: { ticketId: "${NONE}", kind: custom, dueAt: "2027-06-01T00:00:00Z" }) { id } }`,
  },
  createSlaPolicy: {
    allowed: ['admin'],
    call: `mutation { createSlaPolicy(input: { name: "x", priority: low, firstResponseMinutes: 0, resolutionMinutes: 0 }) { id } }`,
  },
  createTeam: { allowed: ['admin'], call: `mutation { createTeam(input: { name: "" }) { id } }` },
  // e-mail channel
  mailboxes: { allowed: ['admin'], call: `{ mailboxes { id } }` },
  createMailbox: {
    allowed: ['admin'],
    call: `mutation { createMailbox(input: { name: "", host: "h", port: 1, tls: true, username: "u", password: "p" }) { id } }`,
  },
  setMailboxActive: {
    allowed: ['admin'],
    call: `mutation { setMailboxActive(id: "${NONE}", active: false) { id } }`,
  },
  // admin screens (issue 17)
  testMailbox: {
    allowed: ['admin'],
    call: `mutation { testMailbox(id: "${NONE}") { ok } }`,
  },
  deleteMailbox: { allowed: ['admin'], call: `mutation { deleteMailbox(id: "${NONE}") }` },
  clearContactBounce: {
    allowed: ALL,
    call: `mutation { clearContactBounce(contactId: "${NONE}") { id } }`,
  },
  importPreview: {
    allowed: ['admin'],
    call: `{ importPreview(path: "no-such-file.csv", kind: tickets) { header } }`,
  },
  contactErasurePreview: {
    allowed: ['admin'],
    call: `{ contactErasurePreview(contactId: "${NONE}") { name } }`,
  },
  myMailNotifications: { allowed: ALL, call: `{ myMailNotifications { assigned } }` },
  setMyMailNotifications: {
    allowed: ALL,
    call: `mutation { setMyMailNotifications(input: {}) { assigned } }`,
  },
  setTeamMailSender: {
    allowed: ['admin'],
    call: `mutation { setTeamMailSender(teamId: "${NONE}", input: {}) { fromName } }`,
  },
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
  updateSlaPolicy: {
    allowed: ['admin'],
    call: `mutation { updateSlaPolicy(id: "${NONE}", input: { name: "x" }) { id } }`,
  },
  login: {
    allowed: PUBLIC,
    call: `mutation { login(email: "nobody@t.local", password: "x") { token } }`,
  },
  replyToTicket: {
    allowed: WORKERS,
    call: `mutation { replyToTicket(id: "${NONE}", body: "x") { message { id } } }`,
  },
  reportPresence: {
    allowed: ALL,
    call: `mutation { reportPresence(ticketId: "${NONE}") }`,
  },
  rescheduleFollowUp: {
    allowed: ALL,
    call: `mutation { rescheduleFollowUp(id: "${NONE}", dueAt: "2027-06-01T00:00:00Z") { id } }`,
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
  // agent tools (issue 18)
  macros: { allowed: WORKERS, call: `{ macros(first: 1) { id } }` },
  previewMacro: {
    allowed: WORKERS,
    call: `{ previewMacro(ticketId: "${NONE}", macroId: "${NONE}") { reply } }`,
  },
  createMacro: {
    allowed: WORKERS,
    call: `mutation { createMacro(input: { name: "x", scope: personal, body: "{{nope}}" }) { id } }`,
  },
  updateMacro: {
    allowed: WORKERS,
    call: `mutation { updateMacro(id: "${NONE}", input: { name: "x", scope: personal, body: "x" }) { id } }`,
  },
  deleteMacro: { allowed: WORKERS, call: `mutation { deleteMacro(id: "${NONE}") }` },
  applyMacro: {
    allowed: WORKERS,
    call: `mutation { applyMacro(ticketId: "${NONE}", macroId: "${NONE}") { reply } }`,
  },
  myAvailability: { allowed: WORKERS, call: `{ myAvailability { availability } }` },
  setAvailability: {
    allowed: WORKERS,
    call: `mutation { setAvailability(availability: available) { availability } }`,
  },
  setTeamAssignment: {
    allowed: ['team_lead', 'admin'],
    call: `mutation { setTeamAssignment(teamId: "${NONE}", mode: round_robin, cap: 3) { mode } }`,
  },
  savedViews: { allowed: ALL, call: `{ savedViews { id count } }` },
  createSavedView: {
    allowed: ALL,
    call: `mutation { createSavedView(input: { name: "  " }) { id } }`,
  },
  updateSavedView: {
    allowed: ALL,
    call: `mutation { updateSavedView(id: "${NONE}", input: { name: "x" }) { id } }`,
  },
  deleteSavedView: { allowed: ALL, call: `mutation { deleteSavedView(id: "${NONE}") }` },
  reorderSavedViews: { allowed: ALL, call: `mutation { reorderSavedViews(ids: ["${NONE}"]) }` },
  // automation rules, merge/split, custom fields (issue 18)
  automationRules: { allowed: ['team_lead', 'admin'], call: `{ automationRules { id } }` },
  automationRuleVersions: {
    allowed: ['team_lead', 'admin'],
    call: `{ automationRuleVersions(id: "${NONE}") { version } }`,
  },
  testAutomationRule: {
    allowed: ['team_lead', 'admin'],
    call: `{ testAutomationRule(ticketId: "${NONE}", input: { name: " ", trigger: ticket_created, actions: {} }) { matched } }`,
  },
  createAutomationRule: {
    allowed: ['team_lead', 'admin'],
    call: `mutation { createAutomationRule(input: { name: " ", trigger: ticket_created, actions: {} }) { id } }`,
  },
  updateAutomationRule: {
    allowed: ['team_lead', 'admin'],
    call: `mutation { updateAutomationRule(id: "${NONE}", input: { name: " ", trigger: ticket_created, actions: {} }) { id } }`,
  },
  deleteAutomationRule: {
    allowed: ['team_lead', 'admin'],
    call: `mutation { deleteAutomationRule(id: "${NONE}") }`,
  },
  reorderAutomationRules: {
    allowed: ['team_lead', 'admin'],
    call: `mutation { reorderAutomationRules(trigger: time, ids: ["${NONE}"]) { id } }`,
  },
  mergeTickets: {
    allowed: WORKERS,
    call: `mutation { mergeTickets(sourceId: "${NONE}", targetId: "${NONE}") { target { id } } }`,
  },
  splitTicket: {
    allowed: WORKERS,
    call: `mutation { splitTicket(ticketId: "${NONE}", messageId: "${NONE}") { ticket { id } } }`,
  },
  customFieldDefinitions: { allowed: ALL, call: `{ customFieldDefinitions { id } }` },
  createCustomFieldDefinition: {
    allowed: ['admin'],
    call: `mutation { createCustomFieldDefinition(input: { entity: ticket, key: "Bad Key", label: "x", type: text }) { id } }`,
  },
  updateCustomFieldDefinition: {
    allowed: ['admin'],
    call: `mutation { updateCustomFieldDefinition(id: "${NONE}", input: { label: "x" }) { id } }`,
  },
  setTicketCustomFields: {
    allowed: WORKERS,
    call: `mutation { setTicketCustomFields(ticketId: "${NONE}", values: { nope: 1 }) { id } }`,
  },
  setCustomerCustomFields: {
    allowed: OWNERS,
    call: `mutation { setCustomerCustomFields(customerId: "${NONE}", values: { nope: 1 }) }`,
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
      env: { ...NO_RATE_LIMITS, LOGIN_RATE_LIMIT_IP_PER_MINUTE: '0' },
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

  it("hides a private team's tickets whole from everyone but its members, its lead and admins", async () => {
    const admin = tokens.admin!;
    const mk = async (name: string, isPrivate: boolean, leadId?: string) =>
      (
        await ok(stack, admin, `mutation($i: TeamInput!) { createTeam(input: $i) { id } }`, {
          i: { name, isPrivate, leadId },
        })
      ).createTeam.id as string;
    const vaultLeadId = await insertUser(stack, { email: 'vlead@t.local', role: 'team_lead' });
    const vault = await mk('Vault', true, vaultLeadId);
    const other = await mk('Other', false);
    await insertUser(stack, { email: 'insider@t.local', role: 'agent', teamId: vault });
    await insertUser(stack, { email: 'outsider@t.local', role: 'agent', teamId: other });
    await insertUser(stack, { email: 'olead@t.local', role: 'team_lead', teamId: other });
    await insertUser(stack, { email: 'am@t.local', role: 'account_manager' });
    const [insider, outsider, otherLead, am, vaultLead] = await Promise.all(
      ['insider', 'outsider', 'olead', 'am', 'vlead'].map((u) => login(stack, `${u}@t.local`)),
    );
    const customer = (
      await ok(
        stack,
        admin,
        `mutation { createCustomer(input: { name: "Acme", contacts: [{ name: "Pat", email: "pat@acme.example" }] }) { id contacts { id } } }`,
      )
    ).createCustomer;
    const open = async (token: string, teamId: string, subject: string) =>
      (
        await ok(
          stack,
          token,
          `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }`,
          {
            i: {
              requesterId: customer.contacts[0].id,
              subject,
              channel: 'email',
              teamId,
              message: { body: 'Customer wrote about heliotrope', kind: 'customer_message' },
            },
          },
        )
      ).createTicket.id as string;
    const secret = await open(insider, vault, 'Sensitive matter');
    const shared = await open(outsider, other, 'Ordinary matter');
    await ok(
      stack,
      insider,
      `mutation($id: ID!) { addInternalNote(id: $id, body: "Secret: lawsuit pending") { message { id } } }`,
      { id: secret },
    );
    // a risk factor whose evidence (open tickets) includes the private ticket
    await stack.db.query(
      `INSERT INTO risk_scores (customer_id, score, band, factors, model_version)
       VALUES ($1, 50, 'medium', '[{"name":"open_backlog","label":"Open backlog","value":2,"input":2,"contribution":1}]', 'test')`,
      [customer.id],
    );

    const read = (token: string) =>
      ok(
        stack,
        token,
        `query($c: ID!) {
          tickets(first: 50, filter: { customerId: $c }) { totalCount edges { node { id } } }
          search: tickets(first: 50, filter: { search: "heliotrope" }) { totalCount edges { node { id } } }
          customer(id: $c) {
            tickets(first: 50) { edges { node { id } } }
            timeline(first: 50) { edges { node { ticketId body } } }
            risk { factors { evidence { ticketId } evidenceHidden } }
          }
        }`,
        { c: customer.id },
      );
    const ids = (c: any) => c.edges.map((e: any) => e.node.id).sort();
    for (const who of [insider, vaultLead, admin]) {
      const d = await read(who);
      expect(ids(d.tickets)).toEqual([secret, shared].sort());
      expect(d.tickets.totalCount).toBe(2);
      expect(ids(d.search)).toEqual([secret, shared].sort());
      expect(ids(d.customer.tickets)).toEqual([secret, shared].sort());
      expect(JSON.stringify(d.customer.timeline)).toContain('lawsuit');
      expect(d.customer.risk.factors[0].evidence).toHaveLength(2);
      expect(d.customer.risk.factors[0].evidenceHidden).toBe(0);
      const t = await ok(stack, who, `query($id: ID!) { ticket(id: $id) { subject } }`, {
        id: secret,
      });
      expect(t.ticket.subject).toBe('Sensitive matter');
      // the queue reads lastMessage with the page (one statement): readers see the note there too
      const q = await ok(
        stack,
        who,
        `query($t: [ID!]) { tickets(first: 50, filter: { teamIds: $t }) { edges { node { id lastMessage { body } } } } }`,
        { t: [vault] },
      );
      // …the same as the field's own resolver answers
      const own = await ok(
        stack,
        who,
        `query($id: ID!) { ticket(id: $id) { lastMessage { body } } }`,
        {
          id: secret,
        },
      );
      expect(q.tickets.edges.map((e: any) => e.node.lastMessage?.body)).toEqual([
        own.ticket.lastMessage.body,
      ]);
    }

    const nextWeek = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
    const followUp = (
      await ok(
        stack,
        insider,
        `mutation($t: ID!, $d: DateTime!) { createFollowUp(input: { ticketId: $t, kind: check_in, dueAt: $d, note: "Call about the lawsuit" }) { id } }`,
        { t: secret, d: nextWeek },
      )
    ).createFollowUp.id as string;
    const followUps = `query($t: ID!) { followUps(filter: { ticketId: $t }) { edges { node { id } } } }`;
    expect((await ok(stack, admin, followUps, { t: secret })).followUps.edges).toHaveLength(1);

    const version = async () =>
      (await stack.db.query(`SELECT version FROM tickets WHERE id = $1`, [secret])).rows[0].version;
    const before = await version();
    const missing = await fails(stack, outsider, `query { ticket(id: "${NONE}") { id } }`);
    for (const who of [outsider, otherLead, am]) {
      const d = await read(who);
      expect(ids(d.tickets)).toEqual([shared]);
      expect(d.tickets.totalCount).toBe(1);
      expect(ids(d.search)).toEqual([shared]);
      expect(ids(d.customer.tickets)).toEqual([shared]);
      const timeline = JSON.stringify(d.customer.timeline);
      expect(timeline).not.toContain(secret);
      expect(timeline).not.toContain('lawsuit');
      expect(timeline).toContain(shared);
      expect(d.customer.risk.factors[0].evidence).toEqual([{ ticketId: shared }]);
      expect(d.customer.risk.factors[0].evidenceHidden).toBe(1);
      // by id: NOT_FOUND, worded as for an id that does not exist
      const err = await fails(stack, who, `query($id: ID!) { ticket(id: $id) { subject } }`, {
        id: secret,
      });
      expect(err.extensions?.code).toBe('NOT_FOUND');
      expect(err.message.replace(secret, 'N')).toBe(missing.message.replace(NONE, 'N'));
      // its follow-ups neither (listed, by id, or a new one)
      expect((await ok(stack, who, followUps, { t: secret })).followUps.edges).toEqual([]);
      for (const [q, v] of [
        [`query($id: ID!) { followUp(id: $id) { id } }`, { id: followUp }],
        [
          `mutation($t: ID!, $d: DateTime!) { createFollowUp(input: { ticketId: $t, kind: check_in, dueAt: $d }) { id } }`,
          { t: secret, d: nextWeek },
        ],
      ] as const)
        expect((await fails(stack, who, q, v)).extensions?.code).toBe('NOT_FOUND');
      // and every change to it, even with a version (no CONFLICT that would tell it exists)
      for (const m of [
        `mutation($id: ID!) { replyToTicket(id: $id, body: "hi", expectedVersion: 99) { message { id } } }`,
        `mutation($id: ID!) { addInternalNote(id: $id, body: "hi") { message { id } } }`,
        `mutation($id: ID!) { addCustomerMessage(id: $id, body: "hi") { message { id } } }`,
        `mutation($id: ID!) { updateTicket(id: $id, input: { priority: urgent }) { id } }`,
        `mutation($id: ID!) { changeTicketStatus(id: $id, status: solved) { id } }`,
        `mutation($id: ID!) { reportPresence(ticketId: $id) }`,
      ]) {
        const e = await fails(stack, who, m, { id: secret });
        expect([m, e.extensions?.code]).toEqual([
          m,
          who === am && !m.includes('Internal') && !m.includes('Presence')
            ? 'FORBIDDEN'
            : 'NOT_FOUND',
        ]);
      }
    }
    expect(await version()).toBe(before);
  });

  it('lets a member of two private teams read both, and stops at once when removed from one', async () => {
    const admin = tokens.admin!;
    const mk = async (name: string) =>
      (
        await ok(stack, admin, `mutation($i: TeamInput!) { createTeam(input: $i) { id } }`, {
          i: { name, isPrivate: true },
        })
      ).createTeam.id as string;
    const [north, south, west] = [
      await mk('North vault'),
      await mk('South vault'),
      await mk('West vault'),
    ];
    const created = (
      await ok(
        stack,
        admin,
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id teamId teamIds teams { name } } }`,
        {
          i: {
            email: 'twoteams@t.local',
            name: 'Two Teams',
            password: PASSWORD,
            role: 'agent',
            teamIds: [south, north],
          },
        },
      )
    ).createUser;
    // the home team defaults to the first listed; teamIds by id, teams by name
    expect(created).toMatchObject({
      teamId: south,
      teamIds: [north, south],
      teams: [{ name: 'North vault' }, { name: 'South vault' }],
    });
    const agent = await login(stack, 'twoteams@t.local');
    const customer = (
      await ok(
        stack,
        admin,
        `mutation { createCustomer(input: { name: "Twin", contacts: [{ name: "Tess", email: "tess@twin.example" }] }) { id contacts { id } } }`,
      )
    ).createCustomer;
    const open = async (teamId: string) =>
      (
        await ok(
          stack,
          admin,
          `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }`,
          {
            i: {
              requesterId: customer.contacts[0].id,
              subject: `About ${teamId}`,
              channel: 'email',
              teamId,
              message: { body: 'Twin asks about marzipan', kind: 'customer_message' },
            },
          },
        )
      ).createTicket.id as string;
    const [n, s, w] = [await open(north), await open(south), await open(west)];
    const seen = async () => {
      const d = await ok(
        stack,
        agent,
        `query($c: ID!) {
          tickets(first: 50, filter: { customerId: $c }) { edges { node { id } } }
          search: tickets(first: 50, filter: { search: "marzipan" }) { edges { node { id } } }
          customer(id: $c) { timeline(first: 50) { edges { node { ticketId } } } }
        }`,
        { c: customer.id },
      );
      const ids = (c: any) => c.edges.map((e: any) => e.node.id ?? e.node.ticketId).sort();
      return {
        queue: ids(d.tickets),
        search: ids(d.search),
        timeline: [...new Set(ids(d.customer.timeline))],
      };
    };
    const both = [n, s].sort();
    expect(await seen()).toEqual({ queue: both, search: both, timeline: both });
    const byId = `query($id: ID!) { ticket(id: $id) { id } }`;
    expect((await ok(stack, agent, byId, { id: n })).ticket.id).toBe(n);
    expect((await fails(stack, agent, byId, { id: w })).extensions?.code).toBe('NOT_FOUND');
    // the users filter finds members of either team
    const members = async (t: string) =>
      (
        await ok(
          stack,
          admin,
          `query($t: ID!) { users(filter: { teamId: $t }) { edges { node { id } } } }`,
          {
            t,
          },
        )
      ).users.edges.map((e: any) => e.node.id);
    expect(await members(north)).toEqual([created.id]);
    expect(await members(south)).toEqual([created.id]);

    // removed from South (the home team): South's tickets are gone with the next request
    const moved = (
      await ok(
        stack,
        admin,
        `mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { teamId teamIds } }`,
        { id: created.id, i: { teamIds: [north] } },
      )
    ).updateUser;
    expect(moved).toEqual({ teamId: north, teamIds: [north] });
    expect(await seen()).toEqual({ queue: [n], search: [n], timeline: [n] });
    expect((await fails(stack, agent, byId, { id: s })).extensions?.code).toBe('NOT_FOUND');
    expect(await members(south)).toEqual([]);
    // a home team outside the memberships is refused
    const bad = await fails(
      stack,
      admin,
      `mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }`,
      { id: created.id, i: { teamIds: [north], teamId: west } },
    );
    expect([bad.extensions?.code, bad.extensions?.field]).toEqual(['BAD_USER_INPUT', 'teamId']);
  });

  it('lets only members, the lead and admins move a ticket out of a private team (NOT_FOUND for others, nothing changes)', async () => {
    const admin = tokens.admin!;
    const mk = async (name: string, isPrivate: boolean, leadId?: string) =>
      (
        await ok(stack, admin, `mutation($i: TeamInput!) { createTeam(input: $i) { id } }`, {
          i: { name, isPrivate, leadId },
        })
      ).createTeam.id as string;
    const leadId = await insertUser(stack, { email: 'vault-lead@t.local', role: 'team_lead' });
    const safe = await mk('Safe', true, leadId);
    const open = await mk('Open desk', false);
    await insertUser(stack, { email: 'safe-member@t.local', role: 'agent', teamId: safe });
    await insertUser(stack, { email: 'open-agent@t.local', role: 'agent', teamId: open });
    const member = await login(stack, 'safe-member@t.local');
    const stranger = await login(stack, 'open-agent@t.local');
    const lead = await login(stack, 'vault-lead@t.local');
    const customer = (
      await ok(
        stack,
        admin,
        `mutation { createCustomer(input: { name: "Mover", contacts: [{ name: "Mo", email: "mo@mover.example" }] }) { contacts { id } } }`,
      )
    ).createCustomer;
    const newTicket = async () => {
      const id = (
        await ok(
          stack,
          member,
          `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }`,
          {
            i: {
              requesterId: customer.contacts[0].id,
              subject: 'Board matter',
              channel: 'email',
              teamId: safe,
            },
          },
        )
      ).createTicket.id as string;
      await ok(
        stack,
        member,
        `mutation($id: ID!) { addInternalNote(id: $id, body: "Acquisition talks, keep quiet") { message { id } } }`,
        { id },
      );
      return id;
    };
    const move = `mutation($id: ID!, $team: ID) { updateTicket(id: $id, input: { teamId: $team }) { team { id } messages(first: 10) { edges { node { body } } } } }`;
    const ticket = await newTicket();
    const version = async () =>
      (
        await stack.db.query(`SELECT version, team_id::text AS team FROM tickets WHERE id = $1`, [
          ticket,
        ])
      ).rows[0];
    const before = await version();
    for (const team of [open, null]) {
      // an agent of another team does not see the ticket at all
      const res = await stack.gql(move, { id: ticket, team }, { token: stranger });
      expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
      expect(JSON.stringify(res.data ?? null)).not.toContain('Acquisition');
    }
    expect(await version()).toEqual(before);
    // members, the lead (not a member) and admins may move it
    for (const who of [member, lead, admin]) {
      const id = await newTicket();
      const moved = await ok(stack, who, move, { id, team: open });
      expect(moved.updateTicket.team.id).toBe(open);
    }
  });

  it('does not find tickets of private teams (nor their note words) in search for callers who may not read them', async () => {
    const admin = tokens.admin!;
    const mk = async (name: string, isPrivate: boolean) =>
      (
        await ok(stack, admin, `mutation($i: TeamInput!) { createTeam(input: $i) { id } }`, {
          i: { name, isPrivate },
        })
      ).createTeam.id as string;
    const hidden = await mk('Hidden desk', true);
    const visible = await mk('Visible desk', false);
    await insertUser(stack, { email: 'hidden-agent@t.local', role: 'agent', teamId: hidden });
    await insertUser(stack, { email: 'visible-agent@t.local', role: 'agent', teamId: visible });
    const insider = await login(stack, 'hidden-agent@t.local');
    const outsider = await login(stack, 'visible-agent@t.local');
    const contact = (
      await ok(
        stack,
        admin,
        `mutation { createCustomer(input: { name: "Searchco", contacts: [{ name: "Sue", email: "sue@searchco.example" }] }) { contacts { id } } }`,
      )
    ).createCustomer.contacts[0].id;
    const ticketIn = async (team: string, note: string) => {
      const id = (
        await ok(
          stack,
          admin,
          `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }`,
          {
            i: {
              requesterId: contact,
              subject: 'Invoice question',
              channel: 'email',
              teamId: team,
              message: { body: 'Where is my invoice?', kind: 'customer_message' },
            },
          },
        )
      ).createTicket.id as string;
      await ok(
        stack,
        admin,
        `mutation($id: ID!, $b: String!) { addInternalNote(id: $id, body: $b) { message { id } } }`,
        {
          id,
          b: note,
        },
      );
      return id;
    };
    const secret = await ticketIn(hidden, 'Customer mentioned zanzibarite litigation');
    const shared = await ticketIn(visible, 'Remember the quokkafest discount');
    const search = async (token: string, s: string) =>
      (
        await ok(
          stack,
          token,
          `query($s: String) { tickets(filter: { search: $s }) { edges { node { id } } } }`,
          { s },
        )
      ).tickets.edges.map((e: any) => e.node.id);
    expect(await search(outsider, 'zanzibarite')).toEqual([]);
    // the private team's ticket is not found by its public words either
    expect(await search(outsider, 'invoice')).toEqual([shared]);
    expect(await search(insider, 'zanzibarite')).toEqual([secret]);
    expect(await search(admin, 'zanzibarite')).toEqual([secret]);
    expect(await search(tokens.account_manager!, 'zanzibarite')).toEqual([]);
    // notes of public teams stay searchable for all staff
    expect(await search(outsider, 'quokkafest')).toEqual([shared]);
    // the queue search is one scan of the search GIN index, whoever searches
    await stack.db.query('SET enable_seqscan = off');
    const plan = await stack.db.query(
      `EXPLAIN SELECT id FROM tickets t WHERE t.search @@ websearch_to_tsquery('english', 'x')
          AND (t.team_id IS NULL OR NOT EXISTS (SELECT 1 FROM teams tm WHERE tm.id = t.team_id
               AND tm.is_private AND tm.id <> ALL('{1}'::bigint[]) AND tm.lead_id IS DISTINCT FROM 2::bigint))`,
    );
    await stack.db.query('RESET enable_seqscan');
    const text = plan.rows.map((r: any) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('Bitmap Index Scan on tickets_search_idx');
  });

  it('lets an account manager change only their own (or unassigned) customers; admins any', async () => {
    const admin = tokens.admin!;
    const am = tokens.account_manager!;
    const otherAm = await insertUser(stack, { email: 'other-am@t.local', role: 'account_manager' });
    const theirs = (
      await ok(
        stack,
        admin,
        `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id } }`,
        {
          i: { name: 'Not yours Ltd', accountManagerId: otherAm, mrr: 100 },
        },
      )
    ).createCustomer.id as string;
    const snapshot = async () =>
      (
        await stack.db.query(
          `SELECT name, mrr::float8, tier, status, account_manager_id::text AS am FROM customers WHERE id = $1`,
          [theirs],
        )
      ).rows[0];
    const before = await snapshot();
    const attempts = [
      `mutation($id: ID!) { updateCustomer(id: $id, input: { mrr: 1 }) { id } }`,
      `mutation($id: ID!) { updateCustomer(id: $id, input: { tier: enterprise }) { id } }`,
      `mutation($id: ID!, $me: ID) { updateCustomer(id: $id, input: { accountManagerId: $me }) { id } }`,
      `mutation($id: ID!) { setCustomerStatus(id: $id, status: churned) { id } }`,
      `mutation($id: ID!) { markChurned(customerId: $id, reason: "x") { id } }`,
      `mutation($id: ID!) { snoozeCustomer(customerId: $id, days: 7, reason: "x") { until } }`,
      `mutation($id: ID!) { logOutreach(customerId: $id, note: "x") { next { id } } }`,
    ];
    const me = (await ok(stack, am, `{ me { id } }`)).me.id;
    for (const q of attempts) {
      const res = await stack.gql(q, { id: theirs, me }, { token: am });
      expect({ q, code: res.errors?.[0]?.extensions?.code }).toEqual({ q, code: 'FORBIDDEN' });
    }
    // and one cannot hand a new customer to a colleague
    const handOff = await stack.gql(
      `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id } }`,
      { i: { name: 'Gift', accountManagerId: otherAm } },
      { token: am },
    );
    expect(handOff.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);
    // own and unassigned customers: allowed; admins: any
    const own = (
      await ok(
        stack,
        am,
        `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id } }`,
        {
          i: { name: 'Mine Inc', accountManagerId: me },
        },
      )
    ).createCustomer.id;
    await ok(
      stack,
      am,
      `mutation($id: ID!) { updateCustomer(id: $id, input: { mrr: 5 }) { id } }`,
      { id: own },
    );
    await ok(
      stack,
      am,
      `mutation($id: ID!) { setCustomerStatus(id: $id, status: churned) { id } }`,
      { id: own },
    );
    await ok(
      stack,
      admin,
      `mutation($id: ID!) { updateCustomer(id: $id, input: { mrr: 7 }) { id } }`,
      { id: theirs },
    );
    expect((await snapshot()).mrr).toBe(7);
  });
});
