import { Case, Ids, LONG_SUBJECT, HUGE_BODY, SQL, INPUT, INVALID } from './case';

/** Bad input to the mutations of tickets, messages, SLA policies, macros, merges and splits. */
export function ticketsCases(ids: Ids): Record<string, Case[]> {
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
    setTicketCustomFields: [
      {
        name: 'unknown field',
        query: `mutation { setTicketCustomFields(ticketId: "${t}", values: { nope: 1 }) { id } }`,
        code: INPUT,
        message: /values\.nope/,
      },
    ],
  };
}
