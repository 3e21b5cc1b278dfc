import { Injectable } from '@nestjs/common';
import { Tx, conflict, pgCode } from '@staydesk/core';

export const FOLLOW_UP_KINDS = [
  'check_in',
  'bad_csat_recovery',
  'at_risk_outreach',
  'custom',
] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];
export const FOLLOW_UP_STATUSES = ['open', 'done', 'cancelled'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

export interface FollowUpRow {
  id: string;
  customerId: string;
  ticketId: string | null;
  ownerId: string;
  kind: FollowUpKind;
  status: FollowUpStatus;
  dueAt: Date;
  note: string | null;
  outcome: string | null;
  createdById: string | null;
  createdAt: Date;
  completedAt: Date | null;
  remindedAt: Date | null;
  /** Open and due before now (database clock). */
  overdue: boolean;
  /** `dueAt` with microseconds, for keyset cursors. */
  dueKey: string;
}

export interface NewFollowUp {
  customerId: string;
  ticketId: string | null;
  ownerId: string;
  kind: FollowUpKind;
  dueAt: Date;
  note: string | null;
  createdById: string | null;
  /** The survey answer that caused it (bad-CSAT recovery); one follow-up per survey at most. */
  surveyId?: string | null;
}

export interface FollowUpListFilter {
  ownerId?: string;
  status?: FollowUpStatus;
  overdue?: boolean;
  customerId?: string;
  ticketId?: string;
  dueBefore?: Date;
  /** Private teams whose tickets the caller may not read: follow-ups on those are left out. */
  hiddenTeamIds?: string[];
}

/** A user as far as follow-ups care: may they own one, and where do reminders go. */
export interface OwnerRow {
  id: string;
  name: string;
  email: string;
  active: boolean;
}

/** A follow-up with what a reminder e-mail needs. */
export interface ReminderRow extends FollowUpRow {
  ownerName: string;
  ownerEmail: string;
  ownerActive: boolean;
  customerName: string;
}

const COLUMNS = `f.id::text, f.customer_id::text AS "customerId", f.ticket_id::text AS "ticketId",
  f.owner_id::text AS "ownerId", f.kind, f.status, f.due_at AS "dueAt", f.note, f.outcome,
  f.created_by_id::text AS "createdById", f.created_at AS "createdAt", f.completed_at AS "completedAt",
  f.reminded_at AS "remindedAt", (f.status = 'open' AND f.due_at < now()) AS overdue,
  to_char(f.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "dueKey"`;

function rethrowForeignKey(err: unknown): never {
  if (pgCode(err) === '23503') {
    throw conflict(
      'a referenced customer, ticket or user does not exist (it may have been removed)',
    );
  }
  throw err;
}

/**
 * SQL for follow-ups. Note: TypeORM answers a bare UPDATE with `[rows, rowCount]` instead of the
 * rows, so every UPDATE here is wrapped in a CTE (`WITH f AS (UPDATE … RETURNING *) SELECT …`),
 * which makes `tx.query` return plain rows like any read.
 */
@Injectable()
export class FollowUpsRepository {
  async byIds(tx: Tx, ids: readonly string[]): Promise<FollowUpRow[]> {
    return tx.query(`SELECT ${COLUMNS} FROM follow_ups f WHERE f.id = ANY($1::bigint[])`, [ids]);
  }

  /** Open follow-ups of one kind on a customer, locked for a change. */
  async lockOpenForCustomer(
    tx: Tx,
    customerId: string,
    kind: FollowUpKind,
  ): Promise<FollowUpRow[]> {
    return tx.query(
      `SELECT ${COLUMNS} FROM follow_ups f
        WHERE f.customer_id = $1 AND f.kind = $2 AND f.status = 'open'
        ORDER BY f.due_at, f.id FOR UPDATE`,
      [customerId, kind],
    );
  }

  async lockById(tx: Tx, id: string): Promise<FollowUpRow | null> {
    const rows: FollowUpRow[] = await tx.query(
      `SELECT ${COLUMNS} FROM follow_ups f WHERE f.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Follow-ups ordered by (due_at, id) ascending, strictly after the keyset `after`. */
  async list(
    tx: Tx,
    filter: FollowUpListFilter,
    after: { dueKey: string; id: string } | null,
    limit: number,
  ): Promise<FollowUpRow[]> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (filter.ownerId) where.push(`f.owner_id = ${p(filter.ownerId)}`);
    if (filter.status) where.push(`f.status = ${p(filter.status)}`);
    if (filter.overdue === true) where.push(`f.status = 'open' AND f.due_at < now()`);
    if (filter.overdue === false) where.push(`NOT (f.status = 'open' AND f.due_at < now())`);
    if (filter.customerId) where.push(`f.customer_id = ${p(filter.customerId)}`);
    if (filter.ticketId) where.push(`f.ticket_id = ${p(filter.ticketId)}`);
    if (filter.dueBefore) where.push(`f.due_at < ${p(filter.dueBefore)}`);
    if (filter.hiddenTeamIds?.length) {
      where.push(
        `(f.ticket_id IS NULL OR NOT EXISTS (SELECT 1 FROM tickets ht WHERE ht.id = f.ticket_id AND ht.team_id = ANY(${p(filter.hiddenTeamIds)}::bigint[])))`,
      );
    }
    if (after) {
      where.push(`(f.due_at, f.id) > (${p(after.dueKey)}::timestamptz, ${p(after.id)}::bigint)`);
    }
    return tx.query(
      `SELECT ${COLUMNS} FROM follow_ups f
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY f.due_at ASC, f.id ASC LIMIT ${p(limit)}`,
      params,
    );
  }

  async insert(tx: Tx, f: NewFollowUp): Promise<FollowUpRow> {
    try {
      const rows: FollowUpRow[] = await tx.query(
        `INSERT INTO follow_ups AS f (customer_id, ticket_id, owner_id, kind, due_at, note, created_by_id, survey_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
        [
          f.customerId,
          f.ticketId,
          f.ownerId,
          f.kind,
          f.dueAt,
          f.note,
          f.createdById,
          f.surveyId ?? null,
        ],
      );
      return rows[0];
    } catch (err) {
      rethrowForeignKey(err);
    }
  }

  /** Closes an open follow-up as done or cancelled. */
  async close(
    tx: Tx,
    id: string,
    status: Exclude<FollowUpStatus, 'open'>,
    outcome: string | null,
  ): Promise<FollowUpRow> {
    const rows: FollowUpRow[] = await tx.query(
      `WITH f AS (
         UPDATE follow_ups SET status = $2, outcome = $3, completed_at = now() WHERE id = $1 RETURNING *
       ) SELECT ${COLUMNS} FROM f`,
      [id, status, outcome],
    );
    return rows[0];
  }

  /** Moves the due time and clears `reminded_at`, so the owner is reminded again when it falls due. */
  async reschedule(tx: Tx, id: string, dueAt: Date): Promise<FollowUpRow> {
    const rows: FollowUpRow[] = await tx.query(
      `WITH f AS (
         UPDATE follow_ups SET due_at = $2, reminded_at = NULL WHERE id = $1 RETURNING *
       ) SELECT ${COLUMNS} FROM f`,
      [id, dueAt],
    );
    return rows[0];
  }

  async ownerById(tx: Tx, id: string): Promise<OwnerRow | null> {
    const rows: OwnerRow[] = await tx.query(
      `SELECT id::text, name, email, active FROM users WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** The customer of a ticket, or null when the ticket does not exist. */
  /** The ticket's customer; null when there is no such ticket or it is in a hidden team. */
  async customerOfTicket(
    tx: Tx,
    ticketId: string,
    hiddenTeamIds: string[] = [],
  ): Promise<string | null> {
    const rows: { customerId: string }[] = await tx.query(
      `SELECT customer_id::text AS "customerId" FROM tickets
        WHERE id = $1 AND (team_id IS NULL OR team_id <> ALL($2::bigint[]))`,
      [ticketId, hiddenTeamIds],
    );
    return rows[0]?.customerId ?? null;
  }

  async customerExists(tx: Tx, customerId: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(`SELECT 1 FROM customers WHERE id = $1`, [customerId]);
    return rows.length > 0;
  }

  /** Open follow-ups that fell due and were not reminded yet, oldest due first (partial index). */
  async dueForReminder(tx: Tx, limit: number): Promise<{ id: string; dueKey: string }[]> {
    return tx.query(
      `SELECT f.id::text,
              to_char(f.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "dueKey"
         FROM follow_ups f
        WHERE f.status = 'open' AND f.due_at <= now() AND f.reminded_at IS NULL
        ORDER BY f.due_at ASC, f.id ASC
        LIMIT $1`,
      [limit],
    );
  }

  async forReminder(tx: Tx, id: string): Promise<ReminderRow | null> {
    const rows: ReminderRow[] = await tx.query(
      `SELECT ${COLUMNS}, u.name AS "ownerName", u.email AS "ownerEmail", u.active AS "ownerActive",
              c.name AS "customerName"
         FROM follow_ups f
         JOIN users u ON u.id = f.owner_id
         JOIN customers c ON c.id = f.customer_id
        WHERE f.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Sets `reminded_at` once; false when it was already set (or the row is gone). */
  async markReminded(tx: Tx, id: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `WITH u AS (
         UPDATE follow_ups SET reminded_at = now() WHERE id = $1 AND reminded_at IS NULL RETURNING id
       ) SELECT id::text FROM u`,
      [id],
    );
    return rows.length > 0;
  }
}
