import { Injectable } from '@nestjs/common';
import { CompiledQuery, RawBuilder, Updateable, sql } from 'kysely';
import { DB, Tx, compileWithSlots, db, named } from '@staydesk/core';
import { IdentitySettingsRepository } from '@staydesk/identity';
import type { Channel, Priority } from './ticket-rules';
import type { FoldedUpdate } from './ticket-hooks';
import {
  AuditInput,
  EventRow,
  MOST_SPECIFIC_POLICY,
  MessageRow,
  NEW_COLUMNS_SQL,
  NewEvents,
  NewTicket,
  NewTicketColumns,
  OutboxInput,
  SlaPolicyRow,
  UPDATABLE,
  TICKET_COLUMNS,
  TICKET_COLUMNS_SQL,
  TicketRecord,
  TicketRow,
  newColumnValues,
  policyMatches,
  rethrowFk,
  toTicket,
} from './tickets.sql';

/**
 * The tickets repository's writes: new tickets (with their context), changes, messages and
 * history. The inserts of a new ticket and the search-vector updates are `sql` templates (one
 * statement each, CTEs); the rest is the typed builder. The round robin's stamp on the picked
 * agent is identity's write (`users` is its table), on the same transaction.
 */
@Injectable()
export abstract class TicketWriteQueries {
  constructor(protected readonly identitySettings: IdentitySettingsRepository) {}

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
    // the policy as JSON with camelCase keys (kept by the camelCase plugin) and a text id
    const { rows } = await sql<{
      requesterId: string;
      customerId: string;
      policy: SlaPolicyRow | null;
    }>`SELECT ct.id::text AS "requesterId", ct.customer_id::text AS "customerId",
              (SELECT to_jsonb(p) FROM (
                 SELECT id::text, name, priority, channel, tier, first_response_minutes AS "firstResponseMinutes",
                        resolution_minutes AS "resolutionMinutes", next_reply_minutes AS "nextReplyMinutes",
                        business_hours AS "businessHours", active
                   FROM sla_policies
                  WHERE ${policyMatches(priority, channel, sql`c.tier`)}
                  ORDER BY ${MOST_SPECIFIC_POLICY}
                  LIMIT 1) p) AS policy
         FROM contacts ct JOIN customers c ON c.id = ct.customer_id
        WHERE ct.id = ${requesterId}`.execute(db(tx));
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
    t: NewTicket,
    events: NewEvents,
    audit: AuditInput,
    outbox: OutboxInput,
    updates: FoldedUpdate[] = [],
  ): Promise<TicketRow> {
    const rows = await this.insertCreatedSql(
      tx,
      t,
      sql`SELECT ${t.customerId}::bigint AS customer_id, ${t.requesterId}::bigint AS requester_id,
                 ${t.slaPolicyId}::bigint AS sla_policy_id, ${t.firstResponseDueAt}::timestamptz AS fr_due,
                 ${t.resolutionDueAt}::timestamptz AS res_due, ${t.nextDueAt}::timestamptz AS next_due`,
      events,
      audit,
      outbox,
      updates,
    );
    return rows[0];
  }

  /**
   * createTicket without a team calendar in one `INSERT … SELECT` (issue 19): the requester
   * (which must belong to `customerId` when one is given), its customer's tier, the applicable
   * SLA policy (the same ordering as `createContext` and `policyFor`) and the due times
   * (`createdAt` + the policy's minutes: without a team there is no business-hours calendar)
   * are read by the statement that inserts the ticket, its events, the audit row and the outbox
   * row. Null when no contact matched (the caller finds out why with `createContext`) or a
   * condition of `current` did not hold.
   */
  async insertCreatedResolving(
    tx: Tx,
    t: ResolvingTicket,
    events: NewEvents,
    audit: AuditInput,
    outbox: OutboxInput,
    updates: FoldedUpdate[] = [],
    current: RawBuilder<boolean>[] = [],
  ): Promise<TicketRow | null> {
    // built and compiled once per `current` condition, sent as a named prepared statement
    const statement = resolvingStatement(current);
    const values: ResolvingValues = {
      ...t,
      teamId: null,
      ...createdRows(events, audit, outbox, updates),
    };
    try {
      const { rows } = await db(tx).executeQuery(statement(values));
      return rows.length ? toTicket(rows[0]) : null;
    } catch (err) {
      rethrowFk(err);
    }
  }

  /**
   * The shared write of `insertCreated*` ({@link createdStatement}), built and compiled on every
   * call: the teamed creation, whose due times are computed by the caller.
   */
  protected async insertCreatedSql(
    tx: Tx,
    t: NewTicketColumns,
    source: RawBuilder<unknown>,
    events: NewEvents,
    audit: AuditInput,
    outbox: OutboxInput,
    updates: FoldedUpdate[] = [],
  ): Promise<TicketRow[]> {
    try {
      const { rows } = await createdStatement(
        t,
        source,
        createdRows(events, audit, outbox, updates),
      ).execute(db(tx));
      return rows.map(toTicket);
    } catch (err) {
      rethrowFk(err);
    }
  }

  async insert(tx: Tx, t: NewTicket): Promise<TicketRow> {
    try {
      const { rows } =
        await sql<TicketRecord>`INSERT INTO tickets AS t (customer_id, requester_id, ${NEW_COLUMNS_SQL},
            sla_policy_id, first_response_due_at, resolution_due_at, next_due_at, created_at, updated_at,
            last_message_at, search)
         VALUES (${t.customerId}, ${t.requesterId}, ${newColumnValues(t)}, ${t.slaPolicyId},
                 ${t.firstResponseDueAt}, ${t.resolutionDueAt}, ${t.nextDueAt}, ${t.createdAt}, ${t.createdAt},
                 ${t.lastMessageAt}, to_tsvector('english', ${t.subject}))
         RETURNING ${TICKET_COLUMNS_SQL}`.execute(db(tx));
      return toTicket(rows[0]);
    } catch (err) {
      rethrowFk(err);
    }
  }

  /** Writes the changed columns of a ticket (always bumps version and updated_at). */
  async update(tx: Tx, id: string, patch: Partial<TicketRow>, at: Date): Promise<TicketRow> {
    const set: Updateable<DB['tickets']> = {};
    for (const key of UPDATABLE) {
      if (patch[key] !== undefined) (set as Record<string, unknown>)[key] = patch[key];
    }
    try {
      const row = await db(tx)
        .updateTable('tickets as t')
        .set((eb) => ({ ...set, version: eb('t.version', '+', 1), updatedAt: at }))
        .where('t.id', '=', id)
        .returning(TICKET_COLUMNS)
        .executeTakeFirstOrThrow();
      return toTicket(row);
    } catch (err) {
      rethrowFk(err);
    }
  }

  /**
   * Rebuilds the search vectors: everything (subject, conversation, notes), and the public text
   * (subject and conversation) when the ticket has internal notes.
   */
  async refreshSearch(tx: Tx, id: string): Promise<void> {
    await sql`UPDATE tickets t SET
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
        WHERE t.id = ${id}`.execute(db(tx));
  }

  async insertEvents(tx: Tx, events: Omit<EventRow, 'id'>[]): Promise<void> {
    if (events.length === 0) return;
    const col = <K extends keyof Omit<EventRow, 'id'>>(k: K) => events.map((e) => e[k]);
    await sql`INSERT INTO ticket_events (ticket_id, actor_id, type, from_value, to_value, created_at)
       SELECT * FROM unnest(${col('ticketId')}::bigint[], ${col('actorId')}::bigint[], ${col('type')}::text[],
                            ${col('fromValue')}::text[], ${col('toValue')}::text[], ${col('createdAt')}::timestamptz[])`.execute(
      db(tx),
    );
  }

  async insertMessage(tx: Tx, m: Omit<MessageRow, 'id'>): Promise<MessageRow> {
    const message = await db(tx)
      .insertInto('ticketMessages')
      .values({
        ticketId: m.ticketId,
        kind: m.kind,
        authorUserId: m.authorUserId,
        authorContactId: m.authorContactId,
        body: m.body,
        sentiment: m.sentiment,
        createdAt: m.createdAt,
      })
      .returning([
        'ticketMessages.id',
        'ticketMessages.ticketId',
        'ticketMessages.kind',
        'ticketMessages.authorUserId',
        'ticketMessages.authorContactId',
        'ticketMessages.body',
        'ticketMessages.sentiment',
        'ticketMessages.createdAt',
      ])
      .executeTakeFirstOrThrow();
    // every message goes into search; the public vector (kept once a ticket has notes) gets
    // public messages only, and starts from the public text so far at the first note
    await (
      m.kind === 'internal_note'
        ? sql`UPDATE tickets t SET search = t.search || to_tsvector('english', ${m.body}),
              public_search = coalesce(t.public_search, to_tsvector('english', t.subject) ||
                coalesce((SELECT to_tsvector('english', string_agg(x.body, ' ' ORDER BY x.id))
                            FROM ticket_messages x
                           WHERE x.ticket_id = t.id AND x.kind <> 'internal_note'), ''))
            WHERE t.id = ${m.ticketId}`
        : // the body's vector computed once for both (to_tsvector is most of this statement's
          // cost; OFFSET 0 keeps the planner from copying the call into each SET expression)
          sql`UPDATE tickets t SET search = t.search || v.vector, public_search = t.public_search || v.vector
             FROM (SELECT to_tsvector('english', ${m.body}) AS vector OFFSET 0) v
            WHERE t.id = ${m.ticketId}`
    ).execute(db(tx));
    return message;
  }

  /** The mail envelope of a public reply, queued in the reply's transaction (sent by the worker). */
  async queueReplyMail(tx: Tx, messageId: string, mailMessageId: string, cc: string[]) {
    await db(tx)
      // eslint-disable-next-line staydesk/own-tables -- a public reply and its outgoing-mail row commit together, and email depends on tickets (a hook would invert it); to move with that hook
      .insertInto('messageMail')
      .values({
        ticketMessageId: messageId,
        direction: 'out',
        messageId: mailMessageId,
        ccAddresses: cc,
        status: 'queued',
      })
      .execute();
  }

  /**
   * Picks the agent a new ticket of the team goes to, or null (mode none, or nobody available
   * under the cap). With automatic assignment on, the team row is locked (FOR NO KEY UPDATE, so
   * tickets referencing the team can still be inserted) until the caller's transaction ends:
   * concurrent creates in one team pick one after another, each seeing the tickets the previous
   * one committed, so no agent passes the cap. With it off (mode none, the default) nothing is
   * locked: creates in one team do not wait for each other. Open = new, open, pending or on hold.
   */
  async pickAutoAssignee(
    tx: Tx,
    teamId: string,
  ): Promise<{ userId: string; mode: string; cap: number } | null> {
    // a team without automatic assignment is not locked (a row the WHERE leaves out is not);
    // one switched on concurrently counts from the creates that start after its commit
    const team = await db(tx)
      .selectFrom('teams')
      .select(['teams.assignmentMode as mode', 'teams.assignmentCap as cap'])
      .where('teams.id', '=', teamId)
      .where('teams.assignmentMode', '<>', 'none')
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (!team) return null;
    // an agent in several teams (user_teams) is a candidate in each; the cap counts their open
    // tickets of every team. The team lock does not serialize picks of two teams, so the pick
    // locks its agent and counts again (a statement after the lock sees what another team's
    // pick committed): over the cap, the next agent is tried.
    const skipped: string[] = [];
    for (;;) {
      const { rows: picked } = await sql<{ id: string }>`SELECT u.id::text FROM users u
           LEFT JOIN tickets t ON t.assignee_id = u.id AND t.status IN ('new', 'open', 'pending', 'on_hold')
          WHERE u.id IN (SELECT ut.user_id FROM user_teams ut WHERE ut.team_id = ${teamId})
            AND u.active AND u.availability = 'available'
            AND u.role IN ('agent', 'team_lead') AND u.id <> ALL(${skipped}::bigint[])
          GROUP BY u.id, u.last_auto_assigned_at
         HAVING count(t.id) < ${team.cap}
          ORDER BY CASE WHEN ${team.mode} = 'least_open' THEN count(t.id) ELSE 0 END,
                   u.last_auto_assigned_at NULLS FIRST, u.id
          LIMIT 1`.execute(db(tx));
      if (!picked[0]) return null;
      await this.identitySettings.markAutoAssigned(tx, picked[0].id);
      // a second statement: its snapshot is taken after the row lock was granted
      const { open } = await db(tx)
        .selectFrom('tickets')
        .select(sql<number>`count(*)::int`.as('open'))
        .where('tickets.assigneeId', '=', picked[0].id)
        .where(
          (eb) =>
            sql<boolean>`${eb.ref('tickets.status')} IN ('new', 'open', 'pending', 'on_hold')`,
        )
        .executeTakeFirstOrThrow();
      if (open < team.cap) return { userId: picked[0].id, mode: team.mode, cap: team.cap };
      skipped.push(picked[0].id);
    }
  }
}

/** A new ticket for `insertCreatedResolving`: the statement reads its customer and policy. */
export type ResolvingTicket = Omit<
  NewTicket,
  'customerId' | 'slaPolicyId' | 'firstResponseDueAt' | 'resolutionDueAt' | 'nextDueAt' | 'teamId'
> & { customerId: string | null };

/** What a new ticket's statement writes besides the ticket, as its parameters. */
export interface CreatedRows {
  /** the ticket's events, audit rows and outbox rows as JSON arrays */
  events: string;
  audits: string;
  outbox: string;
  traceContext: Record<string, string> | null;
  /** the version the folded updates reach */
  version: number;
}

export type ResolvingValues = ResolvingTicket & { teamId: null } & CreatedRows;

function createdRows(
  events: NewEvents,
  audit: AuditInput,
  outbox: OutboxInput,
  updates: FoldedUpdate[],
): CreatedRows {
  return {
    events: JSON.stringify(
      events.map((e) => ({
        actor_id: e.actorId,
        type: e.type,
        from_value: e.fromValue,
        to_value: e.toValue,
        created_at: e.createdAt,
      })),
    ),
    // in order: the creation's row first, then one per folded update
    audits: JSON.stringify([
      audit,
      ...updates.map((u) => ({
        actorId: u.actorId,
        action: 'ticket.update',
        details: { changed: u.changes.map((c) => c.type) },
      })),
    ]),
    outbox: JSON.stringify([
      { type: outbox.type, extra: {} },
      ...updates.map((u) => ({ type: 'ticket.updated', extra: { changes: u.changes } })),
    ]),
    traceContext: outbox.traceContext,
    version: 1 + updates.length,
  };
}

/**
 * The shared write of `insertCreated*`: `source` is a one-row SELECT giving customer_id,
 * requester_id, sla_policy_id, fr_due, res_due and next_due; the ticket's other columns, its
 * events, the audit row and the outbox row are inserted from it in the same statement.
 * `r`'s folded updates (creation rules) are written as `updateInTx` would have written them
 * after the insert: each one moves the version on and adds its audit row and its
 * `ticket.updated` outbox row after the creation's (their events are in `r.events`).
 * Neither branches on a value: `compileWithSlots` builds it once with stand-ins.
 */
function createdStatement(t: NewTicketColumns, source: RawBuilder<unknown>, r: CreatedRows) {
  // eslint-disable-next-line staydesk/own-tables -- createTicket's one INSERT … SELECT writes its audit and outbox rows in the same statement (decision 43)
  return sql<TicketRecord>`WITH src AS (${source}), t AS (
       INSERT INTO tickets AS t (customer_id, requester_id, ${NEW_COLUMNS_SQL}, sla_policy_id,
          first_response_due_at, resolution_due_at, next_due_at, created_at, updated_at, last_message_at,
          search, version)
       SELECT src.customer_id, src.requester_id, ${newColumnValues(t)}, src.sla_policy_id,
              src.fr_due, src.res_due, src.next_due, ${t.createdAt}, ${t.createdAt}, ${t.lastMessageAt},
              to_tsvector('english', ${t.subject}), ${r.version}::int
         FROM src
       RETURNING ${TICKET_COLUMNS_SQL}
     ), e AS (
       INSERT INTO ticket_events (ticket_id, actor_id, type, from_value, to_value, created_at)
       SELECT t.id::bigint, x.actor_id, x.type, x.from_value, x.to_value, x.created_at
         FROM t, jsonb_to_recordset(${r.events}::jsonb)
              AS x(actor_id bigint, type text, from_value text, to_value text, created_at timestamptz)
     ), a AS (
       INSERT INTO audit_log (actor_id, action, entity, entity_id, details)
       SELECT (x.v->>'actorId')::bigint, x.v->>'action', 'ticket', t.id::text, x.v->'details'
         FROM t, jsonb_array_elements(${r.audits}::jsonb) WITH ORDINALITY AS x(v, n)
        ORDER BY x.n
     ), o AS (
       INSERT INTO outbox (type, payload, trace_context)
       SELECT x.v->>'type',
              jsonb_build_object('ticketId', t.id::text, 'customerId', t.customer_id::text) || (x.v->'extra'),
              ${r.traceContext}
         FROM t, jsonb_array_elements(${r.outbox}::jsonb) WITH ORDINALITY AS x(v, n)
        ORDER BY x.n
     )
     SELECT * FROM t`;
}

/**
 * `insertCreatedResolving`'s source: the requester (which must belong to `customerId` when one
 * is given), its customer's tier, the applicable SLA policy (the same ordering as
 * `createContext` and `policyFor`) and the due times (`createdAt` + the policy's minutes:
 * without a team there is no business-hours calendar). `current`: conditions under which the
 * caller's decisions hold (a hook's cache, checked in this statement's snapshot); when one fails
 * nothing is inserted, as for an unknown contact. next_due_at as ticket-rules' nextDueAt for a
 * new ticket: the first-response target until it is met, then the resolution target (no pause,
 * no next-reply clock yet).
 */
function resolvingSource(t: ResolvingTicket, current: RawBuilder<boolean>[]) {
  const holds = current.length ? sql` AND ${sql.join(current, sql` AND `)}` : sql``;
  return sql`SELECT x.*, CASE WHEN ${t.firstResponseAt}::timestamptz IS NULL AND x.fr_due IS NOT NULL THEN x.fr_due
                    ELSE x.res_due END AS next_due
     FROM (SELECT ct.customer_id, ct.id AS requester_id, p.id AS sla_policy_id,
                  ${t.createdAt}::timestamptz + make_interval(mins => p.first_response_minutes) AS fr_due,
                  ${t.createdAt}::timestamptz + make_interval(mins => p.resolution_minutes) AS res_due
             FROM contacts ct JOIN customers c ON c.id = ct.customer_id
             LEFT JOIN LATERAL (
               SELECT id, first_response_minutes, resolution_minutes FROM sla_policies
                WHERE ${policyMatches(t.priority, t.channel, sql`c.tier`)}
                ORDER BY ${MOST_SPECIFIC_POLICY}
                LIMIT 1) p ON true
            WHERE ct.id = ${t.requesterId}::bigint
              AND (${t.customerId}::bigint IS NULL OR ct.customer_id = ${t.customerId}::bigint)${holds}) x`;
}

/**
 * createTicket's one statement (`insertCreatedResolving`), built and compiled once per `current`
 * condition object (a hook keeps one per cached state) and sent as a named prepared statement:
 * building and compiling it cost 5–7 % of the api's busy CPU under createTicket load, and
 * PostgreSQL parsed and planned it on every call (issue 19). Identical text and parameters to
 * building it per call (a spec compares them).
 */
const resolvingStatements = new WeakMap<
  object,
  (v: ResolvingValues) => CompiledQuery<TicketRecord>
>();
const NO_CONDITION = {};
export function resolvingStatement(
  current: RawBuilder<boolean>[],
): (v: ResolvingValues) => CompiledQuery<TicketRecord> {
  const build = () =>
    named(
      'create_ticket',
      compileWithSlots<ResolvingValues, TicketRecord>((v) =>
        createdStatement(v, resolvingSource(v, current), v),
      ),
    );
  if (current.length > 1) return build();
  const key = current[0] ?? NO_CONDITION;
  let statement = resolvingStatements.get(key);
  if (!statement) resolvingStatements.set(key, (statement = build()));
  return statement;
}

/** The same statement built and compiled on this call (what the compiled-once one must equal). */
export function resolvingStatementPerCall(
  v: ResolvingValues,
  current: RawBuilder<boolean>[],
): RawBuilder<TicketRecord> {
  return createdStatement(v, resolvingSource(v, current), v);
}
