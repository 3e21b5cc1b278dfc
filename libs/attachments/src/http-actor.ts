import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, unauthenticated } from '@staydesk/core';
import { Actor, IdentityService } from '@staydesk/identity';

/**
 * The signed-in user of a REST request: `Authorization: Bearer` first, then the `sd_session`
 * cookie, verified by {@link IdentityService.authenticate} (the contract shared with the GraphQL
 * guard; a shared HTTP guard replaces this helper when it lands).
 */
export async function httpActor(req: FastifyRequest, identity: IdentityService): Promise<Actor> {
  const header = req.headers.authorization;
  let token: string | undefined;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw unauthenticated('the Authorization header must be "Bearer <token>"');
    token = m[1];
  } else {
    const cookie = req.headers.cookie ?? '';
    const found = cookie
      .split(';')
      .map((c) => c.trim())
      .find((c) => c.startsWith('sd_session='));
    token = found ? decodeURIComponent(found.slice('sd_session='.length)) : undefined;
  }
  if (!token) throw unauthenticated();
  return identity.authenticate(token);
}

const STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
};

/** Answers a REST request with a domain error as `{ error: { code, message } }` and its HTTP status. */
export function sendDomainError(reply: FastifyReply, err: unknown): FastifyReply {
  if (!(err instanceof DomainError)) throw err;
  return reply
    .status(STATUS[err.code] ?? 400)
    .header('cache-control', 'no-store')
    .send({ error: { code: err.code, message: err.message } });
}
