import { Args, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Loaders, RequestLoaders, pagedComplexity } from '@staydesk/core';
import { CustomerObject, CustomersLoaders } from '@staydesk/customers';
import { TicketObject, loadReadableTicket } from '@staydesk/tickets';
import {
  Actor,
  CurrentUser,
  IdentityLoaders,
  Roles,
  TeamObject,
  UserObject,
} from '@staydesk/identity';
import { toView } from './kpi-format';
import {
  KpiDrillOrderEnum,
  KpiFilterInputType,
  KpiMetricEnum,
  KpiRowObject,
  KpiSurveyFiguresObject,
  KpiTicketConnection,
  KpiTicketObject,
  SupportKpisObject,
} from './kpis.object';
import { KpiDrillService } from './kpi-drill.service';
import { KpisService } from './kpis.service';

@Resolver(() => SupportKpisObject)
export class KpisResolver {
  constructor(private readonly service: KpisService) {}

  @Roles('team_lead', 'admin')
  @Query(() => SupportKpisObject, {
    description:
      'Support KPIs over [filter.from, filter.to), grouped by any of agent, team, channel, priority, tier, segment (customer value segment) and one of day/week/month (UTC). Team leads see their own teams only. Figures follow DESIGN §4; each field names its formula. Errors: BAD_USER_INPUT for a missing, inverted or too long range (KPI_MAX_RANGE_DAYS) or an unknown group key.',
  })
  async supportKpis(
    @CurrentUser() actor: Actor,
    @Args('filter', { type: () => KpiFilterInputType }) filter: KpiFilterInputType,
    @Args('groupBy', {
      type: () => [String],
      nullable: true,
      defaultValue: [],
      description:
        'Group keys: any of agent, team, channel, priority, tier, segment (customer value segment: top, high, mid, low), at most one ticket custom field as custom.<key> (an active text, dropdown or checkbox field: one row per value plus one with customValue null for tickets without a value; answered from the facts), plus at most one of day, week (Monday-based), month (UTC). Unknown keys are BAD_USER_INPUT.',
    })
    groupBy: string[],
  ) {
    const t = await this.service.supportKpis(actor, filter, groupBy);
    return { ...t, rows: t.rows.map(toView) };
  }

  @Roles('team_lead', 'admin')
  @Query(() => KpiSurveyFiguresObject, {
    description:
      "CES and NPS of [filter.from, filter.to) for the KPI dashboard, with surveyStats' definitions and supportKpis' scoping (team leads: their own teams). Only teamIds, agentIds and noValue: [team | agent] apply (BAD_USER_INPUT otherwise). Cached until the worker's next KPI refresh.",
  })
  supportKpiSurveys(
    @CurrentUser() actor: Actor,
    @Args('filter', { type: () => KpiFilterInputType }) filter: KpiFilterInputType,
  ) {
    return this.service.surveyFigures(actor, filter);
  }
}

@Resolver(() => KpiRowObject)
export class KpiRowResolver {
  @ResolveField(() => TeamObject, { nullable: true, description: 'The team of the group.' })
  team(@Parent() r: KpiRowObject, @Loaders() loaders: RequestLoaders) {
    return r.teamId ? loaders.get(IdentityLoaders).team.load(r.teamId) : null;
  }

  @ResolveField(() => UserObject, { nullable: true, description: 'The agent of the group.' })
  agent(@Parent() r: KpiRowObject, @Loaders() loaders: RequestLoaders) {
    return r.agentId ? loaders.get(IdentityLoaders).user.load(r.agentId) : null;
  }
}

@Resolver(() => KpiTicketObject)
export class KpiDrillResolver {
  constructor(private readonly drill: KpiDrillService) {}

  @Roles('team_lead', 'admin')
  @Query(() => KpiTicketConnection, {
    description:
      "Drill-down: the tickets (or ratings) behind a supportKpis figure, paged, with the figure's definition (KpiMetric), filter and scoping. Give the bucket of the figure as filter.from/to and its group as filter values (e.g. teamIds: [team]); totalCount equals the figure. Tickets of private teams the caller is not in count in the figure and totalCount but are not listed.",
    complexity: pagedComplexity,
  })
  supportKpiTickets(
    @CurrentUser() actor: Actor,
    @Args('filter', { type: () => KpiFilterInputType }) filter: KpiFilterInputType,
    @Args('metric', { type: () => KpiMetricEnum }) metric: string,
    @Args('orderBy', { type: () => KpiDrillOrderEnum, nullable: true }) orderBy: string | null,
    @Args('first', {
      type: () => Int,
      nullable: true,
      description: 'Page size, 1–100 (default 25).',
    })
    first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.drill.tickets(actor, filter, metric, orderBy, first, after);
  }

  @ResolveField(() => TicketObject, { nullable: true, description: 'The ticket.' })
  ticket(
    @Parent() r: KpiTicketObject,
    @CurrentUser() actor: Actor,
    @Loaders() loaders: RequestLoaders,
  ) {
    return r.ticketId ? loadReadableTicket(loaders, actor, r.ticketId) : null;
  }

  @ResolveField(() => CustomerObject, {
    nullable: true,
    description: 'The survey’s customer (survey metrics; the one an NPS answer is about).',
  })
  customer(@Parent() r: KpiTicketObject, @Loaders() loaders: RequestLoaders) {
    return r.customerId ? loaders.get(CustomersLoaders).customer.load(r.customerId) : null;
  }
}
