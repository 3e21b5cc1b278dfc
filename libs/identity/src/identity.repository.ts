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
import type { Role } from './roles';

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

/** Reads `users` unaliased (the memberships' subquery names `users.id`). */
export const USER_COLUMNS = `id::text, email, name, role, team_id::text AS "teamId",
  ARRAY(SELECT ut.team_id::text FROM user_teams ut WHERE ut.user_id = users.id ORDER BY ut.team_id) AS "teamIds", active,
  created_at AS "createdAt", last_login_at AS "lastLoginAt", token_version AS "tokenVersion"`;
const TEAM_COLUMNS = `id::text, name, timezone, business_hours AS "businessHours", holidays, is_private AS "isPrivate",
  lead_id::text AS "leadId", created_at AS "createdAt"`;

/** Users by name: cursor = [name, id], compared as (lower(name), id). */
export type UserCursor = [string, string];
export const USER_KEYSET = new Keyset<UserCursor>('user_name', [
  { kind: 'text', wrap: (v) => `lower(${v})` },
  { kind: 'id' },
]);

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

@Injectable()
export class IdentityRepository {
  async findAuthByEmail(tx: Tx, email: string): Promise<UserAuthRow | null> {
    const rows: UserAuthRow[] = await tx.query(
      `SELECT ${USER_COLUMNS}, password_hash AS "passwordHash" FROM users WHERE lower(email) = lower($1)`,
      [email],
    );
    return rows[0] ?? null;
  }

  async findAuthById(tx: Tx, id: string): Promise<UserAuthRow | null> {
    const rows: UserAuthRow[] = await tx.query(
      `SELECT ${USER_COLUMNS}, password_hash AS "passwordHash" FROM users WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Until when sign-ins to this account from this client are refused (null: they are not). */
  async lockedUntil(tx: Tx, userId: string, client: string): Promise<Date | null> {
    const rows: { lockedUntil: Date }[] = await tx.query(
      `SELECT locked_until AS "lockedUntil" FROM login_failures
        WHERE user_id = $1 AND client = $2 AND locked_until > now()`,
      [userId, client],
    );
    return rows[0]?.lockedUntil ?? null;
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
    await tx.query(
      `INSERT INTO login_failures AS f (user_id, client, failures, locked_until)
       VALUES ($1, $2, 1, CASE WHEN 1 >= $3 THEN now() + make_interval(mins => $4) END)
       ON CONFLICT (user_id, client) DO UPDATE SET
         failures = CASE WHEN f.locked_until <= now() THEN 1 ELSE f.failures + 1 END,
         locked_until = CASE
           WHEN (CASE WHEN f.locked_until <= now() THEN 1 ELSE f.failures + 1 END) >= $3
             THEN now() + make_interval(mins => $4)
           WHEN f.locked_until <= now() THEN NULL
           ELSE f.locked_until END,
         updated_at = now()`,
      [userId, client, maxFailures, lockMinutes],
    );
  }

  /** Forgets failed sign-ins of a user: from one client, or (`client` null) from everywhere. */
  async clearLoginFailures(tx: Tx, userId: string, client: string | null): Promise<number> {
    const rows = returnedRows(
      await tx.query(
        `DELETE FROM login_failures WHERE user_id = $1 AND ($2::text IS NULL OR client = $2)
         RETURNING locked_until`,
        [userId, client],
      ),
    );
    return rows.length;
  }

  async recordLoginSuccess(tx: Tx, id: string): Promise<void> {
    await tx.query(`UPDATE users SET last_login_at = now() WHERE id = $1`, [id]);
  }

  async usersByIds(tx: Tx, ids: readonly string[]): Promise<UserRow[]> {
    return tx.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::bigint[])`, [ids]);
  }

  async listUsers(
    tx: Tx,
    filter: { role?: Role; teamId?: string; active?: boolean; search?: string },
    after: UserCursor | null,
    limit: number,
  ): Promise<UserRow[]> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (filter.role) where.push(`role = ${p(filter.role)}`);
    if (filter.teamId)
      where.push(
        `EXISTS (SELECT 1 FROM user_teams ut WHERE ut.user_id = users.id AND ut.team_id = ${p(filter.teamId)}::bigint)`,
      );
    if (filter.active !== undefined) where.push(`active = ${p(filter.active)}`);
    if (filter.search) {
      const like = p(containsPattern(filter.search));
      where.push(`(name ILIKE ${like} OR email ILIKE ${like})`);
    }
    if (after) where.push(USER_KEYSET.predicate(['lower(name)', 'id'], '>', after, p));
    return tx.query(
      `SELECT ${USER_COLUMNS} FROM users
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY lower(name), id
        LIMIT ${p(limit)}`,
      params,
    );
  }

  async insertUser(
    tx: Tx,
    u: { email: string; name: string; passwordHash: string; role: Role; teamId: string | null },
  ): Promise<UserRow> {
    try {
      const rows: UserRow[] = await tx.query(
        `INSERT INTO users (email, name, password_hash, role, team_id) VALUES ($1, $2, $3, $4, $5)
         RETURNING ${USER_COLUMNS}`,
        [u.email, u.name, u.passwordHash, u.role, u.teamId],
      );
      return rows[0];
    } catch (err) {
      rethrowUnique(err);
    }
  }

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
    const rows = returnedRows<UserRow>(
      await tx.query(
        `UPDATE users SET
          name = coalesce($2, name),
          role = coalesce($3, role),
          team_id = CASE WHEN $4::boolean THEN $5::bigint ELSE team_id END,
          active = coalesce($6, active),
          password_hash = coalesce($7, password_hash),
          token_version = token_version + CASE WHEN $7 IS NULL THEN 0 ELSE 1 END,
          updated_at = now()
        WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [
          id,
          patch.name ?? null,
          patch.role ?? null,
          patch.teamId !== undefined,
          patch.teamId ?? null,
          patch.active ?? null,
          patch.passwordHash ?? null,
        ],
      ),
    );
    return rows[0] ?? null;
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
    const removed: { id: string }[] = returnedRows(
      await tx.query(
        `DELETE FROM user_teams WHERE user_id = $1 AND team_id <> ALL($2::bigint[]) RETURNING team_id::text AS id`,
        [userId, teamIds],
      ),
    );
    const added: { id: string }[] = await tx.query(
      `INSERT INTO user_teams (user_id, team_id) SELECT $1, unnest($2::bigint[])
       ON CONFLICT DO NOTHING RETURNING team_id::text AS id`,
      [userId, teamIds],
    );
    await tx.query(
      `UPDATE users SET team_id = $2, updated_at = now() WHERE id = $1 AND team_id IS DISTINCT FROM $2::bigint`,
      [userId, home],
    );
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
    await tx.query(`SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, [userId]);
    const [{ n }]: { n: number }[] = await tx.query(
      `SELECT count(*)::int AS n FROM password_resets WHERE user_id = $1 AND created_at > now() - interval '1 hour'`,
      [userId],
    );
    if (n >= perHour) return null;
    const rows: { id: string; expiresAt: Date }[] = await tx.query(
      `INSERT INTO password_resets (user_id, requested_by, expires_at)
       VALUES ($1, $2, now() + make_interval(mins => $3))
       RETURNING id::text, expires_at AS "expiresAt"`,
      [userId, requestedBy, ttlMinutes],
    );
    return rows[0];
  }

  async setPasswordResetHash(tx: Tx, id: string, hash: Buffer): Promise<void> {
    await tx.query(`UPDATE password_resets SET token_hash = $2 WHERE id = $1`, [id, hash]);
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
    const rows = await tx.query(
      `SELECT id::text, user_id::text AS "userId", token_hash AS "tokenHash",
              expires_at <= now() AS expired, used_at AS "usedAt"
         FROM password_resets WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Marks this link used and retires the user's other open links. */
  async usePasswordResets(tx: Tx, id: string, userId: string): Promise<void> {
    await tx.query(
      `UPDATE password_resets SET used_at = now() WHERE user_id = $2 AND (id = $1 OR used_at IS NULL)`,
      [id, userId],
    );
  }

  async countActiveAdmins(tx: Tx): Promise<number> {
    const rows: { n: number }[] = await tx.query(
      `SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND active`,
    );
    return rows[0].n;
  }

  async teamsByIds(tx: Tx, ids: readonly string[]): Promise<TeamRow[]> {
    return tx.query(`SELECT ${TEAM_COLUMNS} FROM teams WHERE id = ANY($1::bigint[])`, [ids]);
  }

  async listTeams(tx: Tx): Promise<TeamRow[]> {
    return tx.query(`SELECT ${TEAM_COLUMNS} FROM teams ORDER BY lower(name), id`);
  }

  async insertTeam(tx: Tx, t: Omit<TeamRow, 'id' | 'createdAt'>): Promise<TeamRow> {
    try {
      const rows: TeamRow[] = await tx.query(
        `INSERT INTO teams (name, timezone, business_hours, is_private, lead_id, holidays)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${TEAM_COLUMNS}`,
        [
          t.name,
          t.timezone,
          t.businessHours ? JSON.stringify(t.businessHours) : null,
          t.isPrivate,
          t.leadId,
          JSON.stringify(t.holidays ?? []),
        ],
      );
      return rows[0];
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
      const rows = returnedRows<TeamRow>(
        await tx.query(
          `UPDATE teams SET name = $2, timezone = $3, business_hours = $4, is_private = $5, lead_id = $6,
                holidays = $7, updated_at = now()
          WHERE id = $1 RETURNING ${TEAM_COLUMNS}`,
          [
            id,
            t.name,
            t.timezone,
            t.businessHours ? JSON.stringify(t.businessHours) : null,
            t.isPrivate,
            t.leadId,
            JSON.stringify(t.holidays ?? []),
          ],
        ),
      );
      return rows[0] ?? null;
    } catch (err) {
      rethrowUnique(err);
    }
  }
}
