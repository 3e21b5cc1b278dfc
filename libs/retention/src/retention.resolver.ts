import {
  Args,
  GraphQLISODateTime,
  ID,
  Int,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { Loaders, RequestLoaders, pagedComplexity } from '@staydesk/core';
import { CustomerObject, CustomersLoaders } from '@staydesk/customers';
import { Actor, CurrentUser, IdentityLoaders, Roles, UserObject } from '@staydesk/identity';
import { RiskListFilterInput } from './retention-rules';
import { figuresView, riskRowView } from './retention-view';
import {
  OutreachResultObject,
  RetentionCustomerConnection,
  RetentionCustomerObject,
  RetentionFigureEnum,
  RetentionPeriodInput,
  RetentionSnoozeObject,
  RetentionSummaryObject,
  RiskListConnection,
  RiskListFilterInputType,
  RiskListOrderEnum,
  RiskListRowObject,
} from './retention.object';
import { RetentionService } from './retention.service';
import { ValueSegmentEnum } from '@staydesk/value';
import { BandEnum } from '@staydesk/risk';

const WHO = 'Account managers (their own or unassigned customers) and admins.';

@Resolver(() => RiskListRowObject)
export class RetentionResolver {
  constructor(private readonly service: RetentionService) {}

  @Roles('account_manager', 'admin')
  @Query(() => RiskListConnection, {
    description:
      'The churn-risk list: active scored customers, cursor-paginated, ranked by orderBy (default score). Snoozed customers are left out unless filter.snoozed says otherwise. For account managers and admins.',
    complexity: pagedComplexity,
  })
  async riskList(
    @CurrentUser() actor: Actor,
    @Args('filter', { type: () => RiskListFilterInputType, nullable: true })
    filter: RiskListFilterInputType | null,
    @Args('orderBy', { type: () => RiskListOrderEnum, nullable: true }) orderBy: string | null,
    @Args('changeDays', {
      type: () => Int,
      nullable: true,
      description: 'Window of scoreChange in days (default 30, or filter.risingDays).',
    })
    changeDays: number | null,
    @Args('first', {
      type: () => Int,
      nullable: true,
      description: 'Page size, 1–100 (default 25).',
    })
    first: number | null,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: 'endCursor of the previous page.',
    })
    after: string | null,
  ) {
    const q = this.service.riskQuery(
      actor,
      (filter ?? {}) as RiskListFilterInput,
      orderBy,
      changeDays,
    );
    const conn = await this.service.riskList(q, first, after);
    return { ...conn, edges: conn.edges.map((e) => ({ ...e, node: riskRowView(e.node) })) };
  }

  @Roles('account_manager', 'admin')
  @Query(() => RetentionSummaryObject, {
    description:
      'Customers at start/end, acquired, churned, retention and churn rates, revenue at risk and customers per band for [period.from, period.to), and the same for the period of equal length before it.',
  })
  async retentionSummary(
    @Args('period', { type: () => RetentionPeriodInput }) period: RetentionPeriodInput,
  ) {
    const s = await this.service.summary(period.from, period.to);
    return { current: figuresView(s.current), previous: figuresView(s.previous) };
  }

  @Roles('account_manager', 'admin')
  @Query(() => RetentionCustomerConnection, {
    description:
      'The customers behind a retentionSummary figure of [period.from, period.to) (the same definitions), by id, paged; optionally of one value segment (segment) or of customers with an unknown value (unknownSegment: true).',
    complexity: pagedComplexity,
  })
  retentionCustomers(
    @Args('period', { type: () => RetentionPeriodInput }) period: RetentionPeriodInput,
    @Args('figure', { type: () => RetentionFigureEnum }) figure: string,
    @Args('segment', { type: () => ValueSegmentEnum, nullable: true }) segment: string | null,
    @Args('unknownSegment', { type: () => Boolean, nullable: true }) unknownSegment: boolean | null,
    @Args('band', {
      type: () => BandEnum,
      nullable: true,
      description: 'Only customers in this risk band as of period.to (as customersByBand).',
    })
    band: string | null,
    @Args('first', {
      type: () => Int,
      nullable: true,
      description: 'Page size, 1–100 (default 25).',
    })
    first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.service.periodCustomers(
      period.from,
      period.to,
      figure,
      unknownSegment ? null : (segment ?? undefined),
      first,
      after,
      band ?? null,
    );
  }

  @Roles('account_manager', 'admin')
  @Mutation(() => RetentionSnoozeObject, {
    description: `Take a customer off the risk list for 1–365 days, with a reason (replaces an earlier snooze). ${WHO}`,
  })
  snoozeCustomer(
    @CurrentUser() actor: Actor,
    @Args('customerId', { type: () => ID }) customerId: string,
    @Args('days', { type: () => Int }) days: number,
    @Args('reason', { type: () => String }) reason: string,
  ) {
    return this.service.snooze(actor, customerId, days, reason);
  }

  @Roles('account_manager', 'admin')
  @Mutation(() => Boolean, { description: `End a snooze early. ${WHO}` })
  unsnoozeCustomer(
    @CurrentUser() actor: Actor,
    @Args('customerId', { type: () => ID }) customerId: string,
  ) {
    return this.service.unsnooze(actor, customerId);
  }

  @Roles('account_manager', 'admin')
  @Mutation(() => OutreachResultObject, {
    description: `Log an outreach to an at-risk customer: completes the open at_risk_outreach follow-ups with the note (creating one when none is open), and opens the next one at nextFollowUpAt if given. ${WHO}`,
  })
  logOutreach(
    @CurrentUser() actor: Actor,
    @Args('customerId', { type: () => ID }) customerId: string,
    @Args('note', { type: () => String }) note: string,
    @Args('nextFollowUpAt', { type: () => GraphQLISODateTime, nullable: true })
    nextFollowUpAt: Date | null,
  ) {
    return this.service.logOutreach(actor, customerId, note, nextFollowUpAt);
  }

  @Roles('account_manager', 'admin')
  @Mutation(() => CustomerObject, {
    description: `Mark a customer churned (customer status change with history and event; open outreach follow-ups completed). ${WHO}`,
  })
  markChurned(
    @CurrentUser() actor: Actor,
    @Args('customerId', { type: () => ID }) customerId: string,
    @Args('reason', { type: () => String }) reason: string,
  ) {
    return this.service.markChurned(actor, customerId, reason);
  }

  @Roles('account_manager', 'admin')
  @Mutation(() => CustomerObject, {
    description: `Mark a customer retained: open outreach follow-ups completed with the note; a churned customer is reactivated (status change with history and event). ${WHO}`,
  })
  markRetained(
    @CurrentUser() actor: Actor,
    @Args('customerId', { type: () => ID }) customerId: string,
    @Args('note', { type: () => String }) note: string,
  ) {
    return this.service.markRetained(actor, customerId, note);
  }

  @ResolveField(() => CustomerObject, { description: 'The customer.' })
  customer(@Parent() r: RiskListRowObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(CustomersLoaders).customer.load(r.customerId);
  }

  @ResolveField(() => UserObject, { nullable: true, description: 'The account manager (owner).' })
  owner(@Parent() r: RiskListRowObject, @Loaders() loaders: RequestLoaders) {
    return r.accountManagerId ? loaders.get(IdentityLoaders).user.load(r.accountManagerId) : null;
  }
}

@Resolver(() => RetentionCustomerObject)
export class RetentionCustomerResolver {
  @ResolveField(() => CustomerObject, { description: 'The customer.' })
  customer(@Parent() r: RetentionCustomerObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(CustomersLoaders).customer.load(r.customerId);
  }
}
