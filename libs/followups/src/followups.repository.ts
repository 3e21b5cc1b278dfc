import { Injectable } from '@nestjs/common';
import { ExpressionBuilder, sql } from 'kysely';
import { DB, Tx, conflict, db, pgCode } from '@staydesk/core';

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

/** The columns of a {@link FollowUpRow}; qualified, so they also serve RETURNING and joins. */
function followUpColumns(eb: ExpressionBuilder<DB, 'followUps'>) {
  return [
    'followUps.id',
    'followUps.customerId',
    'followUps.ticketId',
    'followUps.ownerId',
    'followUps.kind',
    'followUps.status',
    'followUps.dueAt',
    'followUps.note',
    'followUps.outcome',
    'followUps.createdById',
    'followUps.createdAt',
    'followUps.completedAt',
    'followUps.remindedAt',
    overdue(eb).as('overdue'),
    dueKey(eb).as('dueKey'),
  ] as const;
}

/** Open and due before now (database clock). */
const overdue = (eb: ExpressionBuilder<DB, 'followUps'>) =>
  sql<boolean>`(${eb.ref('followUps.status')} = 'open' AND ${eb.ref('followUps.dueAt')} < now())`;

/** `due_at` with microseconds, for keyset cursors. */
const dueKey = (eb: ExpressionBuilder<DB, 'followUps'>) =>
  sql<string>`to_char(${eb.ref('followUps.dueAt')} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function rethrowForeignKey(err: unknown): never {
  if (pgCode(err) === '23503') {
    throw conflict(
      'a referenced customer, ticket or user does not exist (it may have been removed)',
    );
  }
  throw err;
}

/**
 * SQL for follow-ups, written with the typed query builder ({@link db}): every table and column
 * is checked against the migrated schema (`db.generated.ts`), and each method's result against
 * its row type.
 */
@Injectable()
export class FollowUpsRepository {
  async byIds(tx: Tx, ids: readonly string[]): Promise<FollowUpRow[]> {
    if (ids.length === 0) return [];
    return db(tx)
      .selectFrom('followUps')
      .select(followUpColumns)
      .where('followUps.id', 'in', [...ids])
      .execute();
  }

  /** Open follow-ups of one kind on a customer, locked for a change. */
  async lockOpenForCustomer(
    tx: Tx,
    customerId: string,
    kind: FollowUpKind,
  ): Promise<FollowUpRow[]> {
    return db(tx)
      .selectFrom('followUps')
      .select(followUpColumns)
      .where('followUps.customerId', '=', customerId)
      .where('followUps.kind', '=', kind)
      .where('followUps.status', '=', 'open')
      .orderBy('followUps.dueAt')
      .orderBy('followUps.id')
      .forUpdate()
      .execute();
  }

  async lockById(tx: Tx, id: string): Promise<FollowUpRow | null> {
    const row = await db(tx)
      .selectFrom('followUps')
      .select(followUpColumns)
      .where('followUps.id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row ?? null;
  }

  /** Follow-ups ordered by (due_at, id) ascending, strictly after the keyset `after`. */
  async list(
    tx: Tx,
    filter: FollowUpListFilter,
    after: { dueKey: string; id: string } | null,
    limit: number,
  ): Promise<FollowUpRow[]> {
    let q = db(tx).selectFrom('followUps').select(followUpColumns);
    if (filter.ownerId) q = q.where('followUps.ownerId', '=', filter.ownerId);
    if (filter.status) q = q.where('followUps.status', '=', filter.status);
    if (filter.overdue === true) q = q.where(overdue);
    if (filter.overdue === false) q = q.where((eb) => eb.not(overdue(eb)));
    if (filter.customerId) q = q.where('followUps.customerId', '=', filter.customerId);
    if (filter.ticketId) q = q.where('followUps.ticketId', '=', filter.ticketId);
    if (filter.dueBefore) q = q.where('followUps.dueAt', '<', filter.dueBefore);
    const hidden = filter.hiddenTeamIds ?? [];
    if (hidden.length) {
      q = q.where((eb) =>
        eb.or([
          eb('followUps.ticketId', 'is', null),
          eb.not(
            eb.exists(
              eb
                .selectFrom('tickets')
                .select(sql.lit(1).as('one'))
                .whereRef('tickets.id', '=', 'followUps.ticketId')
                .where('tickets.teamId', 'in', hidden),
            ),
          ),
        ]),
      );
    }
    if (after) {
      q = q.where(
        (eb) =>
          sql<boolean>`(${eb.ref('followUps.dueAt')}, ${eb.ref('followUps.id')}) > (${after.dueKey}::timestamptz, ${after.id}::bigint)`,
      );
    }
    return q
      .orderBy('followUps.dueAt', 'asc')
      .orderBy('followUps.id', 'asc')
      .limit(limit)
      .execute();
  }

  async insert(tx: Tx, f: NewFollowUp): Promise<FollowUpRow> {
    try {
      return await db(tx)
        .insertInto('followUps')
        .values({
          customerId: f.customerId,
          ticketId: f.ticketId,
          ownerId: f.ownerId,
          kind: f.kind,
          dueAt: f.dueAt,
          note: f.note,
          createdById: f.createdById,
          surveyId: f.surveyId ?? null,
        })
        .returning(followUpColumns)
        .executeTakeFirstOrThrow();
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
    return db(tx)
      .updateTable('followUps')
      .set({ status, outcome, completedAt: sql<Date>`now()` })
      .where('followUps.id', '=', id)
      .returning(followUpColumns)
      .executeTakeFirstOrThrow();
  }

  /** Open follow-ups about `fromTicketId` now concern `toTicketId` (a merge); closed ones stay. */
  async moveOpenToTicket(tx: Tx, fromTicketId: string, toTicketId: string): Promise<void> {
    await db(tx)
      .updateTable('followUps')
      .set({ ticketId: toTicketId })
      .where('followUps.ticketId', '=', fromTicketId)
      .where('followUps.status', '=', 'open')
      .execute();
  }

  /** Moves the due time and clears `reminded_at`, so the owner is reminded again when it falls due. */
  async reschedule(tx: Tx, id: string, dueAt: Date): Promise<FollowUpRow> {
    return db(tx)
      .updateTable('followUps')
      .set({ dueAt, remindedAt: null })
      .where('followUps.id', '=', id)
      .returning(followUpColumns)
      .executeTakeFirstOrThrow();
  }

  async ownerById(tx: Tx, id: string): Promise<OwnerRow | null> {
    const row = await db(tx)
      .selectFrom('users')
      .select(['users.id', 'users.name', 'users.email', 'users.active'])
      .where('users.id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  /** The ticket's customer; null when there is no such ticket or it is in a hidden team. */
  async customerOfTicket(
    tx: Tx,
    ticketId: string,
    hiddenTeamIds: string[] = [],
  ): Promise<string | null> {
    let q = db(tx)
      .selectFrom('tickets')
      .select('tickets.customerId')
      .where('tickets.id', '=', ticketId);
    if (hiddenTeamIds.length) {
      q = q.where((eb) =>
        eb.or([eb('tickets.teamId', 'is', null), eb('tickets.teamId', 'not in', hiddenTeamIds)]),
      );
    }
    const row = await q.executeTakeFirst();
    return row?.customerId ?? null;
  }

  async customerExists(tx: Tx, customerId: string): Promise<boolean> {
    const row = await db(tx)
      .selectFrom('customers')
      .select('customers.id')
      .where('customers.id', '=', customerId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Open follow-ups that fell due and were not reminded yet, oldest due first (partial index). */
  async dueForReminder(tx: Tx, limit: number): Promise<{ id: string; dueKey: string }[]> {
    return db(tx)
      .selectFrom('followUps')
      .select((eb) => ['followUps.id', dueKey(eb).as('dueKey')])
      .where('followUps.status', '=', 'open')
      .where('followUps.dueAt', '<=', sql<Date>`now()`)
      .where('followUps.remindedAt', 'is', null)
      .orderBy('followUps.dueAt', 'asc')
      .orderBy('followUps.id', 'asc')
      .limit(limit)
      .execute();
  }

  async forReminder(tx: Tx, id: string): Promise<ReminderRow | null> {
    const row = await db(tx)
      .selectFrom('followUps')
      .innerJoin('users', 'users.id', 'followUps.ownerId')
      .innerJoin('customers', 'customers.id', 'followUps.customerId')
      .select(followUpColumns)
      .select([
        'users.name as ownerName',
        'users.email as ownerEmail',
        'users.active as ownerActive',
        'customers.name as customerName',
      ])
      .where('followUps.id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Sets `reminded_at` once; false when it was already set (or the row is gone). */
  async markReminded(tx: Tx, id: string): Promise<boolean> {
    const row = await db(tx)
      .updateTable('followUps')
      .set({ remindedAt: sql<Date>`now()` })
      .where('followUps.id', '=', id)
      .where('followUps.remindedAt', 'is', null)
      .returning('followUps.id')
      .executeTakeFirst();
    return row !== undefined;
  }
}
