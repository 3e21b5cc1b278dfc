import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { APP_CONFIG, AppConfig, RateLimiter, forbidden, unauthenticated } from '@staydesk/core';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { IdentityService } from './identity.service';
import { requestToken } from './request-token';
import type { Actor, Role } from './roles';

interface GqlContext {
  req?: { headers?: Record<string, string | string[] | undefined>; ip?: string };
  actor?: Actor;
  rateLimited?: boolean;
}

/**
 * The one place that decides who may do what on the GraphQL api: it verifies the bearer token
 * (or the `sd_session` cookie), loads the user, and checks the operation's `@Roles`. REST routes
 * that need a user (the CSV exports) use {@link HttpAuthGuard}, which applies the same rules.
 *
 * It also applies the rate limits (Redis counters, shared by every api process): `login` and
 * `requestPasswordReset` per client IP and per e-mail address (the sign-in limits, each in its own
 * buckets), `resetPassword` per IP at the sign-in limit, other public operations per IP,
 * everything else per user.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly identity: IdentityService,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<string>() !== 'graphql') return true;
    const targets = [context.getHandler(), context.getClass()];
    const gql = GqlExecutionContext.create(context);
    const ctx = gql.getContext<GqlContext>();
    const limits = this.config.rateLimits;
    const ip = ctx.req?.ip ?? 'unknown';
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) {
      const handler = context.getHandler().name;
      if (handler === 'login' || handler === 'requestPasswordReset') {
        // the sign-in limits, in their own buckets: mailing links is as guessable as signing in
        const bucket = handler === 'login' ? 'login' : 'reset';
        const email = String(gql.getArgs<{ email?: unknown }>().email ?? '')
          .trim()
          .toLowerCase()
          .slice(0, 254);
        await this.limiter.hit(`${bucket}-ip`, ip, limits.loginIpPerMinute);
        await this.limiter.hit(`${bucket}-email`, email, limits.loginEmailPerMinute);
      } else if (handler === 'resetPassword') {
        await this.limiter.hit('reset-ip', ip, limits.loginIpPerMinute);
      } else {
        await this.once(ctx, () => this.limiter.hit('ip', ip, limits.ipPerMinute));
      }
      return true;
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!ctx.actor) ctx.actor = await authenticateRequest(this.identity, ctx.req?.headers);
    const actor = ctx.actor;
    await this.once(ctx, () => this.limiter.hit('user', actor.id, limits.userPerMinute));
    if (!roles || roles.length === 0) {
      throw forbidden(`operation ${context.getHandler().name} declares no roles`);
    }
    if (!roles.includes(ctx.actor.role)) {
      throw forbidden(
        `a ${ctx.actor.role} may not ${humanize(context.getHandler().name)}; allowed: ${roles.join(', ')}`,
      );
    }
    return true;
  }

  /** One hit per HTTP request, however many root fields the operation selects. */
  private async once(ctx: GqlContext, hit: () => Promise<void>): Promise<void> {
    if (ctx.rateLimited) return;
    ctx.rateLimited = true;
    await hit();
  }
}

/** The signed-in user of an HTTP request: bearer token first, then the session cookie. */
export async function authenticateRequest(
  identity: IdentityService,
  headers: Record<string, string | string[] | undefined> | undefined,
): Promise<Actor> {
  const token = requestToken(headers);
  if (token === null || typeof token !== 'string') {
    throw unauthenticated(
      'sign in first: send "Authorization: Bearer <token>" from the login mutation (or the sd_session cookie)',
    );
  }
  return identity.authenticate(token);
}

export const humanize = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
