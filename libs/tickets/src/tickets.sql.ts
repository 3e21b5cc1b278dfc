/** The tickets tables' row types and the SQL pieces the repository builds its statements from. */
import { Keyset, conflict, containsPattern, pgCode, pgConstraint } from '@staydesk/core';
import { CONTACT_COLUMNS, CUSTOMER_COLUMNS } from '@staydesk/customers';
import { USER_COLUMNS } from '@staydesk/identity';
import type { Channel, MessageKind, Priority, TicketStatus } from './ticket-rules';

export interface TicketRow {
  id: string;
  /** The human ticket number (sequential, unique, never reused), e.g. 1042 in `[#1042]`. */
  number: number;
  customerId: string;
  requesterId: string;
  subject: string;
  channel: Channel;
  priority: Priority;
  status: TicketStatus;
  assigneeId: string | null;
  teamId: string | null;
  tags: string[];
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
  firstResponseAt: Date | null;
  solvedAt: Date | null;
  closedAt: Date | null;
  reopenCount: number;
  solveCount: number;
  slaPolicyId: string | null;
  firstResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
  nextDueAt: Date | null;
  lastMessageAt: Date | null;
  /** When the resolution clock's current pause began (pending / on hold); null while it runs. */
  slaPausedAt: Date | null;
  /** Seconds the resolution clock has been paused so far (finished pauses). */
  slaPausedSeconds: number;
  /** The running next-reply clock: when the unanswered customer message came, and its due time. */
  nextReplyStartedAt: Date | null;
  nextReplyDueAt: Date | null;
  nextReplyBreached: boolean;
  version: number;
  /** Extra fields (e.g. columns of an imported history that have no field of their own). */
  customFields: Record<string, unknown>;
  /** The ticket's ids in systems it was imported from (empty for tickets made in Staydesk). */
  externalIds: { source: string; id: string }[];
  /** Sort keys with microseconds, for cursors. */
  updatedKey: string;
  createdKey: string;
  dueKey: string;
  priorityRank: number;
}

export interface MessageRow {
  id: string;
  ticketId: string;
  kind: MessageKind;
  authorUserId: string | null;
  authorContactId: string | null;
  body: string;
  sentiment: number | null;
  createdAt: Date;
}

export interface EventRow {
  id: string;
  ticketId: string;
  actorId: string | null;
  type: string;
  fromValue: string | null;
  toValue: string | null;
  createdAt: Date;
}

export interface SlaPolicyRow {
  id: string;
  name: string;
  priority: Priority;
  channel: Channel | null;
  tier: string | null;
  firstResponseMinutes: number;
  resolutionMinutes: number;
  /** Next-reply target in minutes; null = none. */
  nextReplyMinutes?: number | null;
  businessHours: boolean;
  active: boolean;
}

export type TicketOrder = 'updated_desc' | 'created_desc' | 'priority' | 'due';

export interface TicketFilter {
  statuses?: TicketStatus[];
  assigneeIds?: string[];
  unassigned?: boolean;
  teamIds?: string[];
  priorities?: Priority[];
  channels?: Channel[];
  tags?: string[];
  customerId?: string;
  requesterId?: string;
  slaBreached?: boolean;
  dueWithinMinutes?: number;
  createdFrom?: Date;
  createdTo?: Date;
  updatedFrom?: Date;
  updatedTo?: Date;
  search?: string;
  /** Custom field values the ticket must have (all of them): `custom_fields @> {...}`. */
  customFields?: Record<string, string | number | boolean>;
  /**
   * A caller who is not an admin: tickets of private teams they are neither in nor lead
   * (`mayReadTicket`) are left out of lists, counts and searches. Undefined = everything.
   */
  viewer?: { id: string; teamIds: string[] };
}

export const TS_KEY = (col: string) =>
  `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export const TICKET_COLUMNS = `t.id::text, t.number, t.custom_fields AS "customFields", t.customer_id::text AS "customerId", t.requester_id::text AS "requesterId",
  t.subject, t.channel, t.priority, t.status, t.assignee_id::text AS "assigneeId", t.team_id::text AS "teamId",
  t.tags, t.created_by_id::text AS "createdById", t.created_at AS "createdAt", t.updated_at AS "updatedAt",
  t.first_response_at AS "firstResponseAt", t.solved_at AS "solvedAt", t.closed_at AS "closedAt",
  t.reopen_count AS "reopenCount", t.solve_count AS "solveCount", t.sla_policy_id::text AS "slaPolicyId",
  t.first_response_due_at AS "firstResponseDueAt", t.resolution_due_at AS "resolutionDueAt",
  t.first_response_breached AS "firstResponseBreached", t.resolution_breached AS "resolutionBreached",
  t.next_due_at AS "nextDueAt", t.last_message_at AS "lastMessageAt",
  t.sla_paused_at AS "slaPausedAt", t.sla_paused_seconds AS "slaPausedSeconds",
  t.next_reply_started_at AS "nextReplyStartedAt", t.next_reply_due_at AS "nextReplyDueAt", t.next_reply_breached AS "nextReplyBreached", t.version, t.priority_rank AS "priorityRank",
  ${TS_KEY('t.updated_at')} AS "updatedKey", ${TS_KEY('t.created_at')} AS "createdKey",
  coalesce(${TS_KEY('t.next_due_at')}, 'infinity') AS "dueKey",
  CASE WHEN t.external_id IS NULL THEN '[]'::jsonb
       ELSE jsonb_build_array(jsonb_build_object('source', t.external_source, 'id', t.external_id)) END AS "externalIds"`;

export const MESSAGE_COLUMNS = `m.id::text, m.ticket_id::text AS "ticketId", m.kind, m.author_user_id::text AS "authorUserId",
  m.author_contact_id::text AS "authorContactId", m.body, m.sentiment, m.created_at AS "createdAt"`;

export const EVENT_COLUMNS = `e.id::text, e.ticket_id::text AS "ticketId", e.actor_id::text AS "actorId", e.type,
  e.from_value AS "fromValue", e.to_value AS "toValue", e.created_at AS "createdAt"`;

export const SLA_COLUMNS = `id::text, name, priority, channel, tier, first_response_minutes AS "firstResponseMinutes",
  resolution_minutes AS "resolutionMinutes", next_reply_minutes AS "nextReplyMinutes", business_hours AS "businessHours", active`;

/**
 * `column = $n` for one id, `column = ANY($n)` for several. The planner walks the open-ticket
 * queue indexes (team or assignee, updated_at) in order only for an equality; with `= ANY` it
 * sorted every open ticket of the team (a queue page went from ~150 ms to <1 ms at 2M tickets).
 */
export function oneOf(column: string, ids: string[], p: (v: unknown) => string): string {
  return ids.length === 1
    ? `${column} = ${p(ids[0])}::bigint`
    : `${column} = ANY(${p(ids)}::bigint[])`;
}

/** ORDER BY and keyset per ordering; cursor = [key, id]. */
export const ORDERINGS: Record<
  TicketOrder,
  { order: string; key: string; cmp: '<' | '>'; keyset: Keyset<TicketCursor> }
> = {
  updated_desc: {
    order: 't.updated_at DESC, t.id DESC',
    key: 't.updated_at',
    cmp: '<',
    keyset: new Keyset('tickets_updated_desc', [{ kind: 'timestamp' }, { kind: 'id' }]),
  },
  created_desc: {
    order: 't.created_at DESC, t.id DESC',
    key: 't.created_at',
    cmp: '<',
    keyset: new Keyset('tickets_created_desc', [{ kind: 'timestamp' }, { kind: 'id' }]),
  },
  priority: {
    order: 't.priority_rank DESC, t.id DESC',
    key: 't.priority_rank',
    cmp: '<',
    keyset: new Keyset('tickets_priority', [{ kind: 'smallint' }, { kind: 'id' }]),
  },
  due: {
    order: "coalesce(t.next_due_at, 'infinity'::timestamptz) ASC, t.id ASC",
    key: "coalesce(t.next_due_at, 'infinity'::timestamptz)",
    cmp: '>',
    keyset: new Keyset('tickets_due', [{ kind: 'timestamp', infinity: true }, { kind: 'id' }]),
  },
};

export type TicketCursor = [string | number, string];

/** The cursor codec of a ticket ordering. */
export const ticketKeyset = (order: TicketOrder): Keyset<TicketCursor> => ORDERINGS[order].keyset;

/** Messages oldest first: cursor = [message id]. */
export const MESSAGE_KEYSET = new Keyset<[string]>('messages', [{ kind: 'id' }]);

export function ticketSortKey(row: TicketRow, order: TicketOrder): string | number {
  switch (order) {
    case 'updated_desc':
      return row.updatedKey;
    case 'created_desc':
      return row.createdKey;
    case 'priority':
      return row.priorityRank;
    case 'due':
      return row.dueKey;
  }
}

/**
 * The non-text search keys of a queue search: `1042` or `#1042` is a ticket number, a string with
 * an `@` a requester's e-mail address (exact, case-insensitive), anything else also a customer's
 * name (substring, trigram index). Returns ` OR …` terms to add to the full-text match.
 */
export function ticketKeySearch(search: string, p: (v: unknown) => string): string {
  const s = search.trim();
  const number = /^#?(\d{1,9})$/.exec(s);
  if (number) return ` OR t.number = ${p(Number(number[1]))}::int`;
  if (s.includes('@')) {
    return ` OR t.requester_id IN (SELECT c.id FROM contacts c WHERE lower(c.email) = lower(${p(s)}))`;
  }
  return ` OR t.customer_id IN (SELECT cu.id FROM customers cu WHERE cu.name ILIKE ${p(containsPattern(s))})`;
}

/** An active SLA policy for the same priority, channel and tier (the partial unique index). */
export function rethrowPolicyConflict(err: unknown): never {
  if (pgCode(err) === '23505') {
    throw conflict('an active SLA policy already covers this priority, channel and tier', {
      field: 'priority',
    });
  }
  throw err;
}

export function rethrowFk(err: unknown): never {
  if (pgCode(err) === '23503') {
    throw conflict(`a referenced record does not exist (${pgConstraint(err) ?? 'foreign key'})`);
  }
  throw err;
}

/** The columns of a new ticket that both insert paths take from the caller. */
export type NewTicketColumns = {
  subject: string;
  channel: Channel;
  priority: Priority;
  status: TicketStatus;
  assigneeId: string | null;
  teamId: string | null;
  tags: string[];
  createdById: string | null;
  firstResponseAt: Date | null;
  createdAt: Date;
  lastMessageAt: Date | null;
};

/** The WHERE conditions of a ticket filter (shared by `list` and `count`). */
/**
 * Relations a page of tickets can carry, read in the same statement (the queue page: one query
 * instead of a DataLoader each). Each comes back as JSON in a `$name` column (see
 * `TicketWithRelations`).
 */
export interface TicketRelations {
  customer?: boolean;
  requester?: boolean;
  assignee?: boolean;
  lastMessage?: boolean;
}

export type TicketWithRelations = TicketRow & {
  $customer?: unknown;
  $requester?: unknown;
  $assignee?: unknown;
  $lastMessage?: unknown;
};

export const asJson = (sql: string) => `(SELECT to_jsonb(x) FROM (${sql}) x)`;
export const LAST_MESSAGE = asJson(`SELECT ${MESSAGE_COLUMNS} FROM ticket_messages m
    WHERE m.ticket_id = t.id ORDER BY m.created_at DESC, m.id DESC LIMIT 1`);

export function relationColumns(r: TicketRelations): string {
  const cols: string[] = [];
  if (r.customer)
    cols.push(
      `${asJson(`SELECT ${CUSTOMER_COLUMNS} FROM customers c WHERE c.id = t.customer_id`)} AS "$customer"`,
    );
  if (r.requester)
    cols.push(
      `${asJson(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE id = t.requester_id`)} AS "$requester"`,
    );
  if (r.assignee)
    cols.push(
      `${asJson(`SELECT ${USER_COLUMNS} FROM users WHERE id = t.assignee_id`)} AS "$assignee"`,
    );
  // notes follow their ticket (mayReadNotes = mayReadTicket) and the list holds only tickets
  // the caller may read, so the latest message of any kind is the one to show
  if (r.lastMessage) cols.push(`${LAST_MESSAGE} AS "$lastMessage"`);
  return cols.length ? `, ${cols.join(',\n  ')}` : '';
}

export function filterWhere(f: TicketFilter, p: (v: unknown) => string): string[] {
  const where: string[] = [];
  if (f.statuses?.length) where.push(`t.status = ANY(${p(f.statuses)}::text[])`);
  if (f.assigneeIds?.length && f.unassigned) {
    where.push(`(t.assignee_id = ANY(${p(f.assigneeIds)}::bigint[]) OR t.assignee_id IS NULL)`);
  } else if (f.assigneeIds?.length) {
    where.push(oneOf('t.assignee_id', f.assigneeIds, p));
  } else if (f.unassigned) {
    where.push(`t.assignee_id IS NULL`);
  }
  if (f.teamIds?.length) where.push(oneOf('t.team_id', f.teamIds, p));
  if (f.viewer) {
    // in the same statement (no extra round trip): an anti-join on the few teams rows
    where.push(
      `(t.team_id IS NULL OR NOT EXISTS (SELECT 1 FROM teams tm WHERE tm.id = t.team_id AND tm.is_private
          AND tm.id <> ALL(${p(f.viewer.teamIds)}::bigint[]) AND tm.lead_id IS DISTINCT FROM ${p(f.viewer.id)}::bigint))`,
    );
  }
  if (f.priorities?.length) where.push(`t.priority = ANY(${p(f.priorities)}::text[])`);
  if (f.channels?.length) where.push(`t.channel = ANY(${p(f.channels)}::text[])`);
  if (f.tags?.length) where.push(`t.tags && ${p(f.tags)}::text[]`);
  if (f.customerId) where.push(`t.customer_id = ${p(f.customerId)}`);
  if (f.requesterId) where.push(`t.requester_id = ${p(f.requesterId)}`);
  if (f.slaBreached === true)
    where.push(`(t.first_response_breached OR t.resolution_breached OR t.next_reply_breached)`);
  if (f.slaBreached === false)
    where.push(`NOT (t.first_response_breached OR t.resolution_breached OR t.next_reply_breached)`);
  if (f.dueWithinMinutes !== undefined) {
    where.push(
      `t.next_due_at >= now() AND t.next_due_at <= now() + make_interval(mins => ${p(f.dueWithinMinutes)})`,
    );
  }
  if (f.createdFrom) where.push(`t.created_at >= ${p(f.createdFrom)}`);
  if (f.createdTo) where.push(`t.created_at < ${p(f.createdTo)}`);
  if (f.updatedFrom) where.push(`t.updated_at >= ${p(f.updatedFrom)}`);
  if (f.updatedTo) where.push(`t.updated_at < ${p(f.updatedTo)}`);
  if (f.customFields && Object.keys(f.customFields).length)
    where.push(`t.custom_fields @> ${p(JSON.stringify(f.customFields))}::jsonb`);
  if (f.search) {
    // one GIN scan over everything (subject, conversation, notes): whoever may read a ticket
    // reads its notes, and tickets of hidden private teams are filtered out above, so
    // public_search is no longer consulted (docs/decisions.md 29, "Private teams hide whole tickets").
    // Or the id the ticket had in the system it was imported from ("INC0027139", any case;
    // tickets_external_id_lower_idx serves it): an id is no note text, so it needs no check.
    const q = `websearch_to_tsquery('english', ${p(f.search)})`;
    where.push(
      `((t.search @@ ${q}) OR lower(t.external_id) = lower(${p(f.search.trim())})${ticketKeySearch(f.search, p)})`,
    );
  }
  return where;
}
