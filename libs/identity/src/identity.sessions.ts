import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type Redis from 'ioredis';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  APP_CONFIG,
  REDIS_CLIENT,
  AppConfig,
  AuditRepository,
  DomainError,
  TransactionRunner,
  badInput,
  notFound,
  unauthenticated,
} from '@staydesk/core';
import { OutboxService } from '@staydesk/outbox';
import { IdentityRepository, UserRow } from './identity.repository';
import { DUMMY_HASH, hashPassword, validatePassword, verifyPassword } from './password';
import {
  PASSWORD_RESETS_PER_HOUR,
  PASSWORD_RESET_TTL_MINUTES,
  hashResetToken,
  passwordResetToken,
  resetTokenId,
  resetTokenMatches,
} from './password-reset';
import { Actor, Role } from './roles';
import { SessionUserCache, VerifiedTokens } from './session-cache';

import { validateId } from './identity.validation';

interface TokenClaims {
  sub: string;
  role: Role;
  /** The user's token version when the token was issued (absent in older tokens: 0). */
  ver?: number;
  /** Token id: `logout` revokes it (kept in Redis until the token would expire anyway). */
  jti?: string;
  exp?: number;
}

/**
 * The one answer to every failed sign-in (unknown e-mail, wrong password, locked, deactivated),
 * so the answer never confirms that an account exists or what state it is in.
 */
export const SIGN_IN_FAILED =
  'sign-in failed: the e-mail or password is wrong, or this address made too many failed attempts (then wait a few minutes)';

export interface LoginResult {
  token: string;
  expiresAt: Date;
  user: UserRow;
}

/** What Redis says about a request's session: revoked, and the user's stamp (undefined: unknown). */
interface SessionState {
  revoked: boolean;
  stamp: string | null | undefined;
}

/**
 * Sign-in and sessions: tokens issued, verified and revoked, the per-process cache of signed-in
 * users (decision 53), password changes and resets. IdentityService adds the administration of
 * users and teams on top of it (one injectable, as TicketsService's layers: decision 51).
 */
@Injectable()
export abstract class IdentitySessions {
  /** Signed-in users' rows, valid while their Redis stamp is unchanged (decision 53). */
  private readonly sessions = new SessionUserCache();
  private readonly verified = new VerifiedTokens<TokenClaims>();

  constructor(
    protected readonly repo: IdentityRepository,
    protected readonly tx: TransactionRunner,
    protected readonly audit: AuditRepository,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly outbox: OutboxService,
    @InjectPinoLogger('IdentityService') protected readonly logger: PinoLogger,
  ) {}

  private revokedKey(jti: string) {
    return `${this.config.redis.prefix}:revoked-token:${jti}`;
  }

  private stampKey(userId: string) {
    return `${this.config.redis.prefix}:user-stamp:${userId}`;
  }

  /**
   * Marks a user's cached rows out of date in every api process: called after the transaction
   * that changed the user's role, teams, activity or password has committed, and awaited before
   * the mutation answers, so any request that starts after the answer re-reads the row. The key
   * outlives every cache entry (a day against SESSION_USER_TTL_MS), so it cannot expire back to
   * a value an entry still carries.
   */
  protected async userChanged(userId: string): Promise<void> {
    this.sessions.drop(userId);
    try {
      const key = this.stampKey(userId);
      // bounded like the revocation check: a Redis outage must not hang the admin's mutation
      await Promise.race([
        this.redis.multi().incr(key).pexpire(key, 86_400_000).exec(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), 1_000).unref(),
        ),
      ]);
    } catch (err) {
      // the change is committed; other processes may answer from their copy for at most the TTL
      this.logger.warn({ err, userId }, 'could not stamp a user change in Redis');
    }
  }

  /**
   * Ends a session on the server: the token's id is kept in Redis as revoked until the token's
   * own expiry, and `authenticate` refuses it from then on. Already-invalid tokens are a no-op.
   */
  async logout(token: string): Promise<void> {
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token);
    } catch {
      return;
    }
    if (!claims.jti || !claims.exp) return;
    const ttlMs = claims.exp * 1000 - Date.now();
    if (ttlMs <= 0) return;
    await this.redis.set(this.revokedKey(claims.jti), '1', 'PX', ttlMs);
  }

  /**
   * Whether the token id was revoked by a logout, and the user's change stamp, in one Redis
   * round trip. Fails open after 250 ms when Redis is down (like the rate limits, see
   * docs/reliability.md): signed-in people keep working through a Redis outage, and a
   * signed-out token is still bounded by its expiry. The stamp is then unknown, and the user row
   * is read from PostgreSQL instead of the cache.
   */
  private async sessionState(jti: string | undefined, userId: string): Promise<SessionState> {
    try {
      const keys = jti ? [this.revokedKey(jti), this.stampKey(userId)] : [this.stampKey(userId)];
      const values = await Promise.race([
        this.redis.mget(...keys),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), 250).unref(),
        ),
      ]);
      return {
        revoked: jti ? values[0] !== null : false,
        stamp: values[values.length - 1] ?? null,
      };
    } catch {
      return { revoked: false, stamp: undefined };
    }
  }

  /**
   * E-mail + password → a signed JWT. Failures are counted per account and client address:
   * repeated guessing from one address locks that address out of that account for a while,
   * and the owner signing in from elsewhere is not affected. Every failure gets the same answer.
   */
  async login(email: string, password: string, client = 'unknown'): Promise<LoginResult> {
    const failed = () => unauthenticated(SIGN_IN_FAILED);
    const user = await this.repo.findAuthByEmail(this.tx.db, email.trim());
    const clientKey = client.slice(0, 100);
    // the same bcrypt cost whether or not the account exists or is locked
    const passwordOk = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user) throw failed();
    if (await this.repo.lockedUntil(this.tx.db, user.id, clientKey)) throw failed();
    if (!passwordOk) {
      await this.repo.recordLoginFailure(
        this.tx.db,
        user.id,
        clientKey,
        this.config.auth.loginMaxFailures,
        this.config.auth.loginLockMinutes,
      );
      throw failed();
    }
    if (!user.active) throw failed();
    await this.tx.run(async (tx) => {
      await this.repo.clearLoginFailures(tx, user.id, clientKey);
      await this.repo.recordLoginSuccess(tx, user.id);
    });
    return this.issueToken(user);
  }

  private async issueToken(user: UserRow): Promise<LoginResult> {
    const claims: TokenClaims = {
      sub: user.id,
      role: user.role,
      ver: user.tokenVersion,
      jti: randomUUID(),
    };
    const token = await this.jwt.signAsync(claims, { expiresIn: this.config.auth.jwtTtlSeconds });
    return {
      token,
      expiresAt: new Date(Date.now() + this.config.auth.jwtTtlSeconds * 1000),
      user,
    };
  }

  /**
   * Bearer token → the current user. The row comes from this process's cache only while the
   * user's Redis stamp is the one it was read under (and for at most SESSION_USER_TTL_MS), so
   * deactivation, role, team and password changes made through the api apply at once in every
   * process; logouts are checked on every request (docs/decisions.md 53).
   */
  async authenticate(token: string): Promise<Actor> {
    const claims = await this.verifyToken(token);
    // the stamp is read before the row (never with it): an entry's tag must not be newer than
    // the row it holds, or a change stamped during the read would be missed
    const state = await this.sessionState(claims.jti, claims.sub);
    if (state.revoked) throw unauthenticated('this session has ended (signed out): sign in again');
    const cached = state.stamp !== undefined ? this.sessions.get(claims.sub, state.stamp) : null;
    const user = cached ?? (await this.readSessionUser(claims.sub, state.stamp));
    if (!user || !user.active)
      throw unauthenticated('this account no longer exists or is deactivated');
    if ((claims.ver ?? 0) !== user.tokenVersion)
      throw unauthenticated('the password was changed since this token was issued: sign in again');
    return {
      id: user.id,
      role: user.role,
      teamId: user.teamId,
      teamIds: user.teamIds,
      name: user.name,
    };
  }

  private async verifyToken(token: string): Promise<TokenClaims> {
    const known = this.verified.get(token);
    if (known) return known;
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token);
    } catch (err) {
      const expired = (err as Error).name === 'TokenExpiredError';
      throw unauthenticated(
        expired ? 'the token has expired: sign in again' : 'the token is not valid',
      );
    }
    this.verified.set(token, claims);
    return claims;
  }

  /** The row from PostgreSQL, kept under `stamp` (read before it) when the stamp is known. */
  private async readSessionUser(
    id: string,
    stamp: string | null | undefined,
  ): Promise<UserRow | undefined> {
    const [user] = await this.repo.usersByIds(this.tx.db, [id]);
    if (user && stamp !== undefined) this.sessions.set(id, user, stamp);
    return user;
  }

  /**
   * Self-service password change: the current password proves it is the owner (not just someone
   * holding a token). Every token issued before stops working; the answer carries a new one.
   */
  async changePassword(
    actor: Actor,
    currentPassword: string,
    newPassword: string,
  ): Promise<LoginResult> {
    validatePassword(newPassword, 'newPassword');
    const user = await this.repo.findAuthById(this.tx.db, actor.id);
    if (!user) throw unauthenticated('this account no longer exists');
    if (!(await verifyPassword(currentPassword, user.passwordHash)))
      throw badInput('currentPassword', 'is not your current password');
    if (currentPassword === newPassword)
      throw badInput('newPassword', 'must differ from the current password');
    const passwordHash = await hashPassword(newPassword);
    const saved = await this.tx.run(async (tx) => {
      const row = await this.repo.updateUser(tx, actor.id, { passwordHash });
      if (!row) throw unauthenticated('this account no longer exists');
      await this.repo.clearLoginFailures(tx, actor.id, null);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'user.password_change',
        entity: 'user',
        entityId: actor.id,
      });
      return row;
    });
    await this.userChanged(actor.id);
    return this.issueToken(saved);
  }

  /**
   * "Forgot password?": mails a reset link when the address belongs to an active account, and
   * answers the same either way (no account enumeration). Rate-limited per client and address by
   * the guard, and to PASSWORD_RESETS_PER_HOUR links per account (further requests send nothing).
   */
  async requestPasswordReset(email: string): Promise<void> {
    const e = email.trim();
    if (!e || e.length > 254) return;
    const user = await this.repo.findAuthByEmail(this.tx.db, e);
    if (!user || !user.active) return;
    await this.issueReset(user.id, null);
  }

  /** Admins: mail a user a reset link (instead of typing a password for them). */
  async sendPasswordResetLink(actor: Actor, id: string): Promise<Date> {
    validateId(id);
    const [user] = await this.repo.usersByIds(this.tx.db, [id]);
    if (!user) throw notFound('user', id);
    if (!user.active)
      throw badInput('id', `${user.name} is deactivated: reactivate the account first`);
    const issued = await this.issueReset(id, actor.id);
    if (!issued)
      throw new DomainError(
        'RATE_LIMITED',
        `${user.name} was sent ${PASSWORD_RESETS_PER_HOUR} reset links in the last hour: wait before sending another`,
        { retryAfterSeconds: 3600 },
      );
    return issued.expiresAt;
  }

  /** One link: the row, its token's hash and the outbox event the worker mails it from. */
  private issueReset(userId: string, by: string | null) {
    return this.tx.run(async (tx) => {
      const row = await this.repo.insertPasswordReset(
        tx,
        userId,
        by,
        PASSWORD_RESET_TTL_MINUTES,
        PASSWORD_RESETS_PER_HOUR,
      );
      if (!row) return null;
      const token = passwordResetToken(this.config.auth.jwtSecret, row.id, userId);
      await this.repo.setPasswordResetHash(tx, row.id, hashResetToken(token));
      await this.outbox.record(tx, {
        type: 'user.password_reset_requested',
        payload: { resetId: row.id },
      });
      await this.audit.record(tx, {
        actorId: by,
        action: 'user.password_reset_link',
        entity: 'user',
        entityId: userId,
        details: { resetId: row.id, by: by ? 'admin' : 'self' },
      });
      return row;
    });
  }

  /**
   * Sets a new password with a reset link's token (same rules as every password). The link is
   * single-use (the user's other open links end with it), every session of the user ends
   * (token version) and the sign-in locks are lifted.
   */
  async resetPassword(token: string, newPassword: string): Promise<void> {
    const invalid = () =>
      new DomainError(
        'TOKEN_INVALID',
        'token: this reset link is not valid (copy the whole link from the mail, or ask for a new one)',
        { field: 'token' },
      );
    const id = resetTokenId(token);
    if (!id) throw invalid();
    validatePassword(newPassword, 'newPassword');
    const passwordHash = await hashPassword(newPassword);
    const userId = await this.tx.run(async (tx) => {
      const row = await this.repo.passwordResetForUpdate(tx, id);
      if (!row || !resetTokenMatches(token, row.tokenHash)) throw invalid();
      if (row.usedAt)
        throw new DomainError(
          'TOKEN_USED',
          'token: this reset link was already used: ask for a new one if you need to',
          { field: 'token' },
        );
      if (row.expired)
        throw new DomainError(
          'TOKEN_EXPIRED',
          `token: this reset link has expired (links work for ${PASSWORD_RESET_TTL_MINUTES} minutes): ask for a new one`,
          { field: 'token' },
        );
      const [user] = await this.repo.usersByIds(tx, [row.userId]);
      if (!user?.active) throw invalid();
      await this.repo.updateUser(tx, row.userId, { passwordHash });
      await this.repo.clearLoginFailures(tx, row.userId, null);
      await this.repo.usePasswordResets(tx, row.id, row.userId);
      await this.audit.record(tx, {
        actorId: row.userId,
        action: 'user.password_reset',
        entity: 'user',
        entityId: row.userId,
        details: { resetId: row.id },
      });
      return row.userId;
    });
    await this.userChanged(userId);
  }
}
