import { insertUser, login, ok } from '../support/factories';
import { schemaOperations } from '../support/operations';
import { TestStack, startStack } from '../support/stack';

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** Expected `extensions.code` of the first error. */
  code: string;
  /** Part of the message a person should read (it names the field or the problem). */
  message?: RegExp;
}

jest.setTimeout(60_000);

const LONG_SUBJECT = 'S'.repeat(501);
const HUGE_BODY = 'B'.repeat(64 * 1024 + 1);
const SQL = `'; DROP TABLE tickets; --`;
const BAD_CURSOR = 'not-a-cursor';
const INPUT = 'BAD_USER_INPUT';
const INVALID = 'GRAPHQL_VALIDATION_FAILED';

/**
 * Table-driven bad input over every mutation (and the list queries' arguments): each case must
 * get a clear error with `extensions.code`, never a 500, and write nothing. Mutations are read
 * from the schema, so a new one without cases here fails the first test: add its line(s) to
 * `cases()` below. Generic cases (unknown argument, missing/mistyped arguments) are generated
 * for every mutation from the schema itself.
 */
function cases(ids: Record<string, string>): Record<string, Case[]> {
  const t = ids.ticket;
  return {
    addCustomerMessage: [
      {
        name: 'empty body',
        query: `mutation { addCustomerMessage(id: "${t}", body: "  ") { message { id } } }`,
        code: INPUT,
        message: /body/,
      },
      {
        name: 'body > 64 KB',
        query: `mutation($b: String!) { addCustomerMessage(id: "${t}", body: $b) { message { id } } }`,
        variables: { b: HUGE_BODY },
        code: INPUT,
        message: /64 KB/,
      },
      {
        name: 'contact of another customer',
        query: `mutation { addCustomerMessage(id: "${t}", body: "x", contactId: "${ids.otherContact}") { message { id } } }`,
        code: INPUT,
      },
    ],
    addInternalNote: [
      {
        name: 'unknown ticket',
        query: `mutation { addInternalNote(id: "999999999", body: "x") { message { id } } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'malformed id',
        query: `mutation { addInternalNote(id: "${SQL}", body: "x") { message { id } } }`,
        code: INPUT,
        message: /not a valid id/,
      },
      {
        name: 'huge id',
        query: `mutation { addInternalNote(id: "99999999999999999999999", body: "x") { message { id } } }`,
        code: INPUT,
      },
    ],
    cancelFollowUp: [
      {
        name: 'unknown id',
        query: `mutation { cancelFollowUp(id: "999999999") { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'reason > 5000',
        query: `mutation($r: String) { cancelFollowUp(id: "${ids.followUp}", reason: $r) { id } }`,
        variables: { r: 'r'.repeat(5001) },
        code: INPUT,
      },
    ],
    changeTicketStatus: [
      {
        name: 'invalid enum',
        query: `mutation { changeTicketStatus(id: "${t}", status: exploded) { id } }`,
        code: INVALID,
      },
      {
        name: 'invalid enum in a variable',
        query: `mutation($s: TicketStatus!) { changeTicketStatus(id: "${t}", status: $s) { id } }`,
        variables: { s: 'exploded' },
        code: INPUT,
        message: /exploded/,
      },
      {
        name: 'illegal move',
        query: `mutation { changeTicketStatus(id: "${t}", status: closed) { id } }`,
        code: INPUT,
      },
      {
        name: 'stale version',
        query: `mutation { changeTicketStatus(id: "${t}", status: pending, expectedVersion: 999) { id } }`,
        code: 'CONFLICT',
      },
      {
        name: 'negative version',
        query: `mutation { changeTicketStatus(id: "${t}", status: pending, expectedVersion: -1) { id } }`,
        code: 'CONFLICT',
      },
      {
        name: 'version beyond Int',
        query: `mutation { changeTicketStatus(id: "${t}", status: pending, expectedVersion: 99999999999) { id } }`,
        code: INVALID,
      },
    ],
    completeFollowUp: [
      {
        name: 'empty outcome',
        query: `mutation { completeFollowUp(id: "${ids.followUp}", outcome: "") { id } }`,
        code: INPUT,
      },
      {
        name: 'outcome > 5000',
        query: `mutation($o: String!) { completeFollowUp(id: "${ids.followUp}", outcome: $o) { id } }`,
        variables: { o: 'o'.repeat(5001) },
        code: INPUT,
      },
    ],
    createContact: [
      {
        name: 'bad e-mail',
        query: `mutation { createContact(customerId: "${ids.customer}", input: { name: "A", email: "not-an-email" }) { id } }`,
        code: INPUT,
        message: /e-mail/,
      },
      {
        name: 'duplicate e-mail',
        query: `mutation { createContact(customerId: "${ids.customer}", input: { name: "A", email: "pat@acme.example" }) { id } }`,
        code: 'CONFLICT',
      },
      {
        name: 'unknown customer',
        query: `mutation { createContact(customerId: "999999999", input: { name: "A", email: "a@b.example" }) { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'missing name',
        query: `mutation { createContact(customerId: "${ids.customer}", input: { email: "new@acme.example" }) { id } }`,
        code: INPUT,
      },
    ],
    createCustomer: [
      {
        name: 'negative mrr',
        query: `mutation { createCustomer(input: { name: "X", mrr: -5 }) { id } }`,
        code: INPUT,
        message: /mrr/,
      },
      {
        name: 'huge mrr',
        query: `mutation { createCustomer(input: { name: "X", mrr: 1e300 }) { id } }`,
        code: INPUT,
        message: /mrr/,
      },
      {
        name: 'custom field not defined',
        query: `mutation { createCustomer(input: { name: "X", customFields: { nope: true } }) { id } }`,
        code: INPUT,
        message: /customFields\.nope/,
      },
      {
        name: 'invalid tier',
        query: `mutation { createCustomer(input: { name: "X", tier: platinum }) { id } }`,
        code: INVALID,
      },
      {
        name: 'name > 200',
        query: `mutation($n: String) { createCustomer(input: { name: $n }) { id } }`,
        variables: { n: 'n'.repeat(201) },
        code: INPUT,
      },
      {
        name: 'bad renewal date',
        query: `mutation { createCustomer(input: { name: "X", renewalDate: "2026-13-45" }) { id } }`,
        code: INPUT,
      },
      {
        name: 'extra input field',
        query: `mutation { createCustomer(input: { name: "X", isVip: true }) { id } }`,
        code: INVALID,
      },
    ],
    createFollowUp: [
      {
        name: 'neither ticket nor customer',
        query: `mutation { createFollowUp(input: { kind: custom, dueAt: "2027-01-01T00:00:00Z" }) { id } }`,
        code: INPUT,
      },
      {
        name: 'invalid date',
        query: `mutation { createFollowUp(input: { ticketId: "${t}", kind: custom, dueAt: "yesterday-ish" }) { id } }`,
        code: INPUT,
      },
      {
        name: 'unknown ticket',
        query: `mutation { createFollowUp(input: { ticketId: "999999999", kind: custom, dueAt: "2027-01-01T00:00:00Z" }) { id } }`,
        code: 'NOT_FOUND',
      },
    ],
    createSlaPolicy: [
      {
        name: 'zero minutes',
        query: `mutation { createSlaPolicy(input: { name: "x", priority: low, firstResponseMinutes: 0, resolutionMinutes: 60 }) { id } }`,
        code: INPUT,
      },
      {
        name: 'negative minutes',
        query: `mutation { createSlaPolicy(input: { name: "x", priority: low, firstResponseMinutes: 60, resolutionMinutes: -1 }) { id } }`,
        code: INPUT,
      },
      {
        name: 'minutes beyond Int',
        query: `mutation { createSlaPolicy(input: { name: "x", priority: low, firstResponseMinutes: 3000000000, resolutionMinutes: 60 }) { id } }`,
        code: INVALID,
      },
    ],
    createMailbox: [
      {
        name: 'empty name',
        query: `mutation { createMailbox(input: { name: " ", host: "imap.example.com", port: 993, tls: true, username: "u", password: "p" }) { id } }`,
        code: INPUT,
        message: /name/,
      },
      {
        name: 'port out of range',
        query: `mutation { createMailbox(input: { name: "x", host: "imap.example.com", port: 70000, tls: true, username: "u", password: "p" }) { id } }`,
        code: INPUT,
        message: /port/,
      },
      {
        name: 'host with a path',
        query: `mutation { createMailbox(input: { name: "x", host: "imap.example.com/../x", port: 993, tls: true, username: "u", password: "p" }) { id } }`,
        code: INPUT,
        message: /host/,
      },
    ],
    setValueSegmentScheme: [
      {
        name: 'bounds not ascending',
        query: `mutation { setValueSegmentScheme(scheme: bands, bands: [{ segment: low, minValue: 0 }, { segment: high, minValue: -5 }]) { scheme } }`,
        code: INPUT,
        message: /bands/,
      },
      {
        name: 'quartiles with bands',
        query: `mutation { setValueSegmentScheme(scheme: quartiles, bands: [{ segment: low, minValue: 0 }]) { scheme } }`,
        code: INPUT,
      },
      {
        name: 'bands without any',
        query: `mutation { setValueSegmentScheme(scheme: bands) { scheme } }`,
        code: INPUT,
      },
    ],
    testMailbox: [
      {
        name: 'unknown mailbox',
        query: `mutation { testMailbox(id: "999999") { ok } }`,
        code: 'NOT_FOUND',
      },
      { name: 'malformed id', query: `mutation { testMailbox(id: "x") { ok } }`, code: INPUT },
    ],
    deleteMailbox: [
      {
        name: 'unknown mailbox',
        query: `mutation { deleteMailbox(id: "999999") }`,
        code: 'NOT_FOUND',
      },
      { name: 'malformed id', query: `mutation { deleteMailbox(id: "x") }`, code: INPUT },
    ],
    clearContactBounce: [
      {
        name: 'unknown contact',
        query: `mutation { clearContactBounce(contactId: "999999") { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'malformed id',
        query: `mutation { clearContactBounce(contactId: "x") { id } }`,
        code: INPUT,
      },
    ],
    setMailboxActive: [
      {
        name: 'unknown mailbox',
        query: `mutation { setMailboxActive(id: "999999", active: false) { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'malformed id',
        query: `mutation { setMailboxActive(id: "${SQL}", active: false) { id } }`,
        code: INPUT,
      },
    ],
    setMyMailNotifications: [
      {
        name: 'string for a switch',
        query: `mutation { setMyMailNotifications(input: { assigned: "yes" }) { assigned } }`,
        code: INVALID,
      },
    ],
    setTeamMailSender: [
      {
        name: 'not an address',
        query: `mutation { setTeamMailSender(teamId: "${ids.team}", input: { fromAddress: "${SQL}" }) { fromName } }`,
        code: INPUT,
        message: /fromAddress/,
      },
      {
        name: 'header injection in the name',
        query: `mutation($n: String) { setTeamMailSender(teamId: "${ids.team}", input: { fromName: $n }) { fromName } }`,
        variables: { n: 'Support\r\nBcc: all@example.com' },
        code: INPUT,
        message: /fromName/,
      },
    ],
    createTeam: [
      {
        name: 'empty name',
        query: `mutation { createTeam(input: { name: "" }) { id } }`,
        code: INPUT,
      },
      {
        name: 'bad time zone',
        query: `mutation { createTeam(input: { name: "Night", timezone: "Mars/Olympus" }) { id } }`,
        code: INPUT,
      },
      {
        name: 'duplicate name',
        query: `mutation { createTeam(input: { name: "support" }) { id } }`,
        code: 'CONFLICT',
      },
    ],
    createTicket: [
      {
        name: 'subject > 500',
        query: `mutation($s: String!) { createTicket(input: { requesterId: "${ids.contact}", subject: $s, channel: email }) { id } }`,
        variables: { s: LONG_SUBJECT },
        code: INPUT,
        message: /subject/,
      },
      {
        name: 'first message > 64 KB',
        query: `mutation($b: String!) { createTicket(input: { requesterId: "${ids.contact}", subject: "x", channel: email, message: { body: $b, kind: customer_message } }) { id } }`,
        variables: { b: HUGE_BODY },
        code: INPUT,
        message: /64 KB/,
      },
      {
        name: 'invalid channel',
        query: `mutation { createTicket(input: { requesterId: "${ids.contact}", subject: "x", channel: pigeon }) { id } }`,
        code: INVALID,
      },
      {
        name: 'wrong type',
        query: `mutation { createTicket(input: { requesterId: "${ids.contact}", subject: 42, channel: email }) { id } }`,
        code: INVALID,
      },
      {
        name: 'unknown requester',
        query: `mutation { createTicket(input: { requesterId: "999999999", subject: "x", channel: email }) { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'too many tags',
        query: `mutation($tags: [String!]) { createTicket(input: { requesterId: "${ids.contact}", subject: "x", channel: email, tags: $tags }) { id } }`,
        variables: { tags: Array.from({ length: 100 }, (_, i) => `t${i}`) },
        code: INPUT,
      },
      {
        name: 'Unicode and SQL in subject are data, but subject must not be blank',
        query: `mutation { createTicket(input: { requesterId: "${ids.contact}", subject: "\\u0000  ", channel: email }) { id } }`,
        code: INPUT,
      },
    ],
    createUser: [
      {
        name: 'bad e-mail',
        query: `mutation { createUser(input: { email: "x", name: "x", password: "long-enough-password", role: agent }) { id } }`,
        code: INPUT,
      },
      {
        name: 'short password',
        query: `mutation { createUser(input: { email: "n@t.local", name: "x", password: "123", role: agent }) { id } }`,
        code: INPUT,
        message: /password/,
      },
      {
        name: 'invalid role',
        query: `mutation { createUser(input: { email: "n@t.local", name: "x", password: "long-enough-password", role: god }) { id } }`,
        code: INVALID,
      },
      {
        name: 'duplicate e-mail',
        query: `mutation { createUser(input: { email: "ADMIN@t.local", name: "x", password: "long-enough-password", role: agent }) { id } }`,
        code: 'CONFLICT',
      },
    ],
    deactivateSlaPolicy: [
      {
        name: 'unknown id',
        query: `mutation { deactivateSlaPolicy(id: "999999999") }`,
        code: 'NOT_FOUND',
      },
    ],
    updateSlaPolicy: [
      {
        name: 'unknown id',
        query: `mutation { updateSlaPolicy(id: "999999999", input: { firstResponseMinutes: 5 }) { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'malformed id',
        query: `mutation { updateSlaPolicy(id: "abc", input: { name: "x" }) { id } }`,
        code: INPUT,
      },
    ],
    eraseContact: [
      {
        name: 'unknown id',
        query: `mutation { eraseContact(contactId: "999999999") { contactId } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'SQL in id',
        query: `mutation { eraseContact(contactId: "1 OR 1=1") { contactId } }`,
        code: INPUT,
      },
    ],
    login: [
      {
        name: 'SQL in e-mail',
        query: `mutation { login(email: "${SQL}", password: "x") { token } }`,
        code: 'UNAUTHENTICATED',
      },
      {
        name: 'huge password',
        query: `mutation($p: String!) { login(email: "admin@t.local", password: $p) { token } }`,
        variables: { p: 'p'.repeat(100_000) },
        code: 'UNAUTHENTICATED',
      },
    ],
    replyToTicket: [
      {
        name: 'cc is not an address',
        query: `mutation { replyToTicket(id: "${t}", body: "x", cc: ["${SQL}"]) { message { id } } }`,
        code: INPUT,
        message: /cc/,
      },
      {
        name: 'attachment that is not an upload of yours',
        query: `mutation { replyToTicket(id: "${t}", body: "x", attachmentIds: ["999999"]) { message { id } } }`,
        code: INPUT,
        message: /attachmentIds/,
      },
      {
        name: 'body > 64 KB',
        query: `mutation($b: String!) { replyToTicket(id: "${t}", body: $b) { message { id } } }`,
        variables: { b: HUGE_BODY },
        code: INPUT,
      },
      {
        name: 'body is null',
        query: `mutation($b: String!) { replyToTicket(id: "${t}", body: $b) { message { id } } }`,
        variables: { b: null },
        code: INPUT,
      },
    ],
    reportPresence: [
      {
        name: 'ticketId is not an id',
        query: `mutation { reportPresence(ticketId: "one", composing: true) }`,
        code: INPUT,
      },
      {
        name: 'composing is not a boolean',
        query: `mutation { reportPresence(ticketId: "${t}", composing: "yes") }`,
        code: INVALID,
      },
    ],
    rescheduleFollowUp: [
      {
        name: 'not a date',
        query: `mutation { rescheduleFollowUp(id: "${ids.followUp}", dueAt: "soon") { id } }`,
        code: INPUT,
      },
      {
        name: 'year 275760+',
        query: `mutation { rescheduleFollowUp(id: "${ids.followUp}", dueAt: "999999-01-01T00:00:00Z") { id } }`,
        code: INPUT,
      },
    ],
    setCustomerStatus: [
      {
        name: 'invalid status',
        query: `mutation { setCustomerStatus(id: "${ids.customer}", status: bankrupt) { id } }`,
        code: INVALID,
      },
      {
        name: 'same status',
        query: `mutation { setCustomerStatus(id: "${ids.customer}", status: active) { id } }`,
        code: INPUT,
      },
    ],
    updateContact: [
      {
        name: 'bad e-mail',
        query: `mutation { updateContact(id: "${ids.contact}", input: { email: "nope" }) { id } }`,
        code: INPUT,
      },
      {
        name: 'phone > limit',
        query: `mutation($p: String) { updateContact(id: "${ids.contact}", input: { phone: $p }) { id } }`,
        variables: { p: '1'.repeat(1000) },
        code: INPUT,
      },
    ],
    updateCustomer: [
      {
        name: 'negative mrr',
        query: `mutation { updateCustomer(id: "${ids.customer}", input: { mrr: -1 }) { id } }`,
        code: INPUT,
      },
      {
        name: 'custom fields not an object',
        query: `mutation { updateCustomer(id: "${ids.customer}", input: { customFields: [1, 2] }) { id } }`,
        code: INVALID,
      },
      {
        name: 'custom field not defined',
        query: `mutation { updateCustomer(id: "${ids.customer}", input: { customFields: { nope: 1 } }) { id } }`,
        code: INPUT,
        message: /customFields\.nope/,
      },
      {
        name: 'dropdown value not an option',
        query: `mutation { updateCustomer(id: "${ids.customer}", input: { customFields: { region: "mars" } }) { id } }`,
        code: INPUT,
        message: /customFields\.region.*EMEA, APAC/,
      },
      {
        name: 'dropdown given a number',
        query: `mutation { updateCustomer(id: "${ids.customer}", input: { customFields: { region: 7 } }) { id } }`,
        code: INPUT,
        message: /customFields\.region/,
      },
    ],
    snoozeCustomer: [
      {
        name: 'zero days',
        query: `mutation { snoozeCustomer(customerId: "${ids.customer}", days: 0, reason: "busy") { until } }`,
        code: INPUT,
        message: /days/,
      },
      {
        name: 'blank reason',
        query: `mutation { snoozeCustomer(customerId: "${ids.customer}", days: 7, reason: "  ") { until } }`,
        code: INPUT,
        message: /reason/,
      },
      {
        name: 'unknown customer',
        query: `mutation { snoozeCustomer(customerId: "999999999", days: 7, reason: "busy") { until } }`,
        code: 'NOT_FOUND',
      },
    ],
    unsnoozeCustomer: [
      {
        name: 'not snoozed',
        query: `mutation { unsnoozeCustomer(customerId: "${ids.customer}") }`,
        code: INPUT,
        message: /not snoozed/,
      },
    ],
    logOutreach: [
      {
        name: 'blank note',
        query: `mutation { logOutreach(customerId: "${ids.customer}", note: " ") { next { id } } }`,
        code: INPUT,
        message: /note/,
      },
      {
        name: 'next follow-up in the past',
        query: `mutation { logOutreach(customerId: "${ids.customer}", note: "called", nextFollowUpAt: "2020-01-01T00:00:00Z") { next { id } } }`,
        code: INPUT,
        message: /future/,
      },
    ],
    markChurned: [
      {
        name: 'blank reason',
        query: `mutation { markChurned(customerId: "${ids.customer}", reason: "") { id } }`,
        code: INPUT,
      },
      {
        name: 'unknown customer',
        query: `mutation { markChurned(customerId: "999999999", reason: "price") { id } }`,
        code: 'NOT_FOUND',
      },
    ],
    logout: [
      {
        name: 'unknown argument (a real logout would end the admin session of this suite)',
        query: `mutation { logout(everywhere: true) }`,
        code: INVALID,
      },
    ],
    markRetained: [
      {
        name: 'blank note',
        query: `mutation { markRetained(customerId: "${ids.customer}", note: "") { id } }`,
        code: INPUT,
      },
    ],
    startImport: [
      {
        name: 'neither path nor content',
        query: `mutation { startImport(input: { kind: customers }) { id } }`,
        code: INPUT,
        message: /path|content/,
      },
      {
        name: 'a mapped column missing from the header',
        query: `mutation { startImport(input: { kind: customers, content: "name,tier\\nAcme,pro\\n", mapping: { columns: { external_id: "Account" } } }) { id } }`,
        code: INPUT,
        message: /Account/,
      },
      {
        name: 'unknown kind',
        query: `mutation { startImport(input: { kind: invoices, content: "a" }) { id } }`,
        code: INVALID,
      },
    ],
    updateTeam: [
      {
        name: 'unknown lead',
        query: `mutation { updateTeam(id: "${ids.team}", input: { name: "Support", leadId: "999999999" }) { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'bad business hours',
        query: `mutation { updateTeam(id: "${ids.team}", input: { name: "Support", timezone: "Europe/Paris", businessHours: { mon: "all day" } }) { id } }`,
        code: INPUT,
      },
    ],
    updateTicket: [
      {
        name: 'subject > 500',
        query: `mutation($s: String) { updateTicket(id: "${t}", input: { subject: $s }) { id } }`,
        variables: { s: LONG_SUBJECT },
        code: INPUT,
      },
      {
        name: 'unknown assignee',
        query: `mutation { updateTicket(id: "${t}", input: { assigneeId: "999999999" }) { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'invalid priority',
        query: `mutation { updateTicket(id: "${t}", input: { priority: whenever }) { id } }`,
        code: INVALID,
      },
    ],
    changePassword: [
      {
        name: 'wrong current password',
        query: `mutation { changePassword(currentPassword: "not-my-password", newPassword: "a-new-long-password") { token } }`,
        code: INPUT,
        message: /currentPassword: is not your current password/,
      },
      {
        name: 'short new password',
        query: `mutation { changePassword(currentPassword: "correct-horse-battery", newPassword: "x") { token } }`,
        code: INPUT,
        message: /newPassword/,
      },
    ],
    unlockUser: [
      {
        name: 'unknown user',
        query: `mutation { unlockUser(id: "999999999") { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'SQL in id',
        query: `mutation { unlockUser(id: "1; DELETE FROM users") { id } }`,
        code: INPUT,
      },
    ],
    createMacro: [
      {
        name: 'unknown placeholder',
        query: `mutation { createMacro(input: { name: "M", scope: personal, body: "Hi {{requester.nickname}}" }) { id } }`,
        code: INPUT,
        message: /\{\{requester\.nickname\}\}/,
      },
      {
        name: 'empty name',
        query: `mutation { createMacro(input: { name: "  ", scope: personal, body: "x" }) { id } }`,
        code: INPUT,
        message: /name/,
      },
      {
        name: 'team macro without a team',
        query: `mutation { createMacro(input: { name: "M", scope: team, body: "x" }) { id } }`,
        code: INPUT,
        message: /teamId/,
      },
      {
        name: 'neither reply nor action',
        query: `mutation { createMacro(input: { name: "M", scope: global }) { id } }`,
        code: INPUT,
      },
      {
        name: 'bad tag',
        query: `mutation { createMacro(input: { name: "M", scope: global, actions: { addTags: ["no spaces"] } }) { id } }`,
        code: INPUT,
        message: /actions.addTags/,
      },
      {
        name: 'unknown assignee',
        query: `mutation { createMacro(input: { name: "M", scope: global, actions: { assigneeId: "999999999" } }) { id } }`,
        code: 'NOT_FOUND',
      },
    ],
    updateMacro: [
      {
        name: 'unknown macro',
        query: `mutation { updateMacro(id: "999999999", input: { name: "M", scope: personal, body: "x" }) { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'unknown placeholder in the note',
        query: `mutation { updateMacro(id: "${ids.macro}", input: { name: "M", scope: global, actions: { note: "{{x.y}}" } }) { id } }`,
        code: INPUT,
        message: /\{\{x\.y\}\}/,
      },
    ],
    deleteMacro: [
      {
        name: 'unknown macro',
        query: `mutation { deleteMacro(id: "999999999") }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'malformed id',
        query: `mutation { deleteMacro(id: "${SQL}") }`,
        code: INPUT,
      },
    ],
    applyMacro: [
      {
        name: 'unknown macro',
        query: `mutation { applyMacro(ticketId: "${t}", macroId: "999999999") { reply } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'unknown ticket',
        query: `mutation { applyMacro(ticketId: "999999999", macroId: "${ids.macro}") { reply } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'stale version',
        query: `mutation { applyMacro(ticketId: "${t}", macroId: "${ids.macro}", expectedVersion: 99999) { reply } }`,
        code: 'CONFLICT',
      },
    ],
    createAutomationRule: [
      {
        name: 'unknown condition field',
        query: `mutation { createAutomationRule(input: { name: "R", trigger: ticket_created, conditions: [{ field: "colour", operator: "is", values: ["red"] }], actions: { addTags: ["x"] } }) { id } }`,
        code: INPUT,
        message: /conditions\[0\]\.field/,
      },
      {
        name: 'no action',
        query: `mutation { createAutomationRule(input: { name: "R", trigger: ticket_created, actions: {} }) { id } }`,
        code: INPUT,
        message: /action/,
      },
      {
        name: 'clock on a change rule',
        query: `mutation { createAutomationRule(input: { name: "R", trigger: ticket_updated, conditions: [{ field: "pending_hours", operator: "at_least", values: ["3"] }], actions: { addTags: ["x"] } }) { id } }`,
        code: INPUT,
        message: /time-based/,
      },
    ],
    updateAutomationRule: [
      {
        name: 'unknown rule',
        query: `mutation { updateAutomationRule(id: "999999999", input: { name: "R", trigger: ticket_created, actions: { addTags: ["x"] } }) { id } }`,
        code: 'NOT_FOUND',
      },
    ],
    deleteAutomationRule: [
      {
        name: 'unknown rule',
        query: `mutation { deleteAutomationRule(id: "999999999") }`,
        code: 'NOT_FOUND',
      },
    ],
    reorderAutomationRules: [
      {
        name: 'not the whole list',
        query: `mutation { reorderAutomationRules(trigger: time, ids: ["999999999"]) { id } }`,
        code: INPUT,
        message: /exactly once/,
      },
    ],
    mergeTickets: [
      {
        name: 'into itself',
        query: `mutation { mergeTickets(sourceId: "${t}", targetId: "${t}") { target { id } } }`,
        code: INPUT,
        message: /itself/,
      },
      {
        name: 'unknown target',
        query: `mutation { mergeTickets(sourceId: "${t}", targetId: "999999999") { target { id } } }`,
        code: 'NOT_FOUND',
      },
    ],
    splitTicket: [
      {
        name: 'message of another ticket',
        query: `mutation { splitTicket(ticketId: "${t}", messageId: "999999999") { ticket { id } } }`,
        code: 'NOT_FOUND',
      },
    ],
    createCustomFieldDefinition: [
      {
        name: 'bad key',
        query: `mutation { createCustomFieldDefinition(input: { entity: ticket, key: "Plan Name", label: "Plan", type: text }) { id } }`,
        code: INPUT,
        message: /key/,
      },
      {
        name: 'dropdown without options',
        query: `mutation { createCustomFieldDefinition(input: { entity: ticket, key: "plan", label: "Plan", type: dropdown }) { id } }`,
        code: INPUT,
        message: /options/,
      },
    ],
    updateCustomFieldDefinition: [
      {
        name: 'unknown field',
        query: `mutation { updateCustomFieldDefinition(id: "999999999", input: { label: "x" }) { id } }`,
        code: 'NOT_FOUND',
      },
    ],
    setTicketCustomFields: [
      {
        name: 'unknown field',
        query: `mutation { setTicketCustomFields(ticketId: "${t}", values: { nope: 1 }) { id } }`,
        code: INPUT,
        message: /values\.nope/,
      },
    ],
    setCustomerCustomFields: [
      {
        name: 'unknown field',
        query: `mutation { setCustomerCustomFields(customerId: "${ids.customer}", values: { nope: 1 }) }`,
        code: INPUT,
        message: /values\.nope/,
      },
    ],
    setAvailability: [
      {
        name: 'unknown value',
        query: `mutation { setAvailability(availability: busy) { availability } }`,
        code: INVALID,
      },
    ],
    setTeamAssignment: [
      {
        name: 'cap 0',
        query: `mutation { setTeamAssignment(teamId: "${ids.team}", mode: round_robin, cap: 0) { mode } }`,
        code: INPUT,
        message: /cap/,
      },
      {
        name: 'unknown team',
        query: `mutation { setTeamAssignment(teamId: "999999999", mode: least_open, cap: 3) { mode } }`,
        code: 'NOT_FOUND',
      },
    ],
    createSavedView: [
      {
        name: 'empty name',
        query: `mutation { createSavedView(input: { name: " " }) { id } }`,
        code: INPUT,
        message: /name/,
      },
      {
        name: 'dates reversed in the filter',
        query: `mutation { createSavedView(input: { name: "V", filter: { createdFrom: "2026-02-01T00:00:00Z", createdTo: "2026-01-01T00:00:00Z" } }) { id } }`,
        code: INPUT,
        message: /filter.createdTo/,
      },
      {
        name: 'unknown team',
        query: `mutation { createSavedView(input: { name: "V", teamId: "999999999" }) { id } }`,
        code: 'NOT_FOUND',
      },
    ],
    updateSavedView: [
      {
        name: 'unknown view',
        query: `mutation { updateSavedView(id: "999999999", input: { name: "V" }) { id } }`,
        code: 'NOT_FOUND',
      },
    ],
    deleteSavedView: [
      {
        name: 'unknown view',
        query: `mutation { deleteSavedView(id: "999999999") }`,
        code: 'NOT_FOUND',
      },
      { name: 'malformed id', query: `mutation { deleteSavedView(id: "${SQL}") }`, code: INPUT },
    ],
    reorderSavedViews: [
      {
        name: 'not the whole group',
        query: `mutation { reorderSavedViews(ids: ["999999999"]) }`,
        code: INPUT,
        message: /exactly once/,
      },
    ],
    requestPasswordReset: [
      {
        name: 'email is null',
        query: `mutation($e: String!) { requestPasswordReset(email: $e) }`,
        variables: { e: null },
        code: INPUT,
      },
    ],
    resetPassword: [
      {
        name: 'forged token',
        query: `mutation { resetPassword(token: "${SQL}", newPassword: "a-long-enough-password") }`,
        code: 'TOKEN_INVALID',
      },
      {
        name: 'token of a link that was never issued',
        query: `mutation { resetPassword(token: "999999.AAAA", newPassword: "a-long-enough-password") }`,
        code: 'TOKEN_INVALID',
      },
    ],
    sendPasswordResetLink: [
      {
        name: 'malformed id',
        query: `mutation { sendPasswordResetLink(id: "${SQL}") }`,
        code: INPUT,
      },
      {
        name: 'unknown user',
        query: `mutation { sendPasswordResetLink(id: "999999999") }`,
        code: 'NOT_FOUND',
      },
    ],
    updateUser: [
      {
        name: 'unknown team',
        query: `mutation { updateUser(id: "${ids.agent}", input: { teamId: "999999999" }) { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'short password',
        query: `mutation { updateUser(id: "${ids.agent}", input: { password: "x" }) { id } }`,
        code: INPUT,
      },
    ],
  };
}

/** Bad arguments to queries: pages, cursors, search text, filters. */
function queryCases(ids: Record<string, string>): Case[] {
  return [
    {
      name: 'page size 0',
      query: `{ tickets(first: 0) { edges { cursor } } }`,
      code: INPUT,
      message: /first/,
    },
    {
      name: 'negative page size',
      query: `{ customers(first: -5) { edges { cursor } } }`,
      code: INPUT,
    },
    {
      name: 'page size 1,000,000',
      query: `{ tickets(first: 1000000) { edges { cursor } } }`,
      code: INPUT,
    },
    {
      name: 'malformed cursor',
      query: `{ tickets(after: "${BAD_CURSOR}") { edges { cursor } } }`,
      code: INPUT,
      message: /cursor/,
    },
    {
      name: 'cursor of another list',
      query: `query($a: String) { customers(after: $a) { edges { cursor } } }`,
      variables: { a: ids.ticketCursor },
      code: INPUT,
    },
    {
      name: 'malformed messages cursor',
      query: `{ ticket(id: "${ids.ticket}") { messages(after: "%%%") { edges { cursor } } } }`,
      code: INPUT,
    },
    {
      name: 'search > 200 chars',
      query: `query($s: String) { tickets(filter: { search: $s }) { edges { cursor } } }`,
      variables: { s: 'x'.repeat(201) },
      code: INPUT,
    },
    { name: 'unknown ticket', query: `{ ticket(id: "999999999") { id } }`, code: 'NOT_FOUND' },
    {
      name: 'NUL in search',
      query: `query($s: String) { customers(filter: { search: $s }) { edges { cursor } } }`,
      variables: { s: 'a\u0000b' },
      code: INPUT,
      message: /NUL/,
    },
    {
      name: 'dueWithinMinutes negative',
      query: `{ tickets(filter: { dueWithinMinutes: -3 }) { edges { cursor } } }`,
      code: INPUT,
    },
    { name: 'macros page 0', query: `{ macros(first: 0) { id } }`, code: INPUT, message: /first/ },
    {
      name: 'macros search > 200 chars',
      query: `query($s: String) { macros(search: $s) { id } }`,
      variables: { s: 'x'.repeat(201) },
      code: INPUT,
    },
    {
      name: 'preview of an unknown macro',
      query: `{ previewMacro(ticketId: "${ids.ticket}", macroId: "999999999") { reply } }`,
      code: 'NOT_FOUND',
    },
    {
      name: 'dates reversed',
      query: `{ tickets(filter: { createdFrom: "2026-02-01T00:00:00Z", createdTo: "2026-01-01T00:00:00Z" }) { edges { cursor } } }`,
      code: INPUT,
    },
  ];
}

/** Search text that must be taken literally: found or not, never an error. */
const SEARCHES = [SQL, `%_\\`, `' OR '1'='1`, 'Ünïcödé 🎫 工单', '(&|!:*)', 'a'.repeat(200)];

describe('bad input: clear errors, no 500, nothing written', () => {
  let stack: TestStack;
  let admin: string;
  const ids: Record<string, string> = {};

  /** A fingerprint of every row the api could write (login bookkeeping on users excluded). */
  const fingerprint = async () => {
    const { rows } = await stack.db.query<{ t: string; h: string }>(`
      SELECT 'tickets' t, md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) h FROM tickets x
      UNION ALL SELECT 'messages', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM ticket_messages x
      UNION ALL SELECT 'events', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM ticket_events x
      UNION ALL SELECT 'customers', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM customers x
      UNION ALL SELECT 'contacts', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM contacts x
      UNION ALL SELECT 'teams', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM teams x
      UNION ALL SELECT 'users', md5(coalesce(string_agg((x.id, x.email, x.name, x.role, x.team_id, x.active, x.password_hash)::text, ',' ORDER BY id), '')) FROM users x
      UNION ALL SELECT 'follow_ups', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM follow_ups x
      UNION ALL SELECT 'sla', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM sla_policies x
      UNION ALL SELECT 'audit', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM audit_log x
      UNION ALL SELECT 'outbox', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM outbox x
      UNION ALL SELECT 'snoozes', md5(coalesce(string_agg(x::text, ',' ORDER BY customer_id), '')) FROM retention_snoozes x
      UNION ALL SELECT 'imports', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM import_runs x
      UNION ALL SELECT 'macros', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM macros x
      UNION ALL SELECT 'views', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM saved_views x
      UNION ALL SELECT 'status_changes', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM customer_status_changes x`);
    return Object.fromEntries(rows.map((r) => [r.t, r.h]));
  };

  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: {
        RATE_LIMIT_USER_PER_MINUTE: '0',
        RATE_LIMIT_IP_PER_MINUTE: '0',
        LOGIN_RATE_LIMIT_EMAIL_PER_MINUTE: '0',
        LOGIN_RATE_LIMIT_IP_PER_MINUTE: '0',
        LOGIN_MAX_FAILURES: '100',
      },
    });
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    admin = await login(stack, 'admin@t.local');
    ids.agent = await insertUser(stack, { email: 'agent@t.local', role: 'agent' });
    ids.team = (
      await ok(stack, admin, `mutation { createTeam(input: { name: "Support" }) { id } }`)
    ).createTeam.id;
    const c = await ok(
      stack,
      admin,
      `mutation { createCustomer(input: { name: "Acme", contacts: [{ name: "Pat", email: "pat@acme.example" }] }) { id contacts { id } } }`,
    );
    ids.customer = c.createCustomer.id;
    ids.contact = c.createCustomer.contacts[0].id;
    await ok(
      stack,
      admin,
      `mutation { createCustomFieldDefinition(input: { entity: customer, key: "region", label: "Region", type: dropdown, options: ["EMEA", "APAC"] }) { id } }`,
    );
    const o = await ok(
      stack,
      admin,
      `mutation { createCustomer(input: { name: "Other", contacts: [{ name: "Oz", email: "oz@other.example" }] }) { contacts { id } } }`,
    );
    ids.otherContact = o.createCustomer.contacts[0].id;
    ids.ticket = (
      await ok(
        stack,
        admin,
        `mutation($c: ID!) { createTicket(input: { requesterId: $c, subject: "Printer", channel: email, message: { body: "It smokes", kind: customer_message } }) { id } }`,
        { c: ids.contact },
      )
    ).createTicket.id;
    ids.followUp = (
      await ok(
        stack,
        admin,
        `mutation($t: ID!) { createFollowUp(input: { ticketId: $t, kind: custom, dueAt: "2027-01-01T00:00:00Z" }) { id } }`,
        { t: ids.ticket },
      )
    ).createFollowUp.id;
    ids.macro = (
      await ok(
        stack,
        admin,
        `mutation { createMacro(input: { name: "Thanks", scope: global, body: "Thanks {{requester.first_name}}" }) { id } }`,
      )
    ).createMacro.id;
    ids.ticketCursor = (
      await ok(stack, admin, `{ tickets(first: 1) { edges { cursor } } }`)
    ).tickets.edges[0].cursor;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('has cases for every mutation in the schema', async () => {
    const { mutations } = await schemaOperations(stack);
    const table = cases(ids);
    expect(Object.keys(table).sort()).toEqual(mutations);
    for (const m of mutations) expect(table[m].length).toBeGreaterThan(0);
  });

  it('answers every bad mutation with a clear error and writes nothing', async () => {
    const { mutations } = await schemaOperations(stack);
    const args = await stack.gql<{
      __type: { fields: { name: string; args: { name: string; type: { kind: string } }[] }[] };
    }>(`{ __type(name: "Mutation") { fields { name args { name type { kind } } } } }`);
    const generated: [string, Case][] = args.data!.__type.fields.flatMap((f) => {
      const out: [string, Case][] = [
        [
          f.name,
          {
            name: 'unknown argument',
            query: `mutation { ${f.name}(bogus: 1) { __typename } }`,
            code: INVALID,
          },
        ],
      ];
      if (f.args.some((a) => a.type.kind === 'NON_NULL')) {
        out.push([
          f.name,
          {
            name: 'missing required arguments',
            query: `mutation { ${f.name} { __typename } }`,
            code: INVALID,
          },
        ]);
        const first = f.args.find((a) => a.type.kind === 'NON_NULL')!;
        out.push([
          f.name,
          {
            name: `wrong type for ${first.name}`,
            query: `mutation { ${f.name}(${first.name}: [[true]]) { __typename } }`,
            code: INVALID,
          },
        ]);
      }
      return out;
    });
    const table = cases(ids);
    const all: [string, Case][] = [
      ...mutations.flatMap((m) => (table[m] ?? []).map((c) => [m, c] as [string, Case])),
      ...generated,
    ];
    const before = await fingerprint();
    const problems: string[] = [];
    for (const [op, c] of all) {
      const res = await stack.gql(c.query, c.variables, { token: admin });
      const err = res.errors?.[0];
      const label = `${op} / ${c.name}`;
      if (!err) problems.push(`${label}: no error (${JSON.stringify(res.data).slice(0, 100)})`);
      else if (err.extensions?.code !== c.code)
        problems.push(
          `${label}: ${err.extensions?.code} "${err.message.slice(0, 120)}", expected ${c.code}`,
        );
      else if (c.message && !c.message.test(err.message))
        problems.push(`${label}: message "${err.message}" does not match ${c.message}`);
      if (res.status >= 500) problems.push(`${label}: HTTP ${res.status}`);
    }
    expect(problems).toEqual([]);
    expect(await fingerprint()).toEqual(before);
    expect(all.length).toBeGreaterThan(100);
  });

  it('answers bad query arguments clearly, and takes any search text literally', async () => {
    const problems: string[] = [];
    for (const c of queryCases(ids)) {
      const res = await stack.gql(c.query, c.variables, { token: admin });
      const err = res.errors?.[0];
      if (err?.extensions?.code !== c.code)
        problems.push(`${c.name}: ${err?.extensions?.code ?? 'no error'} ${err?.message ?? ''}`);
      else if (c.message && !c.message.test(err.message))
        problems.push(`${c.name}: "${err.message}"`);
    }
    for (const s of SEARCHES) {
      for (const q of [
        `query($s: String) { tickets(filter: { search: $s }) { edges { node { id } } } }`,
        `query($s: String) { customers(filter: { search: $s }) { edges { node { id } } } }`,
        `query($s: String) { users(filter: { search: $s }) { edges { node { id } } } }`,
      ]) {
        const res = await stack.gql(q, { s }, { token: admin });
        if (res.errors)
          problems.push(
            `search ${JSON.stringify(s).slice(0, 30)}: ${JSON.stringify(res.errors).slice(0, 200)}`,
          );
      }
    }
    expect(problems).toEqual([]);
    const { rows } = await stack.db.query(`SELECT count(*)::int AS n FROM tickets`);
    expect(rows[0].n).toBe(1); // the table is still there
  });

  it('refuses deep, costly and batched queries and oversized bodies', async () => {
    const deep = `{ tickets { edges { node { customer { tickets { edges { node { customer { tickets { edges { node { id } } } } } } } } } } } }`;
    const d = await stack.gql(deep, undefined, { token: admin });
    expect(d.errors?.[0].extensions?.code).toBe(INVALID);
    expect(d.errors?.[0].message).toMatch(/nested \d+ levels deep; the limit is 10/);

    const costly = `{ tickets(first: 100) { edges { node { messages(first: 100) { edges { node { id body kind } } } } } } }`;
    const c = await stack.gql(costly, undefined, { token: admin });
    expect(c.errors?.[0].extensions?.code).toBe(INPUT);
    expect(c.errors?.[0].message).toMatch(/too complex/);
    // the cost of a document is remembered per variables: the same text with a small page
    // passes, with a large one fails, and the small one passes again
    const paged = `query($n: Int) { tickets(first: $n) { edges { node { messages(first: 100) { edges { node { id } } } } } } }`;
    for (const [n, fails] of [
      [1, false],
      [100, true],
      [1, false],
      [100, true],
    ] as const) {
      const r = await stack.gql(paged, { n }, { token: admin });
      expect(r.errors?.[0]?.message.match(/too complex/) != null).toBe(fails);
    }

    // aliases multiply work without nesting: cost counts them too
    const aliases = `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: tickets(first: 100) { edges { node { id subject } } }`).join(' ')} }`;
    const a = await stack.gql(aliases, undefined, { token: admin });
    expect(a.errors?.[0].extensions?.code).toBe(INPUT);

    const batch = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify(Array.from({ length: 50 }, () => ({ query: '{ me { id } }' }))),
    });
    expect(batch.status).toBe(400);
    const batchBody = (await batch.json()) as any;
    expect(JSON.stringify(batchBody)).toMatch(/batch/i);

    const big = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        query: `mutation($b: String!) { addInternalNote(id: "${ids.ticket}", body: $b) { message { id } } }`,
        variables: { b: 'x'.repeat(2 * 1024 * 1024) },
      }),
    });
    expect(big.status).toBe(413);
    const notes = await stack.db.query(
      `SELECT count(*)::int AS n FROM ticket_messages WHERE kind = 'internal_note'`,
    );
    expect(notes.rows[0].n).toBe(0);

    const garbage = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(garbage.status).toBe(400);
  });

  it('answers a body over the limit and a body that is not JSON in the GraphQL error shape', async () => {
    const big = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        query: '{ me { id } }',
        variables: { b: 'x'.repeat(2 * 1024 * 1024) },
      }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      errors: [
        {
          message: 'the request body is larger than the limit of 1048576 bytes',
          extensions: { code: INPUT, httpStatus: 413 },
        },
      ],
    });
    const garbage = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(garbage.status).toBe(400);
    const body = (await garbage.json()) as any;
    expect(body.errors[0].extensions.code).toBe(INPUT);
    expect(body.errors[0].message).toMatch(/^the request body is not valid JSON/);
  });

  it('answers a very long survey link without echoing it', async () => {
    const path = `/s/${'Q'.repeat(3000)}`;
    const res = await fetch(`${stack.url}${path}?score=5`);
    expect(res.status).toBe(414);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('Survey not found');
    expect(html).not.toContain('QQQQQQQQQQ');
    const api = await fetch(`${stack.url}/graphql/${'Q'.repeat(3000)}`);
    expect(await api.text()).not.toContain('QQQQQQQQQQ');
  });

  it('refuses forged but well-formed cursors in every list with BAD_USER_INPUT naming the argument', async () => {
    const forge = (...values: unknown[]) =>
      Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
    const c = ids.customer;
    const lists: [string, string, string][] = [
      [
        'tickets updated',
        `query($a: String) { tickets(after: $a) { edges { cursor } } }`,
        forge('tickets_updated_desc', 'yesterday', '1'),
      ],
      [
        'tickets by priority',
        `query($a: String) { tickets(orderBy: priority, after: $a) { edges { cursor } } }`,
        forge('tickets_priority', 'high', '1'),
      ],
      [
        'tickets by due',
        `query($a: String) { tickets(orderBy: due, after: $a) { edges { cursor } } }`,
        forge('tickets_due', '2026-01-01T00:00:00Z', 'one'),
      ],
      [
        'tickets id overflow',
        `query($a: String) { tickets(after: $a) { edges { cursor } } }`,
        forge('tickets_updated_desc', '2026-01-01T00:00:00Z', '99999999999999999999999'),
      ],
      [
        'customers by name',
        `query($a: String) { customers(after: $a) { edges { cursor } } }`,
        forge('customers_name', 'acme', 'abc'),
      ],
      [
        'customers by MRR',
        `query($a: String) { customers(orderBy: mrr_desc, after: $a) { edges { cursor } } }`,
        forge('customers_mrr_desc', 'lots', '1'),
      ],
      [
        'customers by renewal',
        `query($a: String) { customers(orderBy: renewal, after: $a) { edges { cursor } } }`,
        forge('customers_renewal', 'someday', '1'),
      ],
      [
        'users',
        `query($a: String) { users(after: $a) { edges { cursor } } }`,
        forge('user_name', 'ann', '1.5'),
      ],
      [
        'messages',
        `query($a: String) { ticket(id: "${ids.ticket}") { messages(after: $a) { edges { cursor } } } }`,
        forge('messages', 'first'),
      ],
      [
        'timeline',
        `query($a: String) { customer(id: "${c}") { timeline(after: $a) { edges { cursor } } } }`,
        forge('timeline', 'not-a-time', 't1'),
      ],
      [
        'customer tickets',
        `query($a: String) { customer(id: "${c}") { tickets(after: $a) { edges { cursor } } } }`,
        forge('tickets_created_desc', '2026-13-45T00:00:00Z', '1'),
      ],
      [
        'follow-ups',
        `query($a: String) { followUps(after: $a) { edges { cursor } } }`,
        forge('follow_ups_due', 'soon', '1'),
      ],
      [
        'risk list',
        `query($a: String) { riskList(after: $a) { edges { cursor } } }`,
        forge('risk_score_30', 'high', '1'),
      ],
    ];
    const problems: string[] = [];
    for (const [name, query, after] of lists) {
      const res = await stack.gql(query, { a: after }, { token: admin });
      const err = res.errors?.[0];
      if (
        err?.extensions?.code !== INPUT ||
        err.extensions.field !== 'after' ||
        !/^after: malformed cursor/.test(err.message)
      )
        problems.push(`${name}: ${res.status} ${err?.extensions?.code} ${err?.message}`);
    }
    expect(problems).toEqual([]);
  });

  it('takes % and _ literally in every search, and refuses search text over 200 characters', async () => {
    const users = async (s: string) =>
      (
        await ok(
          stack,
          admin,
          `query($s: String) { users(filter: { search: $s }) { edges { node { email } } } }`,
          { s },
        )
      ).users.edges.map((e: any) => e.node.email);
    expect((await users('')).length).toBeGreaterThan(1);
    expect(await users('%')).toEqual([]);
    expect(await users('_')).toEqual([]);
    expect(await users('adm%')).toEqual([]);
    expect(await users('admin@t')).toEqual(['admin@t.local']);
    const customers = await ok(
      stack,
      admin,
      `{ customers(filter: { search: "%" }) { edges { node { id } } } }`,
    );
    expect(customers.customers.edges).toEqual([]);
    for (const list of ['users', 'customers', 'tickets']) {
      const res = await stack.gql(
        `query($s: String) { ${list}(filter: { search: $s }) { edges { cursor } } }`,
        { s: 'y'.repeat(201) },
        { token: admin },
      );
      expect(res.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/^filter\.search: must be at most 200 characters/),
        extensions: { code: INPUT, field: 'filter.search' },
      });
    }
  });
});
