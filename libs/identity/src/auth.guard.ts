import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { forbidden, unauthenticated } from '@staydesk/core';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { IdentityService } from './identity.service';
import type { Actor, Role } from './roles';

interface GqlContext {
  req?: { headers?: Record<string, string | string[] | undefined> };
  actor?: Actor;
}

/**
 * The one place that decides who may do what on the GraphQL api: it verifies the bearer token,
 * loads the user, and checks the operation's `@Roles`. HTTP routes (health, survey pages) are
 * public by design and are not guarded here.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly identity: IdentityService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<string>() !== 'graphql') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const ctx = GqlExecutionContext.create(context).getContext<GqlContext>();
    if (!ctx.actor) {
      const header = ctx.req?.headers?.authorization;
      const value = Array.isArray(header) ? header[0] : header;
      const match = value ? /^Bearer\s+(\S+)$/i.exec(value) : null;
      if (!match)
        throw unauthenticated(
          'sign in first: send "Authorization: Bearer <token>" from the login mutation',
        );
      ctx.actor = await this.identity.authenticate(match[1]);
    }
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
}

const humanize = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
