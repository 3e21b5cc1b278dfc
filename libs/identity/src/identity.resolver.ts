import {
  Args,
  Context,
  ID,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { RequestLoaders, Loaders, pageSize, toConnection } from '@staydesk/core';
import { CurrentUser, Public, Roles } from './auth.decorators';
import { IdentityLoaders } from './identity.loaders';
import { CreateUserInput, TeamInput, UpdateUserInput, UsersArgs } from './identity.input';
import { AuthPayloadObject, TeamObject, UserConnection, UserObject } from './identity.object';
import { USER_KEYSET } from './identity.repository';
import { IdentityService } from './identity.service';
import { Actor, EVERYONE } from './roles';

@Resolver(() => UserObject)
export class UserResolver {
  constructor(private readonly identity: IdentityService) {}

  @Public()
  @Mutation(() => AuthPayloadObject, {
    description: 'Sign in with e-mail and password; returns a bearer token.',
  })
  login(
    @Args('email') email: string,
    @Args('password') password: string,
    @Context('req') req: { ip?: string } | undefined,
  ) {
    return this.identity.login(email, password, req?.ip ?? 'unknown');
  }

  @Roles(...EVERYONE)
  @Mutation(() => AuthPayloadObject, {
    description:
      'Change your own password (the current one is required). Every token issued before stops working; the answer carries a new one.',
  })
  changePassword(
    @CurrentUser() actor: Actor,
    @Args('currentPassword') currentPassword: string,
    @Args('newPassword') newPassword: string,
  ) {
    return this.identity.changePassword(actor, currentPassword, newPassword);
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
    description: 'Admins: change a user (role, team, active, password).',
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

  @ResolveField(() => TeamObject, { nullable: true })
  team(@Parent() user: UserObject, @Loaders() loaders: RequestLoaders) {
    return user.teamId ? loaders.get(IdentityLoaders).team.load(user.teamId) : null;
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
