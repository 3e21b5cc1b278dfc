import {
  Args,
  Context,
  GraphQLISODateTime,
  ID,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { Inject } from '@nestjs/common';
import {
  APP_CONFIG,
  AppConfig,
  RequestLoaders,
  Loaders,
  pageSize,
  toConnection,
} from '@staydesk/core';
import { CurrentUser, Public, Roles } from './auth.decorators';
import { IdentityLoaders } from './identity.loaders';
import { CreateUserInput, TeamInput, UpdateUserInput, UsersArgs } from './identity.input';
import { AuthPayloadObject, TeamObject, UserConnection, UserObject } from './identity.object';
import { TeamRow, USER_KEYSET } from './identity.repository';
import { IdentityService } from './identity.service';
import { LoginResult } from './identity.sessions';
import { SESSION_COOKIE, requestToken } from './request-token';
import { Actor, EVERYONE } from './roles';

interface HttpContext {
  req?: { ip?: string; headers?: Record<string, string | string[] | undefined> };
  reply?: { header(name: string, value: string): unknown };
}

/** The `sd_session` cookie (see docs/decisions.md, "Web console sessions"). */
function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAge}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

@Resolver(() => UserObject)
export class UserResolver {
  constructor(
    private readonly identity: IdentityService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Mutation(() => AuthPayloadObject, {
    description:
      'Sign in with e-mail and password; returns a bearer token and also sets it as the httpOnly, SameSite=Strict `sd_session` cookie for browsers.',
  })
  async login(
    @Args('email') email: string,
    @Args('password') password: string,
    @Context() ctx: HttpContext,
  ) {
    return this.withCookie(
      ctx,
      await this.identity.login(email, password, ctx.req?.ip ?? 'unknown'),
    );
  }

  @Roles(...EVERYONE)
  @Mutation(() => AuthPayloadObject, {
    description:
      'Change your own password (the current one is required). Every token issued before stops working; the answer carries a new one (and renews the session cookie).',
  })
  async changePassword(
    @CurrentUser() actor: Actor,
    @Args('currentPassword') currentPassword: string,
    @Args('newPassword') newPassword: string,
    @Context() ctx: HttpContext,
  ) {
    return this.withCookie(
      ctx,
      await this.identity.changePassword(actor, currentPassword, newPassword),
    );
  }

  @Public()
  @Mutation(() => Boolean, {
    description:
      '"Forgot password?": mails a reset link (valid 60 minutes, single use) if the address belongs to an active account. Always answers true, whatever the address (no account enumeration); rate-limited per client and address, and to 3 links per account per hour.',
  })
  async requestPasswordReset(@Args('email') email: string) {
    await this.identity.requestPasswordReset(email);
    return true;
  }

  @Public()
  @Mutation(() => Boolean, {
    description:
      'Set a new password with the token of a reset link (same rules as every password). The link works once; every session of the user ends and the sign-in locks are lifted. Errors: TOKEN_INVALID, TOKEN_USED, TOKEN_EXPIRED (field "token"), BAD_USER_INPUT (field "newPassword").',
  })
  async resetPassword(@Args('token') token: string, @Args('newPassword') newPassword: string) {
    await this.identity.resetPassword(token, newPassword);
    return true;
  }

  @Roles('admin')
  @Mutation(() => GraphQLISODateTime, {
    description:
      'Admins: mail a user a password-reset link (instead of typing a password for them); answers when the link expires. Audited.',
  })
  sendPasswordResetLink(@CurrentUser() actor: Actor, @Args('id', { type: () => ID }) id: string) {
    return this.identity.sendPasswordResetLink(actor, id);
  }

  @Roles('admin')
  @Mutation(() => UserObject, {
    description:
      'Admins: lift the sign-in locks of a user (failed attempts are counted per client address). Audited.',
  })
  unlockUser(@CurrentUser() actor: Actor, @Args('id', { type: () => ID }) id: string) {
    return this.identity.unlockUser(actor, id);
  }

  @Roles(...EVERYONE)
  @Mutation(() => Boolean, {
    description:
      'End this session on the server: the token (bearer or cookie) stops working at once, and the session cookie is cleared.',
  })
  async logout(@Context() ctx: HttpContext) {
    const token = requestToken(ctx.req?.headers);
    if (typeof token === 'string') await this.identity.logout(token);
    ctx.reply?.header(
      'set-cookie',
      sessionCookie('', new Date(0), this.config.env === 'production'),
    );
    return true;
  }

  /** Sets the browser session cookie to the token of a sign-in answer. */
  private withCookie(ctx: HttpContext, result: LoginResult): LoginResult {
    ctx.reply?.header(
      'set-cookie',
      sessionCookie(result.token, result.expiresAt, this.config.env === 'production'),
    );
    return result;
  }

  @Roles(...EVERYONE)
  @Query(() => UserObject, { description: 'The signed-in user.' })
  me(@CurrentUser() actor: Actor) {
    return this.identity.user(actor.id);
  }

  @Roles(...EVERYONE)
  @Query(() => UserObject, { description: 'One user by id.' })
  user(@Args('id', { type: () => ID }) id: string) {
    return this.identity.user(id);
  }

  @Roles(...EVERYONE)
  @Query(() => UserConnection, {
    description: 'Users by name (for assignee pickers and admin screens).',
  })
  async users(@Args() args: UsersArgs) {
    const limit = pageSize(args.first);
    const after = USER_KEYSET.decode(args.after);
    const f = args.filter ?? {};
    const rows = await this.identity.listUsers(
      {
        role: f.role ?? undefined,
        teamId: f.teamId ?? undefined,
        active: f.active ?? undefined,
        search: f.search ?? undefined,
      },
      after,
      limit + 1,
    );
    return toConnection(
      rows,
      limit,
      (u) => USER_KEYSET.encode([u.name, u.id]),
      (u) => u,
      !!after,
    );
  }

  @Roles('admin')
  @Mutation(() => UserObject, { description: 'Admins: add a user.' })
  createUser(@CurrentUser() actor: Actor, @Args('input') input: CreateUserInput) {
    return this.identity.createUser(actor, input);
  }

  @Roles('admin')
  @Mutation(() => UserObject, {
    description: 'Admins: change a user (role, teams, active, password).',
  })
  updateUser(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateUserInput,
  ) {
    return this.identity.updateUser(
      actor,
      id,
      input,
      Object.prototype.hasOwnProperty.call(input, 'teamId'),
    );
  }

  @ResolveField(() => TeamObject, { nullable: true, description: 'The home team.' })
  team(@Parent() user: UserObject, @Loaders() loaders: RequestLoaders) {
    return user.teamId ? loaders.get(IdentityLoaders).team.load(user.teamId) : null;
  }

  @ResolveField(() => [TeamObject], { description: 'Every team the user belongs to, by name.' })
  async teams(@Parent() user: UserObject, @Loaders() loaders: RequestLoaders) {
    const teams = await loaders.get(IdentityLoaders).team.loadMany(user.teamIds);
    return teams
      .filter((t): t is TeamRow => !!t && !(t instanceof Error))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}

@Resolver(() => TeamObject)
export class TeamResolver {
  constructor(private readonly identity: IdentityService) {}

  @Roles(...EVERYONE)
  @Query(() => [TeamObject], { description: 'All teams, by name.' })
  teams() {
    return this.identity.listTeams();
  }

  @Roles('admin')
  @Mutation(() => TeamObject, { description: 'Admins: add a team.' })
  createTeam(@CurrentUser() actor: Actor, @Args('input') input: TeamInput) {
    return this.identity.createTeam(actor, input);
  }

  @Roles('admin')
  @Mutation(() => TeamObject, { description: 'Admins: change a team (all fields are replaced).' })
  updateTeam(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: TeamInput,
  ) {
    return this.identity.updateTeam(actor, id, input);
  }

  @ResolveField(() => UserObject, { nullable: true })
  lead(@Parent() team: TeamObject, @Loaders() loaders: RequestLoaders) {
    return team.leadId ? loaders.get(IdentityLoaders).user.load(team.leadId) : null;
  }
}
