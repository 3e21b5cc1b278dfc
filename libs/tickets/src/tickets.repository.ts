import { Injectable } from '@nestjs/common';
import {
  Keyset,
  Tx,
  conflict,
  containsPattern,
  pgCode,
  pgConstraint,
  returnedRows,
} from '@staydesk/core';
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

const TS_KEY = (col: string) =>
  `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const TICKET_COLUMNS = `t.id::text, t.number, t.custom_fields AS "customFields", t.customer_id::text AS "customerId", t.requester_id::text AS "requesterId",
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

const MESSAGE_COLUMNS = `m.id::text, m.ticket_id::text AS "ticketId", m.kind, m.author_user_id::text AS "authorUserId",
  m.author_contact_id::text AS "authorContactId", m.body, m.sentiment, m.created_at AS "createdAt"`;

const EVENT_COLUMNS = `e.id::text, e.ticket_id::text AS "ticketId", e.actor_id::text AS "actorId", e.type,
  e.from_value AS "fromValue", e.to_value AS "toValue", e.created_at AS "createdAt"`;

const SLA_COLUMNS = `id::text, name, priority, channel, tier, first_response_minutes AS "firstResponseMinutes",
  resolution_minutes AS "resolutionMinutes", next_reply_minutes AS "nextReplyMinutes", business_hours AS "businessHours", active`;

/**
 * `column = $n` for one id, `column = ANY($n)` for several. The planner walks the open-ticket
 * queue indexes (team or assignee, updated_at) in order only for an equality; with `= ANY` it
 * sorted every open ticket of the team (a queue page went from ~150 ms to <1 ms at 2M tickets).
 */
function oneOf(column: string, ids: string[], p: (v: unknown) => string): string {
  return ids.length === 1
    ? `${column} = ${p(ids[0])}::bigint`
    : `${column} = ANY(${p(ids)}::bigint[])`;
}

/** ORDER BY and keyset per ordering; cursor = [key, id]. */
const ORDERINGS: Record<
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
function rethrowPolicyConflict(err: unknown): never {
  if (pgCode(err) === '23505') {
    throw conflict('an active SLA policy already covers this priority, channel and tier', {
      field: 'priority',
    });
  }
  throw err;
}

function rethrowFk(err: unknown): never {
  if (pgCode(err) === '23503') {
    throw conflict(`a referenced record does not exist (${pgConstraint(err) ?? 'foreign key'})`);
  }
  throw err;
}

/** The columns of a new ticket that both insert paths take from the caller. */
type NewTicketColumns = {
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

@Injectable()
export class TicketsRepository {
  async byIds(tx: Tx, ids: readonly string[]): Promise<TicketRow[]> {
    return tx.query(`SELECT ${TICKET_COLUMNS} FROM tickets t WHERE t.id = ANY($1::bigint[])`, [
      ids,
    ]);
  }

  async byNumber(tx: Tx, number: number): Promise<TicketRow | undefined> {
    const rows: TicketRow[] = await tx.query(
      `SELECT ${TICKET_COLUMNS} FROM tickets t WHERE t.number = $1`,
      [number],
    );
    return rows[0];
  }

  /** Ids of solved tickets solved before `before` (auto-close), oldest first. */
  async solvedBefore(tx: Tx, before: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(
      `SELECT id::text FROM tickets WHERE status = 'solved' AND solved_at < $1
        ORDER BY solved_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [before, limit],
    );
    return rows.map((r) => r.id);
  }

  /** The mail envelope of a public reply, queued in the reply's transaction (sent by the worker). */
  async queueReplyMail(tx: Tx, messageId: string, mailMessageId: string, cc: string[]) {
    await tx.query(
      `INSERT INTO message_mail (ticket_message_id, direction, message_id, cc_addresses, status)
       VALUES ($1, 'out', $2, $3, 'queued')`,
      [messageId, mailMessageId, cc],
    );
  }

  /**
   * Picks the agent a new ticket of the team goes to, or null (mode none, or nobody available
   * under the cap). The team row is locked (FOR NO KEY UPDATE, so tickets referencing the team
   * can still be inserted) until the caller's transaction ends: concurrent creates in one team
   * pick one after another, each seeing the tickets the previous one committed, so no agent
   * passes the cap. Open = new, open, pending or on hold.
   */
  async pickAutoAssignee(
    tx: Tx,
    teamId: string,
  ): Promise<{ userId: string; mode: string; cap: number } | null> {
    const teams: { mode: string; cap: number }[] = await tx.query(
      `SELECT assignment_mode AS mode, assignment_cap AS cap FROM teams WHERE id = $1 FOR NO KEY UPDATE`,
      [teamId],
    );
    const team = teams[0];
    if (!team || team.mode === 'none') return null;
    // an agent in several teams (user_teams) is a candidate in each; the cap counts their open
    // tickets of every team. The team lock does not serialize picks of two teams, so the pick
    // locks its agent and counts again (a statement after the lock sees what another team's
    // pick committed): over the cap, the next agent is tried.
    const skipped: string[] = [];
    for (;;) {
      const picked: { id: string }[] = await tx.query(
        `SELECT u.id::text FROM users u
           LEFT JOIN tickets t ON t.assignee_id = u.id AND t.status IN ('new', 'open', 'pending', 'on_hold')
          WHERE u.id IN (SELECT ut.user_id FROM user_teams ut WHERE ut.team_id = $1)
            AND u.active AND u.availability = 'available'
            AND u.role IN ('agent', 'team_lead') AND u.id <> ALL($4::bigint[])
          GROUP BY u.id, u.last_auto_assigned_at
         HAVING count(t.id) < $2
          ORDER BY CASE WHEN $3 = 'least_open' THEN count(t.id) ELSE 0 END,
                   u.last_auto_assigned_at NULLS FIRST, u.id
          LIMIT 1`,
        [teamId, team.cap, team.mode, skipped],
      );
      if (!picked[0]) return null;
      await tx.query(`UPDATE users SET last_auto_assigned_at = clock_timestamp() WHERE id = $1`, [
        picked[0].id,
      ]);
      // a second statement: its snapshot is taken after the row lock was granted
      const [{ open }]: { open: number }[] = await tx.query(
        `SELECT count(*)::int AS open FROM tickets
          WHERE assignee_id = $1 AND status IN ('new', 'open', 'pending', 'on_hold')`,
        [picked[0].id],
      );
      if (open < team.cap) return { userId: picked[0].id, mode: team.mode, cap: team.cap };
      skipped.push(picked[0].id);
    }
  }

  /**
   * What creating a ticket needs to know, in one statement: the requester's customer and its
   * tier, and the SLA policy that applies (as `policyFor`). Null when the contact does not exist.
   */
  async createContext(
    tx: Tx,
    requesterId: string,
    priority: Priority,
    channel: Channel,
  ): Promise<{ requesterId: string; customerId: string; policy: SlaPolicyRow | null } | null> {
    const rows: { requesterId: string; customerId: string; policy: SlaPolicyRow | null }[] =
      await tx.query(
        `SELECT ct.id::text AS "requesterId", ct.customer_id::text AS "customerId",
                (SELECT to_jsonb(p) FROM (
                   SELECT ${SLA_COLUMNS} FROM sla_policies
                    WHERE active AND priority = $2 AND (channel IS NULL OR channel = $3)
                      AND (tier IS NULL OR tier = c.tier)
                    ORDER BY (channel IS NOT NULL)::int + (tier IS NOT NULL)::int DESC, (channel IS NOT NULL) DESC, id
                    LIMIT 1) p) AS policy
           FROM contacts ct JOIN customers c ON c.id = ct.customer_id
          WHERE ct.id = $1`,
        [requesterId, priority, channel],
      );
    return rows[0] ?? null;
  }

  /**
   * A new ticket with its history events, its audit row and its outbox event, in one statement
   * (createTicket's round trips: one write instead of four). The caller has read the requester,
   * its customer and the SLA policy (`createContext`) and computed the due times (a team's
   * business-hours calendar).
   */
  async insertCreated(
    tx: Tx,
    t: Parameters<TicketsRepository['insert']>[1],
    events: Omit<EventRow, 'id' | 'ticketId'>[],
    audit: { actorId: string; action: string; details: Record<string, unknown> },
    outbox: { type: string; traceContext: Record<string, string> | null },
  ): Promise<TicketRow> {
    const rows = await this.insertCreatedSql(
      tx,
      t,
      `SELECT $18::bigint AS customer_id, $19::bigint AS requester_id, $20::bigint AS sla_policy_id,
              $21::timestamptz AS fr_due, $22::timestamptz AS res_due, $23::timestamptz AS next_due`,
      [
        t.customerId,
        t.requesterId,
        t.slaPolicyId,
        t.firstResponseDueAt,
        t.resolutionDueAt,
        t.nextDueAt,
      ],
      events,
      audit,
      outbox,
    );
    return rows[0];
  }

  /**
   * createTicket without a team calendar in one `INSERT … SELECT` (issue 19): the requester
   * (which must belong to `customerId` when one is given), its customer's tier, the applicable
   * SLA policy (the same ordering as `createContext` and `policyFor`) and the due times
   * (`createdAt` + the policy's minutes: without a team there is no business-hours calendar)
   * are read by the statement that inserts the ticket, its events, the audit row and the outbox
   * row. Null when no contact matched (the caller finds out why with `createContext`).
   */
  async insertCreatedResolving(
    tx: Tx,
    t: Omit<
      Parameters<TicketsRepository['insert']>[1],
      | 'customerId'
      | 'slaPolicyId'
      | 'firstResponseDueAt'
      | 'resolutionDueAt'
      | 'nextDueAt'
      | 'teamId'
    > & { customerId: string | null },
    events: Omit<EventRow, 'id' | 'ticketId'>[],
    audit: { actorId: string; action: string; details: Record<string, unknown> },
    outbox: { type: string; traceContext: Record<string, string> | null },
  ): Promise<TicketRow | null> {
    // next_due_at as ticket-rules' nextDueAt for a new ticket: the first-response target until
    // it is met, then the resolution target (no pause, no next-reply clock yet)
    const rows = await this.insertCreatedSql(
      tx,
      { ...t, teamId: null },
      `SELECT x.*, CASE WHEN $9::timestamptz IS NULL AND x.fr_due IS NOT NULL THEN x.fr_due
                        ELSE x.res_due END AS next_due
         FROM (SELECT ct.customer_id, ct.id AS requester_id, p.id AS sla_policy_id,
                      $10::timestamptz + make_interval(mins => p.first_response_minutes) AS fr_due,
                      $10::timestamptz + make_interval(mins => p.resolution_minutes) AS res_due
                 FROM contacts ct JOIN customers c ON c.id = ct.customer_id
                 LEFT JOIN LATERAL (
                   SELECT id, first_response_minutes, resolution_minutes FROM sla_policies
                    WHERE active AND priority = $3 AND (channel IS NULL OR channel = $2)
                      AND (tier IS NULL OR tier = c.tier)
                    ORDER BY (channel IS NOT NULL)::int + (tier IS NOT NULL)::int DESC, (channel IS NOT NULL) DESC, id
                    LIMIT 1) p ON true
                WHERE ct.id = $19::bigint AND ($18::bigint IS NULL OR ct.customer_id = $18::bigint)) x`,
      [t.customerId, t.requesterId],
      events,
      audit,
      outbox,
    );
    return rows[0] ?? null;
  }

  /**
   * The shared write of `insertCreated*`: `source` is a one-row SELECT giving customer_id,
   * requester_id, sla_policy_id, fr_due, res_due and next_due from its own parameters ($18 on);
   * $1–$17 are the ticket's columns, its events, the audit row and the outbox row.
   */
  private async insertCreatedSql(
    tx: Tx,
    t: NewTicketColumns,
    source: string,
    sourceParams: unknown[],
    events: Omit<EventRow, 'id' | 'ticketId'>[],
    audit: { actorId: string; action: string; details: Record<string, unknown> },
    outbox: { type: string; traceContext: Record<string, string> | null },
  ): Promise<TicketRow[]> {
    try {
      return await tx.query(
        `WITH src AS (${source}), t AS (
           INSERT INTO tickets AS t (customer_id, requester_id, subject, channel, priority, status, assignee_id, team_id,
              tags, created_by_id, first_response_at, sla_policy_id, first_response_due_at, resolution_due_at,
              next_due_at, created_at, updated_at, last_message_at, search)
           SELECT src.customer_id, src.requester_id, $1, $2, $3, $4, $5, $6, $7, $8, $9, src.sla_policy_id,
                  src.fr_due, src.res_due, src.next_due, $10, $10, $11, to_tsvector('english', $1)
             FROM src
           RETURNING ${TICKET_COLUMNS}
         ), e AS (
           INSERT INTO ticket_events (ticket_id, actor_id, type, from_value, to_value, created_at)
           SELECT t.id::bigint, x.actor_id, x.type, x.from_value, x.to_value, x.created_at
             FROM t, jsonb_to_recordset($12::jsonb)
                  AS x(actor_id bigint, type text, from_value text, to_value text, created_at timestamptz)
         ), a AS (
           INSERT INTO audit_log (actor_id, action, entity, entity_id, details)
           SELECT $13, $14, 'ticket', t.id, $15 FROM t
         ), o AS (
           INSERT INTO outbox (type, payload, trace_context)
           SELECT $16, jsonb_build_object('ticketId', t.id, 'customerId', t."customerId"), $17 FROM t
         )
         SELECT * FROM t`,
        [
          t.subject,
          t.channel,
          t.priority,
          t.status,
          t.assigneeId,
          t.teamId,
          t.tags,
          t.createdById,
          t.firstResponseAt,
          t.createdAt,
          t.lastMessageAt,
          JSON.stringify(
            events.map((e) => ({
              actor_id: e.actorId,
              type: e.type,
              from_value: e.fromValue,
              to_value: e.toValue,
              created_at: e.createdAt,
            })),
          ),
          audit.actorId,
          audit.action,
          audit.details,
          outbox.type,
          outbox.traceContext,
          ...sourceParams,
        ],
      );
    } catch (err) {
      rethrowFk(err);
    }
  }

  async lockById(tx: Tx, id: string): Promise<TicketRow | null> {
    const rows: TicketRow[] = await tx.query(
      `SELECT ${TICKET_COLUMNS} FROM tickets t WHERE t.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  async list(
    tx: Tx,
    f: TicketFilter,
    order: TicketOrder,
    after: [string | number, string] | null,
    limit: number,
    include: TicketRelations = {},
  ) {
    const o = ORDERINGS[order];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = filterWhere(f, p);
    if (after) where.push(o.keyset.predicate([o.key, 't.id'], o.cmp, after, p));
    return tx.query(
      `SELECT ${TICKET_COLUMNS}${relationColumns(include)} FROM tickets t
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${o.order} LIMIT ${p(limit)}`,
      params,
    ) as Promise<TicketRow[]>;
  }

  /**
   * Matching tickets, counted up to `cap` (the same conditions as `list`): the queue's totalCount
   * and saved views' counts, so a broad filter stays cheap.
   */
  async count(tx: Tx, f: TicketFilter, cap: number): Promise<number> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = filterWhere(f, p);
    const rows: { n: number }[] = await tx.query(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM tickets t
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} LIMIT ${p(cap)}) capped`,
      params,
    );
    return rows[0].n;
  }

  async insert(
    tx: Tx,
    t: NewTicketColumns & {
      customerId: string;
      requesterId: string;
      slaPolicyId: string | null;
      firstResponseDueAt: Date | null;
      resolutionDueAt: Date | null;
      nextDueAt: Date | null;
    },
  ): Promise<TicketRow> {
    try {
      const rows: TicketRow[] = await tx.query(
        `INSERT INTO tickets AS t (customer_id, requester_id, subject, channel, priority, status, assignee_id, team_id,
            tags, created_by_id, first_response_at, sla_policy_id, first_response_due_at, resolution_due_at,
            next_due_at, created_at, updated_at, last_message_at, search)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17,
                 to_tsvector('english', $3))
         RETURNING ${TICKET_COLUMNS}`,
        [
          t.customerId,
          t.requesterId,
          t.subject,
          t.channel,
          t.priority,
          t.status,
          t.assigneeId,
          t.teamId,
          t.tags,
          t.createdById,
          t.firstResponseAt,
          t.slaPolicyId,
          t.firstResponseDueAt,
          t.resolutionDueAt,
          t.nextDueAt,
          t.createdAt,
          t.lastMessageAt,
        ],
      );
      return rows[0];
    } catch (err) {
      rethrowFk(err);
    }
  }

  /** Writes the changed columns of a ticket (always bumps version and updated_at). */
  async update(tx: Tx, id: string, patch: Partial<TicketRow>, at: Date): Promise<TicketRow> {
    const columns: Record<string, string> = {
      subject: 'subject',
      priority: 'priority',
      status: 'status',
      assigneeId: 'assignee_id',
      teamId: 'team_id',
      tags: 'tags',
      firstResponseAt: 'first_response_at',
      solvedAt: 'solved_at',
      closedAt: 'closed_at',
      reopenCount: 'reopen_count',
      solveCount: 'solve_count',
      slaPolicyId: 'sla_policy_id',
      firstResponseDueAt: 'first_response_due_at',
      resolutionDueAt: 'resolution_due_at',
      firstResponseBreached: 'first_response_breached',
      resolutionBreached: 'resolution_breached',
      nextDueAt: 'next_due_at',
      lastMessageAt: 'last_message_at',
      slaPausedAt: 'sla_paused_at',
      slaPausedSeconds: 'sla_paused_seconds',
      nextReplyStartedAt: 'next_reply_started_at',
      nextReplyDueAt: 'next_reply_due_at',
      nextReplyBreached: 'next_reply_breached',
    };
    const params: unknown[] = [id, at];
    const sets = ['version = version + 1', 'updated_at = $2'];
    for (const [key, value] of Object.entries(patch)) {
      const col = columns[key];
      if (!col || value === undefined) continue;
      params.push(value);
      sets.push(`${col} = $${params.length}`);
    }
    try {
      const rows = returnedRows<TicketRow>(
        await tx.query(
          `UPDATE tickets AS t SET ${sets.join(', ')} WHERE t.id = $1 RETURNING ${TICKET_COLUMNS}`,
          params,
        ),
      );
      return rows[0];
    } catch (err) {
      rethrowFk(err);
    }
  }

  /**
   * Rebuilds the search vectors: everything (subject, conversation, notes), and the public text
   * (subject and conversation) when the ticket has internal notes.
   */
  async refreshSearch(tx: Tx, id: string): Promise<void> {
    await tx.query(
      `UPDATE tickets t SET
          search = to_tsvector('english', t.subject) ||
            coalesce((SELECT to_tsvector('english', string_agg(m.body, ' ' ORDER BY m.id))
                        FROM ticket_messages m WHERE m.ticket_id = t.id), ''),
          public_search = CASE WHEN EXISTS (SELECT 1 FROM ticket_messages m
                                            WHERE m.ticket_id = t.id AND m.kind = 'internal_note')
            THEN to_tsvector('english', t.subject) ||
                 coalesce((SELECT to_tsvector('english', string_agg(m.body, ' ' ORDER BY m.id))
                             FROM ticket_messages m
                            WHERE m.ticket_id = t.id AND m.kind <> 'internal_note'), '')
            END
        WHERE t.id = $1`,
      [id],
    );
  }

  async insertEvents(tx: Tx, events: Omit<EventRow, 'id'>[]): Promise<void> {
    if (events.length === 0) return;
    await tx.query(
      `INSERT INTO ticket_events (ticket_id, actor_id, type, from_value, to_value, created_at)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])`,
      [
        events.map((e) => e.ticketId),
        events.map((e) => e.actorId),
        events.map((e) => e.type),
        events.map((e) => e.fromValue),
        events.map((e) => e.toValue),
        events.map((e) => e.createdAt),
      ],
    );
  }

  async insertMessage(tx: Tx, m: Omit<MessageRow, 'id'>): Promise<MessageRow> {
    const rows: MessageRow[] = await tx.query(
      `INSERT INTO ticket_messages AS m (ticket_id, kind, author_user_id, author_contact_id, body, sentiment, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${MESSAGE_COLUMNS}`,
      [m.ticketId, m.kind, m.authorUserId, m.authorContactId, m.body, m.sentiment, m.createdAt],
    );
    // every message goes into search; the public vector (kept once a ticket has notes) gets
    // public messages only, and starts from the public text so far at the first note
    await tx.query(
      m.kind === 'internal_note'
        ? `UPDATE tickets t SET search = t.search || to_tsvector('english', $2),
              public_search = coalesce(t.public_search, to_tsvector('english', t.subject) ||
                coalesce((SELECT to_tsvector('english', string_agg(x.body, ' ' ORDER BY x.id))
                            FROM ticket_messages x
                           WHERE x.ticket_id = t.id AND x.kind <> 'internal_note'), ''))
            WHERE t.id = $1`
        : // the body's vector computed once for both (to_tsvector is most of this statement's
          // cost; OFFSET 0 keeps the planner from copying the call into each SET expression)
          `UPDATE tickets t SET search = t.search || v.vector, public_search = t.public_search || v.vector
             FROM (SELECT to_tsvector('english', $2) AS vector OFFSET 0) v
            WHERE t.id = $1`,
      [m.ticketId, m.body],
    );
    return rows[0];
  }

  async lastMessages(
    tx: Tx,
    ticketIds: readonly string[],
    includeNotes: boolean,
  ): Promise<MessageRow[]> {
    return tx.query(
      `SELECT DISTINCT ON (m.ticket_id) ${MESSAGE_COLUMNS}
         FROM ticket_messages m
        WHERE m.ticket_id = ANY($1::bigint[]) AND ($2 OR m.kind <> 'internal_note')
        ORDER BY m.ticket_id, m.created_at DESC, m.id DESC`,
      [ticketIds, includeNotes],
    );
  }

  async messages(
    tx: Tx,
    ticketId: string,
    after: string | null,
    limit: number,
    includeNotes = true,
  ): Promise<MessageRow[]> {
    return tx.query(
      `SELECT ${MESSAGE_COLUMNS} FROM ticket_messages m
        WHERE m.ticket_id = $1 AND ($2::bigint IS NULL OR m.id > $2) AND ($4 OR m.kind <> 'internal_note')
        ORDER BY m.id ASC LIMIT $3`,
      [ticketId, after, limit, includeNotes],
    );
  }

  async events(tx: Tx, ticketIds: readonly string[]): Promise<EventRow[]> {
    return tx.query(
      `SELECT ${EVENT_COLUMNS} FROM ticket_events e WHERE e.ticket_id = ANY($1::bigint[]) ORDER BY e.id`,
      [ticketIds],
    );
  }

  async countOpenByCustomer(
    tx: Tx,
    customerIds: readonly string[],
  ): Promise<{ customerId: string; n: number }[]> {
    return tx.query(
      `SELECT customer_id::text AS "customerId", count(*)::int AS n FROM tickets
        WHERE customer_id = ANY($1::bigint[]) AND status NOT IN ('solved', 'closed')
        GROUP BY customer_id`,
      [customerIds],
    );
  }

  /** The most specific active policy for a ticket: channel and tier matches beat wildcards. */
  async policyFor(
    tx: Tx,
    priority: Priority,
    channel: Channel,
    tier: string,
  ): Promise<SlaPolicyRow | null> {
    const rows: SlaPolicyRow[] = await tx.query(
      `SELECT ${SLA_COLUMNS} FROM sla_policies
        WHERE active AND priority = $1 AND (channel IS NULL OR channel = $2) AND (tier IS NULL OR tier = $3)
        ORDER BY (channel IS NOT NULL)::int + (tier IS NOT NULL)::int DESC, (channel IS NOT NULL) DESC, id
        LIMIT 1`,
      [priority, channel, tier],
    );
    return rows[0] ?? null;
  }

  /** A ticket's own policy (active or not: a ticket keeps the policy it was given). */
  async policyById(tx: Tx, id: string): Promise<SlaPolicyRow | null> {
    const rows: SlaPolicyRow[] = await tx.query(
      `SELECT ${SLA_COLUMNS} FROM sla_policies WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async listPolicies(tx: Tx): Promise<SlaPolicyRow[]> {
    return tx.query(
      `SELECT ${SLA_COLUMNS} FROM sla_policies WHERE active
        ORDER BY CASE priority WHEN 'urgent' THEN 1 WHEN 'high' THEN 2 WHEN 'normal' THEN 3 ELSE 4 END, channel NULLS FIRST, tier NULLS FIRST, id`,
    );
  }

  async insertPolicy(tx: Tx, p: Omit<SlaPolicyRow, 'id' | 'active'>): Promise<SlaPolicyRow> {
    try {
      const rows: SlaPolicyRow[] = await tx.query(
        `INSERT INTO sla_policies (name, priority, channel, tier, first_response_minutes, resolution_minutes, business_hours, next_reply_minutes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${SLA_COLUMNS}`,
        [
          p.name,
          p.priority,
          p.channel,
          p.tier,
          p.firstResponseMinutes,
          p.resolutionMinutes,
          p.businessHours,
          p.nextReplyMinutes ?? null,
        ],
      );
      return rows[0];
    } catch (err) {
      rethrowPolicyConflict(err);
    }
  }

  async lockActivePolicy(tx: Tx, id: string): Promise<SlaPolicyRow | null> {
    const rows: SlaPolicyRow[] = await tx.query(
      `SELECT ${SLA_COLUMNS} FROM sla_policies WHERE id = $1 AND active FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  async updatePolicy(
    tx: Tx,
    id: string,
    p: Omit<SlaPolicyRow, 'id' | 'active'>,
  ): Promise<SlaPolicyRow> {
    try {
      const rows = returnedRows<SlaPolicyRow>(
        await tx.query(
          `UPDATE sla_policies SET name = $2, priority = $3, channel = $4, tier = $5, first_response_minutes = $6,
                  resolution_minutes = $7, business_hours = $8, next_reply_minutes = $9, updated_at = now()
            WHERE id = $1 RETURNING ${SLA_COLUMNS}`,
          [
            id,
            p.name,
            p.priority,
            p.channel,
            p.tier,
            p.firstResponseMinutes,
            p.resolutionMinutes,
            p.businessHours,
            p.nextReplyMinutes ?? null,
          ],
        ),
      );
      return rows[0];
    } catch (err) {
      rethrowPolicyConflict(err);
    }
  }

  async deactivatePolicy(tx: Tx, id: string): Promise<boolean> {
    const rows = returnedRows<unknown>(
      await tx.query(
        `UPDATE sla_policies SET active = false, updated_at = now() WHERE id = $1 AND active RETURNING id`,
        [id],
      ),
    );
    return rows.length > 0;
  }

  /**
   * Flags SLA targets whose due time passed without being met and records one `sla_breached`
   * event per newly breached target. Driven by the tickets' next-due index.
   */
  async markBreaches(
    tx: Tx,
  ): Promise<{ firstResponse: number; resolution: number; nextReply: number }> {
    const fr = returnedRows<{ id: string }>(
      await tx.query(
        `UPDATE tickets SET first_response_breached = true
        WHERE next_due_at < now() AND status NOT IN ('solved', 'closed') AND first_response_at IS NULL
          AND NOT first_response_breached AND first_response_due_at < now()
        RETURNING id::text`,
      ),
    );
    const rs = returnedRows<{ id: string }>(
      await tx.query(
        `UPDATE tickets SET resolution_breached = true
        WHERE next_due_at < now() AND status NOT IN ('solved', 'closed')
          AND NOT resolution_breached AND resolution_due_at < now() AND sla_paused_at IS NULL
        RETURNING id::text`,
      ),
    );
    const nr = returnedRows<{ id: string }>(
      await tx.query(
        `UPDATE tickets SET next_reply_breached = true
        WHERE next_due_at < now() AND status NOT IN ('solved', 'closed')
          AND NOT next_reply_breached AND next_reply_due_at < now() AND sla_paused_at IS NULL
        RETURNING id::text`,
      ),
    );
    const now = new Date();
    await this.insertEvents(tx, [
      ...nr.map((r) => ({
        ticketId: r.id,
        actorId: null,
        type: 'sla_breached',
        fromValue: null,
        toValue: 'next_reply',
        createdAt: now,
      })),
      ...fr.map((r) => ({
        ticketId: r.id,
        actorId: null,
        type: 'sla_breached',
        fromValue: null,
        toValue: 'first_response',
        createdAt: now,
      })),
      ...rs.map((r) => ({
        ticketId: r.id,
        actorId: null,
        type: 'sla_breached',
        fromValue: null,
        toValue: 'resolution',
        createdAt: now,
      })),
    ]);
    return { firstResponse: fr.length, resolution: rs.length, nextReply: nr.length };
  }
}

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

const asJson = (sql: string) => `(SELECT to_jsonb(x) FROM (${sql}) x)`;
const LAST_MESSAGE = asJson(`SELECT ${MESSAGE_COLUMNS} FROM ticket_messages m
    WHERE m.ticket_id = t.id ORDER BY m.created_at DESC, m.id DESC LIMIT 1`);

function relationColumns(r: TicketRelations): string {
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

function filterWhere(f: TicketFilter, p: (v: unknown) => string): string[] {
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
