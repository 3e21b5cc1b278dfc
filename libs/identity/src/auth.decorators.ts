import { ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Actor, Role } from './roles';

export const ROLES_KEY = 'staydesk:roles';
export const PUBLIC_KEY = 'staydesk:public';

/**
 * Who may call this operation. Every GraphQL query and mutation carries exactly one of
 * `@Roles(...)` or `@Public()`; the guard refuses operations that carry neither (fail closed).
 */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The signed-in user of this request (set by the auth guard). */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const ctx = GqlExecutionContext.create(context).getContext<{ actor?: Actor }>();
  if (!ctx.actor) throw new Error('CurrentUser used on an operation without authentication');
  return ctx.actor;
});
