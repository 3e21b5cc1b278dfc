/** The error codes the API speaks (GraphQL `extensions.code`). */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  /** Too many requests in a rate-limit window; `retryAfterSeconds` says when to try again. */
  | 'RATE_LIMITED'
  /** A password-reset link's token: past its expiry, already used, or not one we issued. */
  | 'TOKEN_EXPIRED'
  | 'TOKEN_USED'
  | 'TOKEN_INVALID';

/**
 * An error a caller can act on. Services throw these; the GraphQL error formatter maps
 * `code` to `extensions.code` and keeps the message. `field` names the input at fault.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { field?: string; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new DomainError('BAD_USER_INPUT', `${field}: ${message}`, { field, ...details });

export const notFound = (what: string, id: string) =>
  new DomainError('NOT_FOUND', `${what} ${id} was not found`, { id });

export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new DomainError('CONFLICT', message, details);

export const forbidden = (message = 'you are not allowed to do this') =>
  new DomainError('FORBIDDEN', message);

export const unauthenticated = (message = 'sign in first: send a valid bearer token') =>
  new DomainError('UNAUTHENTICATED', message);
