import { Tx, returnedRows } from '@staydesk/core';
import type { Channel, Priority } from './ticket-rules';
import {
  EventRow,
  MESSAGE_COLUMNS,
  MessageRow,
  NewTicketColumns,
  SLA_COLUMNS,
  SlaPolicyRow,
  TICKET_COLUMNS,
  TicketRow,
  rethrowFk,
} from './tickets.sql';

/** The tickets repository's writes: new tickets (with their context), changes, messages and history. */
export abstract class TicketWriteQueries {
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
    t: Parameters<TicketWriteQueries['insert']>[1],
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
      Parameters<TicketWriteQueries['insert']>[1],
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
  protected async insertCreatedSql(
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
}
