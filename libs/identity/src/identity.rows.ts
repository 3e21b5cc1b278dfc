import { ExpressionBuilder, sql } from 'kysely';
import { DB, Keyset } from '@staydesk/core';
import type { Role } from './roles';

/**
 * Identity's row types and the columns that read them: for the typed query builder
 * (identity.repository.ts), and {@link USER_COLUMNS}, the same user columns as raw SQL for
 * hand-written statements elsewhere.
 */

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** Home team: one of `teamIds`, the default of "my team" views (null: in no team). */
  teamId: string | null;
  /** Every team the user belongs to (memberships, `user_teams`), by id. */
  teamIds: string[];
  active: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
  /** Part of every token; bumped by a password change so older tokens stop working. */
  tokenVersion: number;
}

export interface UserAuthRow extends UserRow {
  passwordHash: string;
}

export interface TeamRow {
  id: string;
  name: string;
  timezone: string | null;
  businessHours: Record<string, [string, string][]> | null;
  /** Closed days of the calendar: [{ date: 'YYYY-MM-DD', name }], by date. */
  holidays: { date: string; name: string }[];
  isPrivate: boolean;
  leadId: string | null;
  createdAt: Date;
}

/**
 * The columns of a {@link UserRow} as raw SQL over `users` unaliased (the memberships' subquery
 * names `users.id`). Only for hand-written SQL elsewhere (tickets.sql.ts reads the assignee with
 * it); this repository selects {@link userColumns}, the same columns through the typed builder.
 */
export const USER_COLUMNS = `id::text, email, name, role, team_id::text AS "teamId",
  ARRAY(SELECT ut.team_id::text FROM user_teams ut WHERE ut.user_id = users.id ORDER BY ut.team_id) AS "teamIds", active,
  created_at AS "createdAt", last_login_at AS "lastLoginAt", token_version AS "tokenVersion"`;

/**
 * The user's memberships, ordered by the team id (the bigint column, not its text): one
 * correlated subquery per row, as in {@link USER_COLUMNS}.
 */
const teamIdsOf = (eb: ExpressionBuilder<DB, 'users'>) =>
  sql<string[]>`ARRAY(${eb
    .selectFrom('userTeams')
    .select((t) => sql<string>`${t.ref('userTeams.teamId')}::text`.as('teamId'))
    .whereRef('userTeams.userId', '=', 'users.id')
    .orderBy('userTeams.teamId')})`;

/** The columns of a {@link UserRow}; qualified, so they also serve RETURNING. */
export function userColumns(eb: ExpressionBuilder<DB, 'users'>) {
  return [
    'users.id',
    'users.email',
    'users.name',
    'users.role',
    'users.teamId',
    teamIdsOf(eb).as('teamIds'),
    'users.active',
    'users.createdAt',
    'users.lastLoginAt',
    'users.tokenVersion',
  ] as const;
}

/**
 * The columns of a {@link TeamRow}. The jsonb columns are read as text and parsed
 * ({@link toTeam}): the builder's CamelCasePlugin would rename keys inside JSON objects.
 */
export function teamColumns(eb: ExpressionBuilder<DB, 'teams'>) {
  return [
    'teams.id',
    'teams.name',
    'teams.timezone',
    sql<string | null>`${eb.ref('teams.businessHours')}::text`.as('businessHoursText'),
    sql<string>`${eb.ref('teams.holidays')}::text`.as('holidaysText'),
    'teams.isPrivate',
    'teams.leadId',
    'teams.createdAt',
  ] as const;
}

interface TeamSqlRow {
  id: string;
  name: string;
  timezone: string | null;
  businessHoursText: string | null;
  holidaysText: string;
  isPrivate: boolean;
  leadId: string | null;
  createdAt: Date;
}

export function toTeam(r: TeamSqlRow): TeamRow {
  return {
    id: r.id,
    name: r.name,
    timezone: r.timezone,
    businessHours:
      r.businessHoursText === null
        ? null
        : (JSON.parse(r.businessHoursText) as TeamRow['businessHours']),
    holidays: JSON.parse(r.holidaysText) as TeamRow['holidays'],
    isPrivate: r.isPrivate,
    leadId: r.leadId,
    createdAt: r.createdAt,
  };
}

/** A team's writable columns, jsonb as JSON text. */
export function teamValues(t: Omit<TeamRow, 'id' | 'createdAt'>) {
  return {
    name: t.name,
    timezone: t.timezone,
    businessHours: t.businessHours ? JSON.stringify(t.businessHours) : null,
    isPrivate: t.isPrivate,
    leadId: t.leadId,
    holidays: JSON.stringify(t.holidays ?? []),
  };
}

/** Users by name: cursor = [name, id], compared as (lower(name), id). */
export type UserCursor = [string, string];
export const USER_KEYSET = new Keyset<UserCursor>('user_name', [
  { kind: 'text', wrap: (v) => `lower(${v})` },
  { kind: 'id' },
]);
