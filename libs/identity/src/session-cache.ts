import type { UserRow } from './identity.repository';

/**
 * How long a process may answer a signed-in request from its own copy of the user row without
 * asking PostgreSQL. Changes made through the api invalidate at once (a per-user stamp in Redis,
 * read with the revocation check); this bound is for writes outside the api (SQL by hand, a
 * missed stamp while Redis was down). docs/decisions.md 53.
 */
export const SESSION_USER_TTL_MS = 5_000;

/** At most this many users cached per process (oldest inserted dropped first). */
export const SESSION_USER_MAX = 10_000;

/** At most this many verified tokens remembered per process. */
export const VERIFIED_TOKEN_MAX = 10_000;

interface CachedUser {
  user: UserRow;
  /** The user's Redis stamp read before the row was read (null: no stamp key yet). */
  stamp: string | null;
  expiresAt: number;
}

/**
 * A per-process copy of signed-in users' rows, each tagged with the stamp it was read under.
 * An entry answers only while the stamp in Redis still equals its tag and it is younger than
 * {@link SESSION_USER_TTL_MS}. The tag is read *before* the row, so a change committed and
 * stamped while the row is being read leaves an entry whose tag is already out of date.
 */
export class SessionUserCache {
  private readonly users = new Map<string, CachedUser>();

  constructor(
    private readonly ttlMs = SESSION_USER_TTL_MS,
    private readonly max = SESSION_USER_MAX,
  ) {}

  /** Whether a live entry exists (whatever its stamp). */
  has(id: string, now = Date.now()): boolean {
    const e = this.users.get(id);
    if (!e) return false;
    if (e.expiresAt <= now) {
      this.users.delete(id);
      return false;
    }
    return true;
  }

  /** The cached row when its tag equals the current stamp and it has not expired. */
  get(id: string, stamp: string | null, now = Date.now()): UserRow | null {
    const e = this.users.get(id);
    if (!e) return null;
    if (e.expiresAt <= now || e.stamp !== stamp) {
      this.users.delete(id);
      return null;
    }
    return e.user;
  }

  set(id: string, user: UserRow, stamp: string | null, now = Date.now()): void {
    this.users.delete(id);
    if (this.users.size >= this.max) {
      const oldest = this.users.keys().next();
      if (!oldest.done) this.users.delete(oldest.value);
    }
    this.users.set(id, { user, stamp, expiresAt: now + this.ttlMs });
  }

  drop(id: string): void {
    this.users.delete(id);
  }

  get size(): number {
    return this.users.size;
  }
}

/**
 * Tokens whose HS256 signature this process already checked, with their claims. Verification is
 * a pure function of the token and the secret; only time changes the answer, so a remembered
 * token is refused once its `exp` has passed (then verified again, which names the expiry).
 */
export class VerifiedTokens<C extends { exp?: number }> {
  private readonly tokens = new Map<string, C>();

  constructor(private readonly max = VERIFIED_TOKEN_MAX) {}

  get(token: string, now = Date.now()): C | null {
    const claims = this.tokens.get(token);
    if (!claims) return null;
    if (claims.exp === undefined || claims.exp * 1000 <= now) {
      this.tokens.delete(token);
      return null;
    }
    return claims;
  }

  set(token: string, claims: C): void {
    if (claims.exp === undefined) return; // only tokens that end
    if (this.tokens.size >= this.max) {
      const oldest = this.tokens.keys().next();
      if (!oldest.done) this.tokens.delete(oldest.value);
    }
    this.tokens.set(token, claims);
  }
}
