import {
  iso,
  isoOrNull,
  type Contact,
  type Customer,
  type FollowUp,
  type StatusChange,
  type Ticket,
  type TicketEvent,
  type TicketMessage,
  type World,
} from './model';
import { insertRows, reserveIds, type Db } from './rows';

export async function insertCustomers(db: Db, customers: Customer[]): Promise<void> {
  const firstCustomer = await reserveIds(db, 'customers', customers.length);
  customers.forEach((c, i) => (c.id = firstCustomer + i));
  const contacts = customers.flatMap((c) => c.contacts.map((contact) => ({ c, contact })));
  const firstContact = await reserveIds(db, 'contacts', contacts.length);
  contacts.forEach(({ contact }, i) => (contact.id = firstContact + i));

  await insertRows(
    db,
    'customers',
    [
      { name: 'id', type: 'bigint', value: (c: Customer) => c.id },
      { name: 'name', type: 'text', value: (c) => c.name },
      { name: 'domain', type: 'text', value: (c) => c.domain },
      { name: 'tier', type: 'text', value: (c) => c.tier },
      { name: 'mrr', type: 'numeric', value: (c) => c.mrr },
      { name: 'account_manager_id', type: 'bigint', value: (c) => c.accountManagerId },
      { name: 'status', type: 'text', value: (c) => c.status },
      { name: 'customer_since', type: 'timestamptz', value: (c) => iso(c.since) },
      { name: 'churned_at', type: 'timestamptz', value: (c) => isoOrNull(c.churnedAt) },
      { name: 'renewal_date', type: 'date', value: (c) => c.renewalDate },
      { name: 'custom_fields', type: 'jsonb', value: (c) => JSON.stringify(c.customFields) },
      { name: 'created_at', type: 'timestamptz', value: (c) => iso(c.since) },
      {
        name: 'updated_at',
        type: 'timestamptz',
        value: (c) => iso(Math.max(c.since, ...c.statusChanges.map((s) => s.at))),
      },
    ],
    customers,
  );
  await insertRows(
    db,
    'contacts',
    [
      { name: 'id', type: 'bigint', value: (r: { c: Customer; contact: Contact }) => r.contact.id },
      { name: 'customer_id', type: 'bigint', value: (r) => r.c.id },
      { name: 'name', type: 'text', value: (r) => `${r.contact.firstName} ${r.contact.lastName}` },
      { name: 'email', type: 'text', value: (r) => r.contact.email },
      { name: 'phone', type: 'text', value: (r) => r.contact.phone },
      { name: 'survey_opt_out', type: 'boolean', value: (r) => r.contact.surveyOptOut },
      { name: 'created_at', type: 'timestamptz', value: (r) => iso(r.c.since) },
      { name: 'updated_at', type: 'timestamptz', value: (r) => iso(r.c.since) },
    ],
    contacts,
  );
  const changes = customers.flatMap((c) => c.statusChanges.map((s) => ({ c, s })));
  await insertRows(
    db,
    'customer_status_changes',
    [
      {
        name: 'customer_id',
        type: 'bigint',
        value: (r: { c: Customer; s: StatusChange }) => r.c.id,
      },
      { name: 'from_status', type: 'text', value: (r) => r.s.from },
      { name: 'to_status', type: 'text', value: (r) => r.s.to },
      { name: 'reason', type: 'text', value: (r) => r.s.reason },
      { name: 'actor_id', type: 'bigint', value: (r) => r.s.actorId },
      { name: 'changed_at', type: 'timestamptz', value: (r) => iso(r.s.at) },
    ],
    changes,
  );
  // The oracle: each customer's true churn hazard, for risk:backtest only (never production code).
  await insertRows(
    db,
    'simulation_oracle',
    [
      { name: 'customer_id', type: 'bigint', value: (c: Customer) => c.id },
      { name: 'monthly_hazard', type: 'float8', value: (c) => c.hazard },
      { name: 'hazard_from', type: 'timestamptz', value: (c) => iso(c.hazardFrom) },
      { name: 'pain', type: 'float8', value: (c) => c.pain },
    ],
    customers,
  );
}

export interface HistoryRow<T> {
  ticket: Ticket;
  item: T;
  /** Position over all tickets: the offset of the row's id. */
  n: number;
}

/** Every ticket's messages (or events), ticket by ticket and in time order within a ticket. */
export function flattenHistory<T extends { at: number }>(
  tickets: Ticket[],
  items: (t: Ticket) => T[],
): HistoryRow<T>[] {
  const rows: HistoryRow<T>[] = [];
  for (const ticket of tickets) {
    const sorted = [...items(ticket)].sort((a, b) => a.at - b.at);
    for (const item of sorted) rows.push({ ticket, item, n: rows.length });
  }
  return rows;
}

export async function insertTickets(db: Db, world: World, tickets: Ticket[]): Promise<void> {
  const first = await reserveIds(db, 'tickets', tickets.length);
  tickets.forEach((t, i) => (t.id = first + i));
  const { staff, sla } = world;
  await insertRows(
    db,
    'tickets',
    [
      { name: 'id', type: 'bigint', value: (t: Ticket) => t.id },
      { name: 'customer_id', type: 'bigint', value: (t) => t.customer.id },
      { name: 'requester_id', type: 'bigint', value: (t) => t.requester.id },
      { name: 'subject', type: 'text', value: (t) => t.subject },
      { name: 'channel', type: 'text', value: (t) => t.channel },
      { name: 'priority', type: 'text', value: (t) => t.priority },
      { name: 'status', type: 'text', value: (t) => t.history.columns.status },
      { name: 'assignee_id', type: 'bigint', value: (t) => t.history.assigneeId },
      { name: 'team_id', type: 'bigint', value: (t) => staff.teamIds[t.team] },
      {
        name: 'tags',
        type: 'text',
        value: (t) => t.tags.join(','),
        expr: (ref) => `string_to_array(${ref}, ',')`,
      },
      {
        name: 'created_by_id',
        type: 'bigint',
        value: (t) => (t.channel === 'phone' ? (t.firstAssignee?.id ?? null) : null),
      },
      { name: 'created_at', type: 'timestamptz', value: (t) => iso(t.createdAt) },
      { name: 'updated_at', type: 'timestamptz', value: (t) => iso(t.history.columns.updatedAt) },
      {
        name: 'first_response_at',
        type: 'timestamptz',
        value: (t) => isoOrNull(t.history.columns.firstResponseAt),
      },
      {
        name: 'solved_at',
        type: 'timestamptz',
        value: (t) => isoOrNull(t.history.columns.solvedAt),
      },
      {
        name: 'closed_at',
        type: 'timestamptz',
        value: (t) => isoOrNull(t.history.columns.closedAt),
      },
      { name: 'reopen_count', type: 'int', value: (t) => t.history.columns.reopenCount },
      { name: 'solve_count', type: 'int', value: (t) => t.history.columns.solveCount },
      { name: 'sla_policy_id', type: 'bigint', value: (t) => sla[t.priority].id },
      {
        name: 'first_response_due_at',
        type: 'timestamptz',
        value: (t) => iso(t.history.columns.firstResponseDueAt),
      },
      {
        name: 'resolution_due_at',
        type: 'timestamptz',
        value: (t) => iso(t.history.columns.resolutionDueAt),
      },
      {
        name: 'first_response_breached',
        type: 'boolean',
        value: (t) => t.history.columns.firstResponseBreached,
      },
      {
        name: 'resolution_breached',
        type: 'boolean',
        value: (t) => t.history.columns.resolutionBreached,
      },
      {
        name: 'next_due_at',
        type: 'timestamptz',
        value: (t) => isoOrNull(t.history.columns.nextDueAt),
      },
      {
        name: 'last_message_at',
        type: 'timestamptz',
        value: (t) => isoOrNull(t.history.columns.lastMessageAt),
      },
      // Full-text search over the subject and every message, as the api keeps it.
      {
        name: 'doc',
        type: 'text',
        inputOnly: true,
        value: (t) => [t.subject, ...t.history.messages.map((m) => m.body)].join(' '),
      },
      // ... and, on tickets with internal notes, the public text alone (what readers who may not
      // see a private team's notes are matched against; NULL without notes), as the api keeps it
      {
        name: 'public_doc',
        type: 'text',
        inputOnly: true,
        value: (t) =>
          t.history.messages.some((m) => m.kind === 'internal_note')
            ? [
                t.subject,
                ...t.history.messages.filter((m) => m.kind !== 'internal_note').map((m) => m.body),
              ].join(' ')
            : null,
      },
    ],
    tickets,
    {
      search: `to_tsvector('english', {doc})`,
      public_search: `CASE WHEN {public_doc} IS NULL THEN NULL ELSE to_tsvector('english', {public_doc}) END`,
    },
  );

  // Messages and events in ticket order and, within a ticket, in time order, so ids follow time.
  const messages = flattenHistory(tickets, (t) => t.history.messages);
  const firstMessage = await reserveIds(db, 'ticket_messages', messages.length);
  await insertRows(
    db,
    'ticket_messages',
    [
      { name: 'id', type: 'bigint', value: (r: HistoryRow<TicketMessage>) => firstMessage + r.n },
      { name: 'ticket_id', type: 'bigint', value: (r) => r.ticket.id },
      { name: 'kind', type: 'text', value: (r) => r.item.kind },
      { name: 'author_user_id', type: 'bigint', value: (r) => r.item.authorUserId },
      { name: 'author_contact_id', type: 'bigint', value: (r) => r.item.authorContact?.id ?? null },
      { name: 'body', type: 'text', value: (r) => r.item.body },
      { name: 'sentiment', type: 'real', value: (r) => r.item.sentiment },
      { name: 'created_at', type: 'timestamptz', value: (r) => iso(r.item.at) },
    ],
    messages,
  );
  const events = flattenHistory(tickets, (t) => t.history.events);
  const firstEvent = await reserveIds(db, 'ticket_events', events.length);
  await insertRows(
    db,
    'ticket_events',
    [
      { name: 'id', type: 'bigint', value: (r: HistoryRow<TicketEvent>) => firstEvent + r.n },
      { name: 'ticket_id', type: 'bigint', value: (r) => r.ticket.id },
      { name: 'actor_id', type: 'bigint', value: (r) => r.item.actorId },
      { name: 'type', type: 'text', value: (r) => r.item.type },
      { name: 'from_value', type: 'text', value: (r) => r.item.from },
      { name: 'to_value', type: 'text', value: (r) => r.item.to },
      { name: 'created_at', type: 'timestamptz', value: (r) => iso(r.item.at) },
    ],
    events,
  );
}

export async function insertFollowUps(db: Db, followUps: FollowUp[]): Promise<void> {
  await insertRows(
    db,
    'follow_ups',
    [
      { name: 'customer_id', type: 'bigint', value: (f: FollowUp) => f.customer.id },
      { name: 'ticket_id', type: 'bigint', value: (f) => f.ticket?.id ?? null },
      { name: 'owner_id', type: 'bigint', value: (f) => f.ownerId },
      { name: 'kind', type: 'text', value: (f) => f.kind },
      { name: 'status', type: 'text', value: (f) => f.status },
      { name: 'due_at', type: 'timestamptz', value: (f) => iso(f.dueAt) },
      { name: 'note', type: 'text', value: (f) => f.note },
      { name: 'outcome', type: 'text', value: (f) => f.outcome },
      { name: 'created_by_id', type: 'bigint', value: (f) => f.createdById },
      { name: 'created_at', type: 'timestamptz', value: (f) => iso(f.createdAt) },
      { name: 'completed_at', type: 'timestamptz', value: (f) => isoOrNull(f.completedAt) },
      { name: 'reminded_at', type: 'timestamptz', value: (f) => isoOrNull(f.remindedAt) },
    ],
    followUps,
  );
}
