import {
  CanActivate,
  ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig, DomainError, RateLimiter, forbidden } from '@staydesk/core';
import { ROLES_KEY } from './auth.decorators';
import { authenticateRequest, humanize } from './auth.guard';
import { IdentityService } from './identity.service';
import type { Actor, Role } from './roles';

/** HTTP status of each domain error code on REST routes. */
export const HTTP_STATUS: Record<DomainError['code'], number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  TOKEN_EXPIRED: 400,
  TOKEN_USED: 400,
  TOKEN_INVALID: 400,
};

/** The JSON body of a failed REST request: the same code and message GraphQL would give. */
export function httpErrorBody(err: DomainError) {
  return { error: { code: err.code, message: err.message, field: err.details.field ?? null } };
}

/** A domain error as an HttpException, so Nest answers it with its status and JSON body. */
export function toHttpException(err: DomainError): HttpException {
  return new HttpException(httpErrorBody(err), HTTP_STATUS[err.code]);
}

type GuardedRequest = FastifyRequest & { actor?: Actor };

/**
 * The shared guard of REST routes that need a signed-in user (the CSV exports): the same
 * authentication as GraphQL (bearer token, else the `sd_session` cookie), the same per-user
 * rate limit, and the route's `@Roles(...)` (a route without roles is refused: fail closed).
 * Use with `@UseGuards(HttpAuthGuard)` and read the user with `@HttpUser()`.
 */
@Injectable()
export class HttpAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly identity: IdentityService,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<GuardedRequest>();
    const reply = http.getResponse<FastifyReply>();
    try {
      const actor = await authenticateRequest(this.identity, req.headers);
      await this.limiter.hit('user', actor.id, this.config.rateLimits.userPerMinute);
      const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
        context.getHandler(),
        context.getClass(),
      ]);
      if (!roles?.length) throw forbidden(`route ${context.getHandler().name} declares no roles`);
      if (!roles.includes(actor.role)) {
        throw forbidden(
          `a ${actor.role} may not ${humanize(context.getHandler().name)}; allowed: ${roles.join(', ')}`,
        );
      }
      req.actor = actor;
      return true;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const retryAfter = err.details.retryAfterSeconds;
      if (err.code === 'RATE_LIMITED' && typeof retryAfter === 'number')
        void reply.header('retry-after', String(retryAfter));
      throw toHttpException(err);
    }
  }
}

/** The user {@link HttpAuthGuard} authenticated. */
export const HttpUser = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const req = context.switchToHttp().getRequest<GuardedRequest>();
  if (!req.actor) throw new Error('HttpUser used on a route without HttpAuthGuard');
  return req.actor;
});
