import { Injectable } from '@nestjs/common';
import { ExpressionBuilder, sql } from 'kysely';
import { DB, Tx, db, escapeLike } from '@staydesk/core';
import type { TicketActions } from './ticket-actions';

export const MACRO_SCOPES = ['personal', 'team', 'global'] as const;
export type MacroScope = (typeof MACRO_SCOPES)[number];
export const AVAILABILITIES = ['available', 'away'] as const;
export type Availability = (typeof AVAILABILITIES)[number];
export const ASSIGNMENT_MODES = ['none', 'round_robin', 'least_open'] as const;
export type AssignmentMode = (typeof ASSIGNMENT_MODES)[number];

/** What a macro does to a ticket besides replying (every key optional). */
export interface MacroActions extends TicketActions {
  status?: string;
}

export interface MacroRow {
  id: string;
  name: string;
  body: string | null;
  actions: MacroActions;
  scope: MacroScope;
  ownerId: string | null;
  teamId: string | null;
  usageCount: number;
  lastUsedAt: Date | null;
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewMacro = Pick<MacroRow, 'name' | 'body' | 'actions' | 'scope' | 'ownerId' | 'teamId'>;

export interface SavedViewRow {
  id: string;
  name: string;
  filter: Record<string, unknown>;
  orderBy: string;
  ownerId: string | null;
  teamId: string | null;
  position: number;
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewSavedView = Pick<SavedViewRow, 'name' | 'filter' | 'orderBy' | 'ownerId' | 'teamId'>;

export interface TeamAssignmentRow {
  teamId: string;
  mode: AssignmentMode;
  cap: number;
}

/** The columns of a {@link MacroRow}; `actions` as text (see {@link toMacro}). */
function macroColumns(eb: ExpressionBuilder<DB, 'macros'>) {
  return [
    'macros.id',
    'macros.name',
    'macros.body',
    sql<string>`${eb.ref('macros.actions')}::text`.as('actionsText'),
    'macros.scope',
    'macros.ownerId',
    'macros.teamId',
    'macros.usageCount',
    'macros.lastUsedAt',
    'macros.createdById',
    'macros.createdAt',
    'macros.updatedAt',
  ] as const;
}

/**
 * jsonb is read as text and parsed here: the builder's CamelCasePlugin would rename the keys of
 * a jsonb object it returned, and stored keys must come back as they were written.
 */
function toMacro<R extends { actionsText: string }>({ actionsText, ...r }: R) {
  return { ...r, actions: JSON.parse(actionsText) as MacroActions };
}

/** The columns of a {@link SavedViewRow}; `filter` as text (see {@link toView}). */
function viewColumns(eb: ExpressionBuilder<DB, 'savedViews'>) {
  return [
    'savedViews.id',
    'savedViews.name',
    sql<string>`${eb.ref('savedViews.filter')}::text`.as('filterText'),
    'savedViews.orderBy',
    'savedViews.ownerId',
    'savedViews.teamId',
    'savedViews.position',
    'savedViews.createdById',
    'savedViews.createdAt',
    'savedViews.updatedAt',
  ] as const;
}

/** A view's filter keeps its keys as given (custom field keys are snake_case): parsed from text. */
function toView<R extends { filterText: string }>({ filterText, ...r }: R) {
  return { ...r, filter: JSON.parse(filterText) as Record<string, unknown> };
}

/** One sidebar group: a user's personal views (`ownerId`) or a team's shared ones (`teamId`). */
function inGroup(
  eb: ExpressionBuilder<DB, 'savedViews'>,
  owner: { ownerId: string | null; teamId: string | null },
) {
  return eb.and([
    eb('savedViews.ownerId', 'is not distinct from', owner.ownerId),
    eb('savedViews.teamId', 'is not distinct from', owner.teamId),
  ]);
}

/**
 * Macros, saved views, availability and team assignment settings. SQL through the typed query
 * builder ({@link db}): tables and columns are checked against the migrated schema
 * (`db.generated.ts`), results against the row types; the reorder's `unnest` is a `sql` template.
 */
@Injectable()
export class AutomationsRepository {
  async macroById(tx: Tx, id: string): Promise<MacroRow | null> {
    const row = await db(tx)
      .selectFrom('macros')
      .select(macroColumns)
      .where('macros.id', '=', id)
      .executeTakeFirst();
    return row ? toMacro(row) : null;
  }

  /**
   * The macros a user may use: their own personal ones, their team's (or the team they lead)
   * and the global ones; `allTeams` (admins) sees every team's. Most used first.
   */
  async visibleMacros(
    tx: Tx,
    who: { userId: string; teamIds: string[]; allTeams: boolean },
    search: string | null,
    limit: number,
  ): Promise<MacroRow[]> {
    let q = db(tx)
      .selectFrom('macros')
      .select(macroColumns)
      .where((eb) =>
        eb.or([
          eb('macros.scope', '=', 'global'),
          eb.and([eb('macros.scope', '=', 'personal'), eb('macros.ownerId', '=', who.userId)]),
          eb.and([
            eb('macros.scope', '=', 'team'),
            eb.or([
              sql<boolean>`${who.allTeams}::boolean`,
              eb('macros.teamId', '=', sql<string>`any(${who.teamIds}::bigint[])`),
            ]),
          ]),
        ]),
      );
    if (search !== null) q = q.where('macros.name', 'ilike', `%${escapeLike(search)}%`);
    const rows = await q
      .orderBy('macros.usageCount', 'desc')
      .orderBy((eb) => eb.fn('lower', ['macros.name']))
      .orderBy('macros.id')
      .limit(limit)
      .execute();
    return rows.map(toMacro);
  }

  async insertMacro(tx: Tx, m: NewMacro, createdById: string): Promise<MacroRow> {
    const row = await db(tx)
      .insertInto('macros')
      .values({
        name: m.name,
        body: m.body,
        actions: JSON.stringify(m.actions),
        scope: m.scope,
        ownerId: m.ownerId,
        teamId: m.teamId,
        createdById,
      })
      .returning(macroColumns)
      .executeTakeFirstOrThrow();
    return toMacro(row);
  }

  async updateMacro(tx: Tx, id: string, m: NewMacro): Promise<MacroRow> {
    const row = await db(tx)
      .updateTable('macros')
      .set({
        name: m.name,
        body: m.body,
        actions: JSON.stringify(m.actions),
        scope: m.scope,
        ownerId: m.ownerId,
        teamId: m.teamId,
        updatedAt: sql<Date>`now()`,
      })
      .where('macros.id', '=', id)
      .returning(macroColumns)
      .executeTakeFirstOrThrow();
    return toMacro(row);
  }

  async deleteMacro(tx: Tx, id: string): Promise<void> {
    await db(tx).deleteFrom('macros').where('macros.id', '=', id).execute();
  }

  async countUse(tx: Tx, id: string): Promise<void> {
    await db(tx)
      .updateTable('macros')
      .set((eb) => ({
        usageCount: eb('macros.usageCount', '+', 1),
        lastUsedAt: sql<Date>`now()`,
      }))
      .where('macros.id', '=', id)
      .execute();
  }

  async availability(tx: Tx, userId: string): Promise<Availability> {
    const row = await db(tx)
      .selectFrom('users')
      .select('users.availability')
      .where('users.id', '=', userId)
      .executeTakeFirst();
    return row?.availability ?? 'available';
  }

  async viewById(tx: Tx, id: string, lock = false): Promise<SavedViewRow | null> {
    let q = db(tx).selectFrom('savedViews').select(viewColumns).where('savedViews.id', '=', id);
    if (lock) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row ? toView(row) : null;
  }

  /** The user's personal views, then their teams' shared ones, each in sidebar order. */
  async visibleViews(tx: Tx, userId: string, teamIds: string[]): Promise<SavedViewRow[]> {
    const rows = await db(tx)
      .selectFrom('savedViews')
      .select(viewColumns)
      .where((eb) =>
        eb.or([
          eb('savedViews.ownerId', '=', userId),
          eb('savedViews.teamId', '=', sql<string>`any(${teamIds}::bigint[])`),
        ]),
      )
      .orderBy((eb) => eb('savedViews.ownerId', 'is', null))
      .orderBy('savedViews.position')
      .orderBy('savedViews.id')
      .execute();
    return rows.map(toView);
  }

  async insertView(tx: Tx, v: NewSavedView, createdById: string): Promise<SavedViewRow> {
    const row = await db(tx)
      .insertInto('savedViews')
      .values((eb) => ({
        name: v.name,
        filter: JSON.stringify(v.filter),
        orderBy: v.orderBy,
        ownerId: v.ownerId,
        teamId: v.teamId,
        // last in its group
        position: eb
          .selectFrom('savedViews')
          .select((e) =>
            sql<number>`coalesce(max(${e.ref('savedViews.position')}) + 1, 0)`.as('next'),
          )
          .where((e) => inGroup(e, v))
          .$asScalar(),
        createdById,
      }))
      .returning(viewColumns)
      .executeTakeFirstOrThrow();
    return toView(row);
  }

  async updateView(
    tx: Tx,
    id: string,
    v: Pick<SavedViewRow, 'name' | 'filter' | 'orderBy'>,
  ): Promise<SavedViewRow> {
    const row = await db(tx)
      .updateTable('savedViews')
      .set({
        name: v.name,
        filter: JSON.stringify(v.filter),
        orderBy: v.orderBy,
        updatedAt: sql<Date>`now()`,
      })
      .where('savedViews.id', '=', id)
      .returning(viewColumns)
      .executeTakeFirstOrThrow();
    return toView(row);
  }

  async deleteView(tx: Tx, id: string): Promise<void> {
    await db(tx).deleteFrom('savedViews').where('savedViews.id', '=', id).execute();
  }

  /** Locks one sidebar group (a user's personal views, or a team's) for reordering. */
  async lockGroup(
    tx: Tx,
    owner: { ownerId: string | null; teamId: string | null },
  ): Promise<string[]> {
    const rows = await db(tx)
      .selectFrom('savedViews')
      .select('savedViews.id')
      .where((eb) => inGroup(eb, owner))
      .orderBy('savedViews.position')
      .orderBy('savedViews.id')
      .forUpdate()
      .execute();
    return rows.map((r) => r.id);
  }

  /** Positions 0, 1, 2 … in the order of `ids`, in one set-based statement. */
  async setPositions(tx: Tx, ids: string[]): Promise<void> {
    await sql`
      UPDATE saved_views v SET position = o.pos - 1, updated_at = now()
        FROM unnest(${ids}::bigint[]) WITH ORDINALITY AS o(id, pos) WHERE v.id = o.id`.execute(
      db(tx),
    );
  }
}
