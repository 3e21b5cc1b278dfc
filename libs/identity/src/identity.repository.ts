// Over 400 lines on purpose: users, teams, sign-in failures and password resets share the user row's columns; the settings other libraries write are in identity-settings.repository.ts.
import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import {
  Tx,
  compileOnly,
  conflict,
  containsPattern,
  db,
  named,
  pgCode,
  pgConstraint,
  withParameters,
} from '@staydesk/core';
import { teamColumns, teamValues, toTeam, userColumns } from './identity.rows';
import type { TeamRow, UserAuthRow, UserCursor, UserRow } from './identity.rows';
import type { Role } from './roles';

export { USER_KEYSET } from './identity.rows';
export type { TeamRow, UserAuthRow, UserCursor, UserRow } from './identity.rows';

/**
 * The statements every request runs (the session's user re-read; the teams that private-team
 * visibility is decided from) are built and compiled once, typed like the rest, and then run with
 * new parameters: building and compiling a statement costs far more CPU than sending it (about
 * 240 µs against 10 µs per call for `usersByIds`, measured on a loaded 2-core machine).
 * `compileOnly` never runs anything.
 */
const USERS_BY_IDS = compileOnly
  .selectFrom('users')
  .select(userColumns)
  .where((eb) => eb('users.id', '=', eb.fn.any(sql<string[]>`${[]}::bigint[]`)))
  .compile();
/** Named (decision 76): each api reads the teams of every relayed batch of live events. */
const TEAMS_BY_IDS = named(
  'teams_by_ids',
  compileOnly
    .selectFrom('teams')
    .select(teamColumns)
    .where((eb) => eb('teams.id', '=', eb.fn.any(sql<string[]>`${[]}::bigint[]`)))
    .compile(),
);
const LIST_TEAMS = compileOnly
  .selectFrom('teams')
  .select(teamColumns)
  .orderBy((eb) => eb.fn('lower', ['teams.name']))
  .orderBy('teams.id')
  .compile();

function rethrowUnique(err: unknown): never {
  if (pgCode(err) === '23505') {
    const c = pgConstraint(err);
    if (c === 'users_email_key')
      throw conflict('email: a user with this e-mail already exists', { field: 'email' });
    if (c === 'teams_name_key')
      throw conflict('name: a team with this name already exists', { field: 'name' });
  }
  throw err;
}

/**
 * Users, teams, memberships, sign-in failures and password-reset links. Every statement is
 * written with the typed query builder ({@link db}) over the caller's {@link Tx}: tables and
 * columns are checked against the migrated schema (`db.generated.ts`), each result against its
 * row type. Raw fragments (CASE, `make_interval`, row comparisons) take their columns from the
 * builder (`eb.ref`), so they are checked too. Security-relevant WHERE clauses (sign-in, session
 * re-reads, memberships) are the same conditions as the hand-written SQL they replaced; the
 * medium test (identity.repository.medium-spec.ts) runs them.
 */
@Injectable()
export class IdentityRepository {
  async findAuthByEmail(tx: Tx, email: string): Promise<UserAuthRow | null> {
    const row = await db(tx)
      .selectFrom('users')
      .select(userColumns)
      .select('users.passwordHash')
      .where((eb) => eb(eb.fn('lower', ['users.email']), '=', eb.fn('lower', [eb.val(email)])))
      .executeTakeFirst();
    return row ?? null;
  }

  async findAuthById(tx: Tx, id: string): Promise<UserAuthRow | null> {
    const row = await db(tx)
      .selectFrom('users')
      .select(userColumns)
      .select('users.passwordHash')
      .where('users.id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Until when sign-ins to this account from this client are refused (null: they are not). */
  async lockedUntil(tx: Tx, userId: string, client: string): Promise<Date | null> {
    const row = await db(tx)
      .selectFrom('loginFailures')
      .select('loginFailures.lockedUntil')
      .where('loginFailures.userId', '=', userId)
      .where('loginFailures.client', '=', client)
      .where('loginFailures.lockedUntil', '>', sql<Date>`now()`)
      .executeTakeFirst();
    return row?.lockedUntil ?? null;
  }

  /**
   * Counts a failed sign-in to this account from this client; the `maxFailures`-th locks that
   * pair for `lockMinutes`. After a lock has run out, counting starts again.
   */
  async recordLoginFailure(
    tx: Tx,
    userId: string,
    client: string,
    maxFailures: number,
    lockMinutes: number,
  ): Promise<void> {
    const lockEnd = sql<Date>`now() + make_interval(mins => ${lockMinutes})`;
    await db(tx)
      .insertInto('loginFailures')
      .values({
        userId,
        client,
        failures: 1,
        lockedUntil: sql<Date | null>`CASE WHEN 1 >= ${maxFailures} THEN ${lockEnd} END`,
      })
      .onConflict((oc) =>
        oc.columns(['userId', 'client']).doUpdateSet((eb) => {
          const expired = sql<boolean>`${eb.ref('loginFailures.lockedUntil')} <= now()`;
          const failures = sql<number>`CASE WHEN ${expired} THEN 1 ELSE ${eb.ref('loginFailures.failures')} + 1 END`;
          return {
            failures,
            lockedUntil: sql<Date | null>`CASE
              WHEN (${failures}) >= ${maxFailures} THEN ${lockEnd}
              WHEN ${expired} THEN NULL
              ELSE ${eb.ref('loginFailures.lockedUntil')} END`,
            updatedAt: sql<Date>`now()`,
          };
        }),
      )
      .execute();
  }

  /** Forgets failed sign-ins of a user: from one client, or (`client` null) from everywhere. */
  async clearLoginFailures(tx: Tx, userId: string, client: string | null): Promise<number> {
    let q = db(tx).deleteFrom('loginFailures').where('loginFailures.userId', '=', userId);
    if (client !== null) q = q.where('loginFailures.client', '=', client);
    const rows = await q.returning('loginFailures.lockedUntil').execute();
    return rows.length;
  }

  async recordLoginSuccess(tx: Tx, id: string): Promise<void> {
    await db(tx)
      .updateTable('users')
      .set({ lastLoginAt: sql<Date>`now()` })
      .where('users.id', '=', id)
      .execute();
  }

  /** Users by id: `users.id = any($1::bigint[])` (compiled once, {@link USERS_BY_IDS}). */
  async usersByIds(tx: Tx, ids: readonly string[]): Promise<UserRow[]> {
    const { rows } = await db(tx).executeQuery(withParameters(USERS_BY_IDS, [[...ids]]));
    return rows;
  }

  async listUsers(
    tx: Tx,
    filter: { role?: Role; teamId?: string; active?: boolean; search?: string },
    after: UserCursor | null,
    limit: number,
  ): Promise<UserRow[]> {
    let q = db(tx).selectFrom('users').select(userColumns);
    if (filter.role) q = q.where('users.role', '=', filter.role);
    const teamId = filter.teamId;
    if (teamId) {
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('userTeams')
            .select(sql.lit(1).as('one'))
            .whereRef('userTeams.userId', '=', 'users.id')
            .where('userTeams.teamId', '=', sql<string>`${teamId}::bigint`),
        ),
      );
    }
    if (filter.active !== undefined) q = q.where('users.active', '=', filter.active);
    if (filter.search) {
      const like = containsPattern(filter.search);
      q = q.where((eb) =>
        eb.or([eb('users.name', 'ilike', like), eb('users.email', 'ilike', like)]),
      );
    }
    if (after) {
      // the keyset USER_KEYSET decoded: (lower(name), id) > (lower($::text), $::bigint)
      q = q.where(
        (eb) =>
          sql<boolean>`(lower(${eb.ref('users.name')}), ${eb.ref('users.id')}) > (lower(${after[0]}::text), ${after[1]}::bigint)`,
      );
    }
    return q
      .orderBy((eb) => eb.fn('lower', ['users.name']))
      .orderBy('users.id')
      .limit(limit)
      .execute();
  }

  async insertUser(
    tx: Tx,
    u: { email: string; name: string; passwordHash: string; role: Role; teamId: string | null },
  ): Promise<UserRow> {
    try {
      return await db(tx)
        .insertInto('users')
        .values({
          email: u.email,
          name: u.name,
          passwordHash: u.passwordHash,
          role: u.role,
          teamId: u.teamId,
        })
        .returning(userColumns)
        .executeTakeFirstOrThrow();
    } catch (err) {
      rethrowUnique(err);
    }
  }

  /**
   * Changes the given fields. Every column is in the SET list whether it changes or not (as
   * before the typed builder): the triggers `UPDATE OF team_id` (home-team membership) and
   * `UPDATE OF name, role, team_id, active` (automation rules' version) fire on every update.
   */
  async updateUser(
    tx: Tx,
    id: string,
    patch: {
      name?: string;
      role?: Role;
      teamId?: string | null;
      active?: boolean;
      passwordHash?: string;
    },
  ): Promise<UserRow | null> {
    const passwordHash = patch.passwordHash ?? null;
    const row = await db(tx)
      .updateTable('users')
      .set((eb) => ({
        name: eb.fn.coalesce(eb.val(patch.name ?? null), 'users.name'),
        role: eb.fn.coalesce(eb.val(patch.role ?? null), 'users.role'),
        teamId: sql<string | null>`CASE WHEN ${patch.teamId !== undefined}::boolean
          THEN ${patch.teamId ?? null}::bigint ELSE ${eb.ref('users.teamId')} END`,
        active: eb.fn.coalesce(eb.val(patch.active ?? null), 'users.active'),
        passwordHash: eb.fn.coalesce(eb.val(passwordHash), 'users.passwordHash'),
        tokenVersion: sql<number>`${eb.ref('users.tokenVersion')}
          + CASE WHEN ${passwordHash}::text IS NULL THEN 0 ELSE 1 END`,
        updatedAt: sql<Date>`now()`,
      }))
      .where('users.id', '=', id)
      .returning(userColumns)
      .executeTakeFirst();
    return row ?? null;
  }

  /**
   * Sets a user's memberships to exactly `teamIds` and the home team to `home` (one of them, or
   * null), in the caller's transaction. Returns the teams added and removed.
   */
  async setTeams(
    tx: Tx,
    userId: string,
    teamIds: string[],
    home: string | null,
  ): Promise<{ added: string[]; removed: string[] }> {
    const removed = await db(tx)
      .deleteFrom('userTeams')
      .where('userTeams.userId', '=', userId)
      .where((eb) => sql<boolean>`${eb.ref('userTeams.teamId')} <> ALL(${teamIds}::bigint[])`)
      .returning('userTeams.teamId as id')
      .execute();
    const added = await db(tx)
      .insertInto('userTeams')
      .columns(['userId', 'teamId'])
      .expression(sql`SELECT ${userId}, unnest(${teamIds}::bigint[])`)
      .onConflict((oc) => oc.doNothing())
      .returning('userTeams.teamId as id')
      .execute();
    await db(tx)
      .updateTable('users')
      .set({ teamId: home, updatedAt: sql<Date>`now()` })
      .where('users.id', '=', userId)
      .where('users.teamId', 'is distinct from', sql<string | null>`${home}::bigint`)
      .execute();
    return { added: added.map((r) => r.id), removed: removed.map((r) => r.id) };
  }

  /**
   * A new reset link for the user, or null when the account already had `perHour` links in the
   * last hour (counted under a lock on the user row, so concurrent requests cannot pass it).
   */
  async insertPasswordReset(
    tx: Tx,
    userId: string,
    requestedBy: string | null,
    ttlMinutes: number,
    perHour: number,
  ): Promise<{ id: string; expiresAt: Date } | null> {
    await db(tx)
      .selectFrom('users')
      .select(sql.lit(1).as('one'))
      .where('users.id', '=', userId)
      .forNoKeyUpdate()
      .execute();
    const { n } = await db(tx)
      .selectFrom('passwordResets')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('passwordResets.userId', '=', userId)
      .where('passwordResets.createdAt', '>', sql<Date>`now() - interval '1 hour'`)
      .executeTakeFirstOrThrow();
    if (n >= perHour) return null;
    return db(tx)
      .insertInto('passwordResets')
      .values({
        userId,
        requestedBy,
        expiresAt: sql<Date>`now() + make_interval(mins => ${ttlMinutes})`,
      })
      .returning(['passwordResets.id', 'passwordResets.expiresAt'])
      .executeTakeFirstOrThrow();
  }

  async setPasswordResetHash(tx: Tx, id: string, hash: Buffer): Promise<void> {
    await db(tx)
      .updateTable('passwordResets')
      .set({ tokenHash: hash })
      .where('passwordResets.id', '=', id)
      .execute();
  }

  /** A reset link with its user (locked: one use at a time). */
  async passwordResetForUpdate(
    tx: Tx,
    id: string,
  ): Promise<{
    id: string;
    userId: string;
    tokenHash: Buffer | null;
    expired: boolean;
    usedAt: Date | null;
  } | null> {
    const row = await db(tx)
      .selectFrom('passwordResets')
      .select((eb) => [
        'passwordResets.id',
        'passwordResets.userId',
        'passwordResets.tokenHash',
        sql<boolean>`${eb.ref('passwordResets.expiresAt')} <= now()`.as('expired'),
        'passwordResets.usedAt',
      ])
      .where('passwordResets.id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row ?? null;
  }

  /** Marks this link used and retires the user's other open links. */
  async usePasswordResets(tx: Tx, id: string, userId: string): Promise<void> {
    await db(tx)
      .updateTable('passwordResets')
      .set({ usedAt: sql<Date>`now()` })
      .where('passwordResets.userId', '=', userId)
      .where((eb) =>
        eb.or([eb('passwordResets.id', '=', id), eb('passwordResets.usedAt', 'is', null)]),
      )
      .execute();
  }

  async countActiveAdmins(tx: Tx): Promise<number> {
    const { n } = await db(tx)
      .selectFrom('users')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('users.role', '=', 'admin')
      .where((eb) => eb.ref('users.active'))
      .executeTakeFirstOrThrow();
    return n;
  }

  /** Teams by id (compiled once, {@link TEAMS_BY_IDS}: each live event of a team's ticket reads its team). */
  async teamsByIds(tx: Tx, ids: readonly string[]): Promise<TeamRow[]> {
    const { rows } = await db(tx).executeQuery(withParameters(TEAMS_BY_IDS, [[...ids]]));
    return rows.map(toTeam);
  }

  /** Every team by lower(name), id (compiled once, {@link LIST_TEAMS}). */
  async listTeams(tx: Tx): Promise<TeamRow[]> {
    const { rows } = await db(tx).executeQuery(LIST_TEAMS);
    return rows.map(toTeam);
  }

  async insertTeam(tx: Tx, t: Omit<TeamRow, 'id' | 'createdAt'>): Promise<TeamRow> {
    try {
      const row = await db(tx)
        .insertInto('teams')
        .values(teamValues(t))
        .returning(teamColumns)
        .executeTakeFirstOrThrow();
      return toTeam(row);
    } catch (err) {
      rethrowUnique(err);
    }
  }

  async updateTeam(
    tx: Tx,
    id: string,
    t: Omit<TeamRow, 'id' | 'createdAt'>,
  ): Promise<TeamRow | null> {
    try {
      const row = await db(tx)
        .updateTable('teams')
        .set({ ...teamValues(t), updatedAt: sql<Date>`now()` })
        .where('teams.id', '=', id)
        .returning(teamColumns)
        .executeTakeFirst();
      return row ? toTeam(row) : null;
    } catch (err) {
      rethrowUnique(err);
    }
  }
}
