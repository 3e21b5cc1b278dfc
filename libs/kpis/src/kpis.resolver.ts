import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Loaders, RequestLoaders } from '@staydesk/core';
import {
  Actor,
  CurrentUser,
  IdentityLoaders,
  Roles,
  TeamObject,
  UserObject,
} from '@staydesk/identity';
import { toView } from './kpi-format';
import { KpiFilterInputType, KpiRowObject, SupportKpisObject } from './kpis.object';
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
        'Group keys: any of agent, team, channel, priority, tier, segment (customer value segment: top, high, mid, low), plus at most one of day, week (Monday-based), month (UTC). Unknown keys are BAD_USER_INPUT.',
    })
    groupBy: string[],
  ) {
    const t = await this.service.supportKpis(actor, filter, groupBy);
    return { ...t, rows: t.rows.map(toView) };
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
