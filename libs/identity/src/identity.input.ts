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
  @Field(() => ID, { nullable: true }) teamId?: string | null;
}

@InputType({
  description: 'Changes to a user; omitted fields stay as they are. teamId: null removes the team.',
})
export class UpdateUserInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => RoleEnum, { nullable: true }) role?: Role | null;
  @Field(() => ID, { nullable: true }) teamId?: string | null;
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
  @Field(() => ID, { nullable: true }) teamId?: string | null;
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
