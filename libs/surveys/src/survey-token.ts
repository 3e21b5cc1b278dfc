import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Survey tokens. Each survey row stores a random salt and the SHA-256 of its token, never the
 * token. The token itself is HMAC-SHA256(secret, "survey:<id>:<salt>") in base64url: random to
 * anyone without the secret, unforgeable, and re-derivable by the worker, so a mail re-sent after
 * a crash carries the same links as the first. Expiry is a column checked on every use.
 */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}

export function deriveToken(secret: string, surveyId: string, salt: string): string {
  return createHmac('sha256', secret).update(`survey:${surveyId}:${salt}`).digest('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

export function sameNonce(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
