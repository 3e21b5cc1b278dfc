/**
 * The tickets tables' row types and the typed SQL pieces (Kysely `sql` fragments over column
 * references checked against db.generated.ts) the repository builds its statements from. The
 * queue list's filters, orderings and relations are in tickets.queue-sql.ts.
 */
import { Expression, SelectType, sql } from 'kysely';
import { DB, conflict, pgCode, pgConstraint } from '@staydesk/core';
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
  /** Without a team (with teamIds: those or none). */
  noTeam?: boolean;
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

type Table = keyof DB & string;

/**
 * Typed column references of one table under an alias: `T('customerId')` is
 * `"t"."customer_id"`, typed as the column reads. The column name is checked against the
 * migrated schema (db.generated.ts), so a renamed column fails the typecheck here too.
 */
const refs =
  <TB extends Table>(alias: string) =>
  <C extends keyof DB[TB] & string>(column: C) =>
    sql.ref<SelectType<DB[TB][C]>>(`${alias}.${column}`);

/** Columns of `tickets t`, `ticket_messages m`, `ticket_events e` and `sla_policies`. */
export const T = refs<'tickets'>('t');
export const M = refs<'ticketMessages'>('m');
export const E = refs<'ticketEvents'>('e');
const P = refs<'slaPolicies'>('slaPolicies');

/**
 * The SLA policies that apply to a ticket of this priority, channel and customer tier (values
 * or SQL expressions), and the order that puts the most specific first: channel and tier
 * matches beat wildcards. Every path that picks a policy uses these two (`policyFor`,
 * `createContext`, `insertCreatedResolving`, `insertMailTickets`).
 */
export const policyMatches = (priority: unknown, channel: unknown, tier: unknown) =>
  sql<boolean>`${P('active')} AND ${P('priority')} = ${priority}
    AND (${P('channel')} IS NULL OR ${P('channel')} = ${channel})
    AND (${P('tier')} IS NULL OR ${P('tier')} = ${tier})`;
export const MOST_SPECIFIC_POLICY = sql`(${P('channel')} IS NOT NULL)::int + (${P('tier')} IS NOT NULL)::int DESC,
    (${P('channel')} IS NOT NULL) DESC, ${P('id')}`;

/** A time stamp with microseconds as text, for cursors. */
export const tsKey = (col: Expression<Date | null>) =>
  sql<string>`to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** A column under its own name. */
const own = <C extends keyof DB['tickets'] & string>(c: C) => T(c).as(c);

/**
 * A bigint id column as text (node-postgres reads it as the same string either way). Kept from
 * the hand-written SQL on purpose: these casts are part of what the planner counts per row below
 * a sort, and at full size the queue page's choice between walking the open-queue index in order
 * and a bitmap scan + sort of the whole team is within ~2 % of cost. Without them it flipped to
 * the sort (EXPLAIN on the bench world, team queue with relations).
 */
const idText = <
  C extends
    'id' | 'customerId' | 'requesterId' | 'assigneeId' | 'teamId' | 'createdById' | 'slaPolicyId',
>(
  c: C,
) => sql<SelectType<DB['tickets'][C]>>`${T(c)}::text`.as(c);

/**
 * The columns of a {@link TicketRow} (over `tickets t`): in the builder's `select`/`returning`
 * and, joined, in SQL templates. `customFields` reads as text ({@link toTicket} parses it): the
 * camelCase plugin would rename the keys of a returned object.
 */
export const TICKET_COLUMNS = [
  idText('id'),
  own('number'),
  sql<string>`${T('customFields')}::text`.as('customFields'),
  idText('customerId'),
  idText('requesterId'),
  own('subject'),
  own('channel'),
  own('priority'),
  own('status'),
  idText('assigneeId'),
  idText('teamId'),
  own('tags'),
  idText('createdById'),
  own('createdAt'),
  own('updatedAt'),
  own('firstResponseAt'),
  own('solvedAt'),
  own('closedAt'),
  own('reopenCount'),
  own('solveCount'),
  idText('slaPolicyId'),
  own('firstResponseDueAt'),
  own('resolutionDueAt'),
  own('firstResponseBreached'),
  own('resolutionBreached'),
  own('nextDueAt'),
  own('lastMessageAt'),
  own('slaPausedAt'),
  own('slaPausedSeconds'),
  own('nextReplyStartedAt'),
  own('nextReplyDueAt'),
  own('nextReplyBreached'),
  own('version'),
  // generated from priority, never null
  sql<number>`${T('priorityRank')}`.as('priorityRank'),
  tsKey(T('updatedAt')).as('updatedKey'),
  tsKey(T('createdAt')).as('createdKey'),
  sql<string>`coalesce(${tsKey(T('nextDueAt'))}, 'infinity')`.as('dueKey'),
  sql<TicketRow['externalIds']>`CASE WHEN ${T('externalId')} IS NULL THEN '[]'::jsonb
       ELSE jsonb_build_array(jsonb_build_object('source', ${T('externalSource')}, 'id', ${T('externalId')})) END`.as(
    'externalIds',
  ),
] as const;

/** A ticket row as selected by {@link TICKET_COLUMNS}, before {@link toTicket}. */
export type TicketRecord = Omit<TicketRow, 'customFields'> & { customFields: string };

export const toTicket = <R extends TicketRecord>(r: R): Omit<R, 'customFields'> & TicketRow => ({
  ...r,
  customFields: JSON.parse(r.customFields) as TicketRow['customFields'],
});

/** {@link TICKET_COLUMNS} as a SQL list, for statements written as templates. */
export const TICKET_COLUMNS_SQL = sql.join(TICKET_COLUMNS);

/** The columns of a {@link MessageRow} (over `ticket_messages m`). */
export const MESSAGE_COLUMNS = [
  M('id').as('id'),
  M('ticketId').as('ticketId'),
  M('kind').as('kind'),
  M('authorUserId').as('authorUserId'),
  M('authorContactId').as('authorContactId'),
  M('body').as('body'),
  M('sentiment').as('sentiment'),
  M('createdAt').as('createdAt'),
] as const;

/** The columns of an {@link EventRow} (over `ticket_events e`). */
export const EVENT_COLUMNS = [
  'e.id',
  'e.ticketId',
  'e.actorId',
  'e.type',
  'e.fromValue',
  'e.toValue',
  'e.createdAt',
] as const;

/** The columns of an {@link SlaPolicyRow}. */
export const SLA_COLUMNS = [
  'slaPolicies.id',
  'slaPolicies.name',
  'slaPolicies.priority',
  'slaPolicies.channel',
  'slaPolicies.tier',
  'slaPolicies.firstResponseMinutes',
  'slaPolicies.resolutionMinutes',
  'slaPolicies.nextReplyMinutes',
  'slaPolicies.businessHours',
  'slaPolicies.active',
] as const;

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
export type NewTicketColumns = Pick<
  TicketRow,
  | 'subject'
  | 'channel'
  | 'priority'
  | 'status'
  | 'assigneeId'
  | 'teamId'
  | 'tags'
  | 'createdById'
  | 'firstResponseAt'
  | 'createdAt'
  | 'lastMessageAt'
>;

/** A new ticket's columns with its requester, customer, policy and due times resolved. */
export type NewTicket = NewTicketColumns & {
  customerId: string;
  requesterId: string;
  slaPolicyId: string | null;
  firstResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  nextDueAt: Date | null;
};

export type NewEvents = Omit<EventRow, 'id' | 'ticketId'>[];
export type AuditInput = { actorId: string; action: string; details: Record<string, unknown> };
export type OutboxInput = { type: string; traceContext: Record<string, string> | null };

/** The ticket columns every insert takes from the caller as they are. */
const NEW_COLUMNS = [
  'subject',
  'channel',
  'priority',
  'status',
  'assigneeId',
  'teamId',
  'tags',
  'createdById',
  'firstResponseAt',
] as const satisfies readonly (keyof NewTicketColumns & keyof DB['tickets'])[];
export const NEW_COLUMNS_SQL = sql.join(NEW_COLUMNS.map((c) => sql.ref(c)));
export const newColumnValues = (t: NewTicketColumns) => sql.join(NEW_COLUMNS.map((c) => t[c]));

/** The columns `update` writes from a patch (others in the patch are ignored). */
export const UPDATABLE = [
  'subject',
  'priority',
  'status',
  'assigneeId',
  'teamId',
  'tags',
  'firstResponseAt',
  'solvedAt',
  'closedAt',
  'reopenCount',
  'solveCount',
  'slaPolicyId',
  'firstResponseDueAt',
  'resolutionDueAt',
  'firstResponseBreached',
  'resolutionBreached',
  'nextDueAt',
  'lastMessageAt',
  'slaPausedAt',
  'slaPausedSeconds',
  'nextReplyStartedAt',
  'nextReplyDueAt',
  'nextReplyBreached',
] as const satisfies readonly (keyof TicketRow & keyof DB['tickets'])[];

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

export type TicketCursor = [string | number, string];

/** The {@link TicketRow} fields that hold a Date (or null): what JSON turns into strings. */
const TICKET_DATE_FIELDS = [
  'createdAt',
  'updatedAt',
  'firstResponseAt',
  'solvedAt',
  'closedAt',
  'firstResponseDueAt',
  'resolutionDueAt',
  'nextDueAt',
  'lastMessageAt',
  'slaPausedAt',
  'nextReplyStartedAt',
  'nextReplyDueAt',
] as const satisfies readonly {
  [K in keyof TicketRow]: TicketRow[K] extends Date | null ? K : never;
}[keyof TicketRow][];

/**
 * A {@link TicketRow} that travelled as JSON (a live event carries the ticket it is about, so
 * every api process does not read it again): its dates made Dates again. The live e2e spec
 * checks that a row read from PostgreSQL survives the round trip unchanged, so a new Date
 * field missing here fails a test.
 */
export function ticketFromJson(json: Record<string, unknown>): TicketRow {
  const row = { ...json } as Record<string, unknown>;
  for (const f of TICKET_DATE_FIELDS) {
    const v = row[f];
    if (typeof v === 'string') row[f] = new Date(v);
  }
  return row as unknown as TicketRow;
}
