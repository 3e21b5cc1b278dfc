import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import { GraphQLJSONObject } from '@staydesk/core';
import { RoleEnum } from './identity.object';
import type { Role } from './roles';

@InputType({ description: 'A new user. The password needs at least 10 characters.' })
export class CreateUserInput {
  @Field() email!: string;
  @Field() name!: string;
  @Field() password!: string;
  @Field(() => RoleEnum) role!: Role;
  @Field(() => ID, {
    nullable: true,
    description:
      "Home team, one of teamIds. Alone (without teamIds): the user's only team, as before memberships.",
  })
  teamId?: string | null;
  @Field(() => [ID], {
    nullable: true,
    description: 'The teams the user belongs to (up to 50); the home team defaults to the first.',
  })
  teamIds?: string[] | null;
}

@InputType({
  description:
    'Changes to a user; omitted fields stay as they are. teamIds replaces the memberships (the home team stays if still among them, else the first). teamId alone (the API before memberships) makes it the only team; teamId: null removes every team.',
})
export class UpdateUserInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => RoleEnum, { nullable: true }) role?: Role | null;
  @Field(() => ID, { nullable: true, description: 'Home team (with teamIds: one of them).' })
  teamId?: string | null;
  @Field(() => [ID], { nullable: true, description: 'Every team of the user (up to 50).' })
  teamIds?: string[] | null;
  @Field(() => Boolean, { nullable: true }) active?: boolean | null;
  @Field(() => String, { nullable: true }) password?: string | null;
}

@InputType({ description: 'A closed day on a team calendar.' })
export class TeamHolidayInput {
  @Field({ description: 'YYYY-MM-DD in the team time zone.' }) date!: string;
  @Field({ description: 'What the day is, e.g. "Christmas Day".' }) name!: string;
}

@InputType()
export class TeamInput {
  @Field() name!: string;
  @Field(() => String, { nullable: true }) timezone?: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) businessHours?: Record<
    string,
    unknown
  > | null;
  @Field(() => [TeamHolidayInput], {
    nullable: true,
    description:
      'Closed days of the business-hours calendar (SLA due times skip them). Omitted: none.',
  })
  holidays?: TeamHolidayInput[] | null;
  @Field(() => Boolean, { nullable: true }) isPrivate?: boolean | null;
  @Field(() => ID, { nullable: true }) leadId?: string | null;
}

@InputType()
export class UserFilter {
  @Field(() => RoleEnum, { nullable: true }) role?: Role | null;
  @Field(() => ID, { nullable: true, description: 'Members of this team (any of their teams).' })
  teamId?: string | null;
  @Field(() => Boolean, { nullable: true }) active?: boolean | null;
  @Field(() => String, { nullable: true, description: 'Part of the name or e-mail.' }) search?:
    string | null;
}

@ArgsType()
export class UsersArgs {
  @Field(() => UserFilter, { nullable: true }) filter?: UserFilter | null;
  @Field(() => Int, { nullable: true, description: 'Page size, 1 to 100 (default 25).' }) first?:
    number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
}
