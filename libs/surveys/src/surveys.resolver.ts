import {
  Args,
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { Loaders, RequestLoaders, forbidden } from '@staydesk/core';
import { CustomerObject } from '@staydesk/customers';
import { Actor, CurrentUser, Roles, validateId } from '@staydesk/identity';
import { TicketObject } from '@staydesk/tickets';
import { SurveyGroupEnum, SurveyObject, SurveyStatsObject } from './surveys.object';
import type { StatsGroup } from './surveys.repository';
import { SurveysLoaders } from './surveys.loaders';
import { SurveysService } from './surveys.service';

@InputType()
export class SurveyStatsFilter {
  @Field(() => GraphQLISODateTime, { description: 'Surveys sent at or after.' }) from!: Date;
  @Field(() => GraphQLISODateTime, { description: 'Surveys sent before.' }) to!: Date;
  @Field(() => [ID], { nullable: true }) teamIds?: string[] | null;
  @Field(() => [ID], { nullable: true }) agentIds?: string[] | null;
}

@Resolver()
export class SurveyStatsResolver {
  constructor(private readonly surveys: SurveysService) {}

  @Roles('team_lead', 'account_manager', 'admin')
  @Query(() => [SurveyStatsObject], {
    description:
      'Survey KPIs (sent, responded, response rate, CSAT %, mean CES, NPS) grouped by team, agent, week, month or kind. Team leads see their own teams only.',
  })
  surveyStats(
    @CurrentUser() actor: Actor,
    @Args('filter') filter: SurveyStatsFilter,
    @Args('groupBy', { type: () => SurveyGroupEnum, nullable: true, defaultValue: 'none' })
    groupBy: StatsGroup,
  ) {
    let teamIds = filter.teamIds?.map((id) => validateId(id, 'filter.teamIds')) ?? undefined;
    if (actor.role === 'team_lead') {
      // the teams they belong to (several: user_teams)
      const own = actor.teamIds;
      if (!own.length)
        throw forbidden('a team lead without a team has no survey statistics to see');
      if (teamIds && teamIds.some((t) => !own.includes(t)))
        throw forbidden('team leads see only their own teams');
      teamIds = teamIds?.length ? teamIds : own;
    }
    return this.surveys.stats(
      {
        from: filter.from,
        to: filter.to,
        teamIds,
        agentIds: filter.agentIds?.map((id) => validateId(id, 'filter.agentIds')),
      },
      groupBy,
    );
  }
}

@Resolver(() => TicketObject)
export class TicketSurveysResolver {
  @ResolveField(() => [SurveyObject], {
    description: 'CSAT surveys of this ticket, one per solve cycle at most.',
  })
  surveys(@Parent() t: TicketObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(SurveysLoaders).ofTicket.load(t.id);
  }
}

@Resolver(() => CustomerObject)
export class CustomerSurveysResolver {
  @ResolveField(() => [SurveyObject], {
    description: "The customer's 20 most recent surveys (CSAT and NPS), newest first.",
  })
  surveys(@Parent() c: CustomerObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(SurveysLoaders).ofCustomer.load(c.id);
  }
}
