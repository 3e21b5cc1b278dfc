import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@staydesk/core';
import { Actor, IdentityService, authenticateRequest } from '@staydesk/identity';

/**
 * The signed-in user of a REST request: `Authorization: Bearer` first, then the `sd_session`
 * cookie, verified by {@link IdentityService.authenticate} (identity's `authenticateRequest`, as
 * the GraphQL and export guards do).
 */
export function httpActor(req: FastifyRequest, identity: IdentityService): Promise<Actor> {
  return authenticateRequest(identity, req.headers);
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
