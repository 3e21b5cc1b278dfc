import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { APP_CONFIG, AppConfig, RateLimiter, forbidden, unauthenticated } from '@staydesk/core';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { IdentityService, SESSION_COOKIE } from './identity.service';
import type { Actor, Role } from './roles';

interface GqlContext {
  req?: { headers?: Record<string, string | string[] | undefined>; ip?: string };
  actor?: Actor;
  rateLimited?: boolean;
}

/**
 * The one place that decides who may do what on the GraphQL api: it verifies the bearer token,
 * loads the user, and checks the operation's `@Roles`. HTTP routes (health, survey pages) are
 * public by design and are not guarded here.
 *
 * It also applies the rate limits (Redis counters, shared by every api process): `login` per
 * client IP and per e-mail address, other public operations per IP, everything else per user.
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
      if (context.getHandler().name === 'login') {
        const email = String(gql.getArgs<{ email?: unknown }>().email ?? '')
          .trim()
          .toLowerCase()
          .slice(0, 254);
        await this.limiter.hit('login-ip', ip, limits.loginIpPerMinute);
        await this.limiter.hit('login-email', email, limits.loginEmailPerMinute);
      } else {
        await this.once(ctx, () => this.limiter.hit('ip', ip, limits.ipPerMinute));
      }
      return true;
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!ctx.actor) {
      const token = requestToken(ctx.req?.headers);
      if (!token)
        throw unauthenticated(
          'sign in first: send "Authorization: Bearer <token>" from the login mutation',
        );
      ctx.actor = await this.identity.authenticate(token);
    }
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

/**
 * The credential of a request: `Authorization: Bearer` first (API clients), then the browser's
 * `sd_session` cookie (the same JWT, set by `login`).
 */
export function requestToken(
  headers: Record<string, string | string[] | undefined> | undefined,
): string | null {
  const header = headers?.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)$/i.exec(value) : null;
  if (match) return match[1];
  const cookie = headers?.cookie;
  const cookies = Array.isArray(cookie) ? cookie.join('; ') : (cookie ?? '');
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const v = part.slice(eq + 1).trim();
      return v.length > 0 ? v : null;
    }
  }
  return null;
}

const humanize = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
