import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** How long a reset link works. */
export const PASSWORD_RESET_TTL_MINUTES = 60;
/** Links per account per hour, whoever asks (more requests answer the same and send nothing). */
export const PASSWORD_RESETS_PER_HOUR = 3;

/**
 * The token of a reset link: `<id>.<HMAC-SHA256(server secret, id and user)>`. Only its SHA-256
 * is stored, so the database alone yields no working link; the worker that mails it computes it
 * again from the row and the secret (no token in the outbox or the job either).
 */
export function passwordResetToken(secret: string, id: string, userId: string): string {
  const mac = createHmac('sha256', secret).update(`password-reset:${id}:${userId}`).digest();
  return `${id}.${mac.toString('base64url')}`;
}

export function hashResetToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The row id a token names, or null when it is not shaped like one of ours. */
export function resetTokenId(token: string): string | null {
  const m = /^([1-9]\d{0,17})\.[A-Za-z0-9_-]{43}$/.exec(token.trim());
  return m ? m[1] : null;
}

/** Constant-time comparison of a presented token with the stored hash. */
export function resetTokenMatches(token: string, stored: Buffer | null): boolean {
  if (!stored || stored.length !== 32) return false;
  return timingSafeEqual(hashResetToken(token.trim()), stored);
}
