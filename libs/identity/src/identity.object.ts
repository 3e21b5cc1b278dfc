import { Field, GraphQLISODateTime, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSONObject } from '@staydesk/core';
import { ConnectionType } from '@staydesk/core';
import { ROLES } from './roles';

export const RoleEnum = Object.fromEntries(ROLES.map((r) => [r, r])) as {
  [K in (typeof ROLES)[number]]: K;
};
registerEnumType(RoleEnum, {
  name: 'Role',
  description:
    'agent: works tickets. team_lead: works tickets and reads KPIs of their team. account_manager: owns customers and their risk. admin: everything, including users, teams and SLA policies.',
});

@ObjectType('User', {
  description: 'A person who signs in to Staydesk (agent, lead, account manager, admin).',
})
export class UserObject {
  @Field(() => ID) id!: string;
  @Field() email!: string;
  @Field() name!: string;
  @Field(() => RoleEnum) role!: string;
  @Field(() => ID, {
    nullable: true,
    description:
      'Home team: one of teamIds, the default of "my team" views and of new team views (null: in no team).',
  })
  teamId!: string | null;
  @Field(() => [ID], {
    description:
      'Every team the user belongs to. Private-team tickets, "my teams" queues and automatic assignment follow these.',
  })
  teamIds!: string[];
  @Field({ description: 'Deactivated users cannot sign in and are not offered as assignees.' })
  active!: boolean;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastLoginAt!: Date | null;
}

@ObjectType('TeamHoliday', { description: 'A closed day on a team calendar.' })
export class TeamHolidayObject {
  @Field({ description: 'YYYY-MM-DD in the team time zone.' }) date!: string;
  @Field() name!: string;
}

@ObjectType('Team', {
  description: 'A group of agents with a lead and, optionally, business hours.',
})
export class TeamObject {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, {
    nullable: true,
    description: 'IANA time zone of the business-hours calendar.',
  })
  timezone!: string | null;
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'Weekly opening hours, e.g. {"mon": [["09:00", "17:00"]]}; SLA and KPIs use them when set.',
  })
  businessHours!: Record<string, unknown> | null;
  @Field(() => [TeamHolidayObject], {
    description: 'Closed days of the business-hours calendar, by date (SLA due times skip them).',
  })
  holidays!: TeamHolidayObject[];
  @Field({
    description:
      'Tickets of a private team (with their notes, history and files) are visible to its members, its lead and admins only.',
  })
  isPrivate!: boolean;
  @Field(() => ID, { nullable: true }) leadId!: string | null;
}

@ObjectType('AuthPayload', { description: 'The result of signing in.' })
export class AuthPayloadObject {
  @Field({ description: 'Send as "Authorization: Bearer <token>" on every request.' })
  token!: string;
  @Field(() => GraphQLISODateTime) expiresAt!: Date;
  @Field(() => UserObject) user!: UserObject;
}

export const UserConnection = ConnectionType(UserObject, 'User');
