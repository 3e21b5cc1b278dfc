import { Injectable } from '@nestjs/common';
import { Tx, escapeLike, returnedRows } from '@staydesk/core';

export const MACRO_SCOPES = ['personal', 'team', 'global'] as const;
export type MacroScope = (typeof MACRO_SCOPES)[number];
export const AVAILABILITIES = ['available', 'away'] as const;
export type Availability = (typeof AVAILABILITIES)[number];
export const ASSIGNMENT_MODES = ['none', 'round_robin', 'least_open'] as const;
export type AssignmentMode = (typeof ASSIGNMENT_MODES)[number];

/** What a macro does to a ticket besides replying (every key optional). */
export interface MacroActions {
  status?: string;
  priority?: string;
  teamId?: string | null;
  assigneeId?: string | null;
  addTags?: string[];
  removeTags?: string[];
  note?: string;
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

const MACRO_COLUMNS = `m.id::text, m.name, m.body, m.actions, m.scope, m.owner_id::text AS "ownerId",
  m.team_id::text AS "teamId", m.usage_count AS "usageCount", m.last_used_at AS "lastUsedAt",
  m.created_by_id::text AS "createdById", m.created_at AS "createdAt", m.updated_at AS "updatedAt"`;

const VIEW_COLUMNS = `v.id::text, v.name, v.filter, v.order_by AS "orderBy", v.owner_id::text AS "ownerId",
  v.team_id::text AS "teamId", v.position, v.created_by_id::text AS "createdById",
  v.created_at AS "createdAt", v.updated_at AS "updatedAt"`;

/** Macros, saved views, availability and team assignment settings. */
@Injectable()
export class AutomationsRepository {
  async macroById(tx: Tx, id: string): Promise<MacroRow | null> {
    const rows: MacroRow[] = await tx.query(
      `SELECT ${MACRO_COLUMNS} FROM macros m WHERE m.id = $1`,
      [id],
    );
    return rows[0] ?? null;
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
    return tx.query(
      `SELECT ${MACRO_COLUMNS} FROM macros m
        WHERE (m.scope = 'global'
               OR (m.scope = 'personal' AND m.owner_id = $1::bigint)
               OR (m.scope = 'team' AND ($2::boolean OR m.team_id = ANY($3::bigint[]))))
          AND ($4::text IS NULL OR m.name ILIKE $4)
        ORDER BY m.usage_count DESC, lower(m.name), m.id
        LIMIT $5`,
      [
        who.userId,
        who.allTeams,
        who.teamIds,
        search === null ? null : `%${escapeLike(search)}%`,
        limit,
      ],
    );
  }

  async insertMacro(tx: Tx, m: NewMacro, createdById: string): Promise<MacroRow> {
    const rows: MacroRow[] = await tx.query(
      `INSERT INTO macros AS m (name, body, actions, scope, owner_id, team_id, created_by_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${MACRO_COLUMNS}`,
      [m.name, m.body, JSON.stringify(m.actions), m.scope, m.ownerId, m.teamId, createdById],
    );
    return rows[0];
  }

  async updateMacro(tx: Tx, id: string, m: NewMacro): Promise<MacroRow> {
    const rows = returnedRows<MacroRow>(
      await tx.query(
        `UPDATE macros AS m SET name = $2, body = $3, actions = $4, scope = $5, owner_id = $6,
           team_id = $7, updated_at = now() WHERE m.id = $1 RETURNING ${MACRO_COLUMNS}`,
        [id, m.name, m.body, JSON.stringify(m.actions), m.scope, m.ownerId, m.teamId],
      ),
    );
    return rows[0];
  }

  async deleteMacro(tx: Tx, id: string): Promise<void> {
    await tx.query(`DELETE FROM macros WHERE id = $1`, [id]);
  }

  async countUse(tx: Tx, id: string): Promise<void> {
    await tx.query(
      `UPDATE macros SET usage_count = usage_count + 1, last_used_at = now() WHERE id = $1`,
      [id],
    );
  }

  async setAvailability(tx: Tx, userId: string, availability: Availability): Promise<void> {
    await tx.query(`UPDATE users SET availability = $2 WHERE id = $1`, [userId, availability]);
  }

  async availability(tx: Tx, userId: string): Promise<Availability> {
    const rows: { availability: Availability }[] = await tx.query(
      `SELECT availability FROM users WHERE id = $1`,
      [userId],
    );
    return rows[0]?.availability ?? 'available';
  }

  async setTeamAssignment(tx: Tx, a: TeamAssignmentRow): Promise<TeamAssignmentRow | null> {
    const rows = returnedRows<TeamAssignmentRow>(
      await tx.query(
        `UPDATE teams SET assignment_mode = $2, assignment_cap = $3 WHERE id = $1
         RETURNING id::text AS "teamId", assignment_mode AS mode, assignment_cap AS cap`,
        [a.teamId, a.mode, a.cap],
      ),
    );
    return rows[0] ?? null;
  }

  async viewById(tx: Tx, id: string, lock = false): Promise<SavedViewRow | null> {
    const rows: SavedViewRow[] = await tx.query(
      `SELECT ${VIEW_COLUMNS} FROM saved_views v WHERE v.id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** The user's personal views, then their teams' shared ones, each in sidebar order. */
  async visibleViews(tx: Tx, userId: string, teamIds: string[]): Promise<SavedViewRow[]> {
    return tx.query(
      `SELECT ${VIEW_COLUMNS} FROM saved_views v
        WHERE v.owner_id = $1::bigint OR v.team_id = ANY($2::bigint[])
        ORDER BY (v.owner_id IS NULL), v.position, v.id`,
      [userId, teamIds],
    );
  }

  async insertView(tx: Tx, v: NewSavedView, createdById: string): Promise<SavedViewRow> {
    const rows: SavedViewRow[] = await tx.query(
      `INSERT INTO saved_views AS v (name, filter, order_by, owner_id, team_id, position, created_by_id)
       VALUES ($1, $2, $3, $4, $5,
         (SELECT coalesce(max(position) + 1, 0) FROM saved_views
           WHERE owner_id IS NOT DISTINCT FROM $4::bigint AND team_id IS NOT DISTINCT FROM $5::bigint),
         $6) RETURNING ${VIEW_COLUMNS}`,
      [v.name, JSON.stringify(v.filter), v.orderBy, v.ownerId, v.teamId, createdById],
    );
    return rows[0];
  }

  async updateView(
    tx: Tx,
    id: string,
    v: Pick<SavedViewRow, 'name' | 'filter' | 'orderBy'>,
  ): Promise<SavedViewRow> {
    const rows = returnedRows<SavedViewRow>(
      await tx.query(
        `UPDATE saved_views AS v SET name = $2, filter = $3, order_by = $4, updated_at = now()
          WHERE v.id = $1 RETURNING ${VIEW_COLUMNS}`,
        [id, v.name, JSON.stringify(v.filter), v.orderBy],
      ),
    );
    return rows[0];
  }

  async deleteView(tx: Tx, id: string): Promise<void> {
    await tx.query(`DELETE FROM saved_views WHERE id = $1`, [id]);
  }

  /** Locks one sidebar group (a user's personal views, or a team's) for reordering. */
  async lockGroup(tx: Tx, owner: { ownerId: string | null; teamId: string | null }) {
    const rows: { id: string }[] = await tx.query(
      `SELECT id::text FROM saved_views
        WHERE owner_id IS NOT DISTINCT FROM $1::bigint AND team_id IS NOT DISTINCT FROM $2::bigint
        ORDER BY position, id FOR UPDATE`,
      [owner.ownerId, owner.teamId],
    );
    return rows.map((r) => r.id);
  }

  async setPositions(tx: Tx, ids: string[]): Promise<void> {
    await tx.query(
      `UPDATE saved_views v SET position = o.pos - 1, updated_at = now()
         FROM unnest($1::bigint[]) WITH ORDINALITY AS o(id, pos) WHERE v.id = o.id`,
      [ids],
    );
  }
}
