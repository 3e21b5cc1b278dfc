/** What an import can read: the kinds, each kind's fields and the activity effects of an event log. */

export const IMPORT_KINDS = ['customers', 'tickets', 'events'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** What an event-log activity does to the ticket it belongs to. */
export const ACTIVITY_EFFECTS = [
  'created',
  'agent_reply',
  'customer_reply',
  'open',
  'pending',
  'on_hold',
  'solved',
  'closed',
  'ignore',
] as const;
export type ActivityEffect = (typeof ACTIVITY_EFFECTS)[number];

export interface FieldSpec {
  name: string;
  required: boolean;
  /** Header names recognised without a mapping (compared case- and separator-insensitively). */
  aliases: string[];
  description: string;
}

const f = (name: string, required: boolean, description: string, aliases: string[] = []) => ({
  name,
  required,
  description,
  aliases: [name, ...aliases],
});

/** The fields of each import kind; the default column names are Staydesk's own export format. */
export const FIELDS: Record<ImportKind, FieldSpec[]> = {
  customers: [
    f('external_id', true, 'the customer id in the source system', ['id', 'customer_id']),
    f('name', true, 'account name', ['customer_name', 'company']),
    f('domain', false, 'web domain'),
    f('tier', false, 'free, starter, pro or enterprise (default starter)', ['plan']),
    f('mrr', false, 'monthly recurring revenue, a number ≥ 0'),
    f('status', false, 'active or churned (default active)'),
    f('customer_since', false, 'timestamp (default: the import time)'),
    f('churned_at', false, 'timestamp; required for churned customers'),
    f('renewal_date', false, 'timestamp or date'),
    f('account_manager', false, 'e-mail of an existing user'),
  ],
  tickets: [
    f('external_id', true, 'the ticket id in the source system', ['id', 'ticket_id']),
    f('customer', true, 'the customer external id (created when missing)', ['customer_id']),
    f('customer_name', false, 'name for a customer created by this import'),
    f('requester_email', false, 'the contact who asked (created when missing)', ['requester']),
    f('requester_name', false, 'name for a contact created by this import'),
    f('subject', true, 'ticket subject', ['title']),
    f('channel', false, 'email, phone, chat, web or social (default email)'),
    f('priority', false, 'low, normal, high or urgent (default normal)'),
    f('status', false, 'new, open, pending, on_hold, solved or closed (default: from the times)'),
    f('created_at', true, 'timestamp', ['created']),
    f('first_response_at', false, 'timestamp of the first public agent reply'),
    f('solved_at', false, 'timestamp of the (last) solve'),
    f('closed_at', false, 'timestamp'),
    f('reopen_count', false, 'whole number ≥ 0'),
    f('satisfaction', false, 'CSAT rating 1 to 5', ['csat', 'satisfaction_rating']),
    f('assignee', false, 'e-mail of an existing user'),
    f('tags', false, 'tags separated by spaces, commas or semicolons'),
  ],
  events: [
    f('case_id', true, 'the ticket id in the source system', ['case', 'case id', 'ticket_id']),
    f('activity', true, 'what happened (mapped by the activities table)', ['event']),
    f('timestamp', true, 'when it happened', ['complete timestamp', 'time', 'at']),
    f('actor', false, 'who did it (matched to users by e-mail or name)', ['resource', 'agent']),
    f('customer', true, 'the customer external id (created when missing)', ['customer_id']),
    f('customer_name', false, 'name for a customer created by this import'),
    f('subject', false, 'ticket subject (default "Imported case <id>")'),
    f('channel', false, 'email, phone, chat, web or social (default email)'),
    f('priority', false, 'low, normal, high or urgent (default normal)'),
    f('requester_email', false, 'the contact who asked', ['requester']),
    f(
      'opened_at',
      false,
      'when the case was opened, for logs that start after that (sets the ticket creation time)',
      ['opened'],
    ),
  ],
};

/** Activity names understood without a mapping (lower case); every effect's own name too. */
export const DEFAULT_ACTIVITIES: Record<string, ActivityEffect> = {
  ...Object.fromEntries(ACTIVITY_EFFECTS.map((e) => [e, e])),
  created: 'created',
  'ticket created': 'created',
  create: 'created',
  new: 'created',
  'insert ticket': 'created',
  first_response: 'agent_reply',
  'first response': 'agent_reply',
  'agent reply': 'agent_reply',
  'agent replied': 'agent_reply',
  'public reply': 'agent_reply',
  public_reply: 'agent_reply',
  'customer reply': 'customer_reply',
  'customer replied': 'customer_reply',
  customer_message: 'customer_reply',
  'customer message': 'customer_reply',
  open: 'open',
  opened: 'open',
  reopen: 'open',
  reopened: 'open',
  pending: 'pending',
  wait: 'pending',
  waiting: 'pending',
  on_hold: 'on_hold',
  'on hold': 'on_hold',
  hold: 'on_hold',
  solved: 'solved',
  solve: 'solved',
  resolved: 'solved',
  resolve: 'solved',
  'resolve ticket': 'solved',
  closed: 'closed',
  close: 'closed',
  'close ticket': 'closed',
};
