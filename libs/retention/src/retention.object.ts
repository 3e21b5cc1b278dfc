import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { ConnectionType } from '@staydesk/core';
import { FollowUpObject } from '@staydesk/followups';
import { BandEnum } from '@staydesk/risk';
import { TierEnum } from '@staydesk/customers';
import { ValueBasisEnum, ValueSegmentEnum } from '@staydesk/value';
import { RISK_ORDERS, SNOOZE_FILTERS } from './retention-rules';

export const RiskListOrderEnum = Object.fromEntries(RISK_ORDERS.map((o) => [o, o]));
registerEnumType(RiskListOrderEnum, {
  name: 'RiskListOrder',
  description:
    'score: highest churn risk first. revenue_at_risk: highest score × MRR first (risk-weighted monthly revenue). score_change: largest rise of the score since the start of the UTC day changeDays ago first (customers without an earlier score last). expected_value_at_risk: highest expected lifetime value × score ÷ 100 first (the value a churn would lose; unknown values last). going_quiet: customers whose ticket rate dropped most against their own past first (the contact_drop factor). Ties by customer id.',
});
export const SnoozeFilterEnum = Object.fromEntries(SNOOZE_FILTERS.map((o) => [o, o]));
registerEnumType(SnoozeFilterEnum, {
  name: 'SnoozeFilter',
  description:
    'exclude (default): snoozed customers leave the list until the snooze ends. include: show them too. only: only them.',
});
export const NpsCategoryEnum = { promoter: 'promoter', passive: 'passive', detractor: 'detractor' };
registerEnumType(NpsCategoryEnum, {
  name: 'NpsCategory',
  description: 'NPS answer category: promoter 9–10, passive 7–8, detractor 0–6.',
});

@InputType('RiskListFilter', {
  description: 'Filters of the churn-risk list (all optional, combined with AND).',
})
export class RiskListFilterInputType {
  @Field(() => Boolean, {
    nullable: true,
    description: 'Only customers you are the account manager of.',
  })
  mine?: boolean | null;
  @Field(() => ID, { nullable: true, description: 'Only customers of this account manager.' })
  accountManagerId?: string | null;
  @Field(() => [BandEnum], { nullable: true, description: 'Only these risk bands.' })
  bands?: string[] | null;
  @Field(() => [TierEnum], { nullable: true, description: 'Only these tiers.' })
  tiers?: string[] | null;
  @Field(() => Float, { nullable: true, description: 'MRR at least this.' }) mrrMin?: number | null;
  @Field(() => Float, { nullable: true, description: 'MRR at most this (not below mrrMin).' })
  mrrMax?: number | null;
  @Field(() => Int, { nullable: true, description: 'Renewal date from today to today + N days.' })
  renewalWithinDays?: number | null;
  @Field(() => Int, {
    nullable: true,
    description:
      'Only customers whose score rose over the last N days (score now > score N days ago); also sets changeDays.',
  })
  risingDays?: number | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'true: only customers with an open follow-up; false: only without.',
  })
  hasOpenFollowUp?: boolean | null;
  @Field(() => SnoozeFilterEnum, {
    nullable: true,
    description: 'Snoozed customers: exclude (default), include or only.',
  })
  snoozed?: string | null;
  @Field(() => [ValueSegmentEnum], {
    nullable: true,
    description: 'Only these value segments (quartiles of lifetime value to date, nightly).',
  })
  valueSegments?: string[] | null;
}

@ObjectType('RiskListRow', {
  description: 'A customer on the churn-risk list, with why and what is going on.',
})
export class RiskListRowObject {
  @Field(() => ID) customerId!: string;
  @Field(() => Float, { description: 'Churn-risk score 0–100.' }) score!: number;
  @Field(() => BandEnum) band!: string;
  @Field(() => Float, { description: 'Monthly recurring revenue.' }) mrr!: number;
  @Field(() => Float, {
    description:
      'Risk-weighted revenue = score ÷ 100 × MRR (what the revenue_at_risk ordering sorts by).',
  })
  riskWeightedMrr!: number;
  @Field(() => Float, {
    nullable: true,
    description:
      'Score now − the score at the start of the UTC day changeDays ago (the last recorded at or before it, else the first after it); null without history.',
  })
  scoreChange!: number | null;
  @Field(() => [String], { description: 'The three factors adding most to the score, in words.' })
  topFactors!: string[];
  @Field(() => Int, { description: 'Tickets not solved/closed.' }) openTickets!: number;
  @Field(() => Int, { nullable: true, description: 'The latest CSAT rating (1–5).' }) lastCsat!:
    number | null;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'When the latest CSAT rating was given.',
  })
  lastCsatAt!: Date | null;
  @Field(() => NpsCategoryEnum, {
    nullable: true,
    description: 'Category of the latest NPS answer.',
  })
  npsCategory!: string | null;
  @Field(() => String, { nullable: true, description: 'Renewal date (YYYY-MM-DD).' }) renewalDate!:
    string | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Days from today to the renewal date (negative: passed).',
  })
  daysToRenewal!: number | null;
  @Field(() => ID, { nullable: true, description: 'The account manager (owner).' })
  accountManagerId!: string | null;
  @Field(() => Int, { description: 'Open follow-ups on the customer.' }) openFollowUps!: number;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'Snoozed until (null when not snoozed).',
  })
  snoozedUntil!: Date | null;
  @Field(() => String, { nullable: true, description: 'Why it was snoozed.' }) snoozeReason!:
    string | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'Lifetime value to date (Σ MRR × months as a customer) as of the nightly computation; null when unknown.',
  })
  lifetimeValue!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Expected lifetime value = MRR × expected remaining months (see valueBasis).',
  })
  expectedLifetimeValue!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'Expected value at risk = expected lifetime value × score ÷ 100 (what the expected_value_at_risk ordering sorts by).',
  })
  expectedValueAtRisk!: number | null;
  @Field(() => ValueSegmentEnum, { nullable: true, description: 'Value segment.' })
  valueSegment!: string | null;
  @Field(() => ValueBasisEnum, {
    nullable: true,
    description: 'Which churn probability the expected value used.',
  })
  valueBasis!: string | null;
}

export const RiskListConnection = ConnectionType(RiskListRowObject, 'RiskList');

@ObjectType('RetentionSnooze', { description: 'A customer taken off the risk list until a date.' })
export class RetentionSnoozeObject {
  @Field(() => ID) customerId!: string;
  @Field(() => GraphQLISODateTime) until!: Date;
  @Field() reason!: string;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@ObjectType('OutreachResult', { description: 'What logging an outreach did.' })
export class OutreachResultObject {
  @Field(() => [FollowUpObject], {
    description: 'The at_risk_outreach follow-ups completed with the note.',
  })
  completed!: FollowUpObject[];
  @Field(() => FollowUpObject, {
    nullable: true,
    description: 'The next outreach follow-up, when asked for.',
  })
  next!: FollowUpObject | null;
}

@InputType('RetentionPeriod', { description: 'A half-open period [from, to).' })
export class RetentionPeriodInput {
  @Field(() => GraphQLISODateTime) from!: Date;
  @Field(() => GraphQLISODateTime) to!: Date;
}

@ObjectType('BandCount', { description: 'Customers in one risk band.' })
export class BandCountObject {
  @Field(() => BandEnum) band!: string;
  @Field(() => Int) customers!: number;
  @Field(() => Float, {
    description: 'Σ MRR of those customers (revenue per band; high + critical = revenueAtRisk).',
  })
  mrr!: number;
}

@ObjectType('SegmentRetention', {
  description:
    "Retention and revenue retention of one value segment (the customer's current segment, from the nightly value computation; null = value unknown), or of everyone (RetentionFigures.revenue).",
})
export class SegmentRetentionObject {
  @Field(() => ValueSegmentEnum, { nullable: true, description: 'null: lifetime value unknown.' })
  segment!: string | null;
  @Field(() => Int, { description: 'Active at `from` (as RetentionFigures.customersAtStart).' })
  customersAtStart!: number;
  @Field(() => Int) customersAtEnd!: number;
  @Field(() => Int) acquired!: number;
  @Field(() => Int) churned!: number;
  @Field(() => Float, { nullable: true }) retentionRatePercent!: number | null;
  @Field(() => Float, { nullable: true }) churnRatePercent!: number | null;
  @Field(() => Float, {
    description:
      'MRR at start = Σ MRR at `from` (customer_mrr_history) of the customers active at `from`; unknown MRRs are left out (see unknownMrr).',
  })
  revenueAtStart!: number;
  @Field(() => Float, {
    description: 'MRR lost = Σ MRR at `from` of the customers active at `from` and not at `to`.',
  })
  revenueChurned!: number;
  @Field(() => Float, {
    description:
      'Σ MRR at `to` of the customers active at `from` (0 for those lost): expansion and contraction included, new customers not.',
  })
  revenueRetained!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'Revenue churn % = MRR lost ÷ MRR at start × 100 (null without MRR at start).',
  })
  revenueChurnRatePercent!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'Net revenue retention % = revenueRetained ÷ MRR at start × 100 (null without MRR at start).',
  })
  netRevenueRetentionPercent!: number | null;
  @Field(() => Int, { description: 'Customers active at `from` whose MRR then is not known.' })
  unknownMrr!: number;
}

@ObjectType('RetentionFigures', { description: 'Retention of one period (DESIGN §4 definitions).' })
export class RetentionFiguresObject {
  @Field(() => GraphQLISODateTime) from!: Date;
  @Field(() => GraphQLISODateTime) to!: Date;
  @Field(() => Int, {
    description:
      'Customers at start = signed up before `from` and active at `from` (last status change before it, from customer_status_changes).',
  })
  customersAtStart!: number;
  @Field(() => Int, { description: 'Customers at end = signed up before `to` and active at `to`.' })
  customersAtEnd!: number;
  @Field(() => Int, { description: 'Customers acquired = customer_since in [from, to).' })
  acquired!: number;
  @Field(() => Int, {
    description: 'Customers churned = customers with a change to churned in [from, to).',
  })
  churned!: number;
  @Field(() => Float, {
    nullable: true,
    description:
      'Retention rate % = (customers at end − customers acquired in the period) ÷ customers at start × 100 (null without customers at start).',
  })
  retentionRatePercent!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Churn rate % = customers churned in the period ÷ customers at start × 100.',
  })
  churnRatePercent!: number | null;
  @Field(() => Float, {
    description:
      'Revenue at risk = sum of the MRR of customers active at `to` in the high and critical bands (band as of `to`, from risk_score_history).',
  })
  revenueAtRisk!: number;
  @Field(() => [BandCountObject], {
    description:
      'Customers active at `to` per risk band (as of `to`; unscored ones are not counted).',
  })
  customersByBand!: BandCountObject[];
  @Field(() => SegmentRetentionObject, {
    description: 'Revenue churn and net revenue retention of everyone (segment null here).',
  })
  revenue!: SegmentRetentionObject;
  @Field(() => [SegmentRetentionObject], {
    description:
      'The same per value segment (top, high, mid, low, then null = unknown value); segments without customers are left out.',
  })
  bySegment!: SegmentRetentionObject[];
}

@ObjectType('RetentionSummary', {
  description: 'Retention of a period and of the period of the same length just before it.',
})
export class RetentionSummaryObject {
  @Field(() => RetentionFiguresObject) current!: RetentionFiguresObject;
  @Field(() => RetentionFiguresObject) previous!: RetentionFiguresObject;
}

export const RetentionFigureEnum = {
  customers_at_start: 'customers_at_start',
  customers_at_end: 'customers_at_end',
  acquired: 'acquired',
  churned: 'churned',
  lost: 'lost',
};
registerEnumType(RetentionFigureEnum, {
  name: 'RetentionFigure',
  description:
    'A retentionSummary figure: customers_at_start, customers_at_end, acquired, churned (a change to churned in the period), lost (active at the start, not at the end: behind revenueChurned).',
});

@ObjectType('RetentionCustomer', { description: 'A customer behind a retentionSummary figure.' })
export class RetentionCustomerObject {
  @Field(() => ID) customerId!: string;
  @Field(() => ValueSegmentEnum, { nullable: true, description: 'Current value segment.' })
  segment!: string | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'MRR at the start of the period (customers active then; null otherwise or unknown).',
  })
  mrrAtStart!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'MRR at the end of the period, for customers active at the start.',
  })
  mrrAtEnd!: number | null;
}

export const RetentionCustomerConnection = ConnectionType(
  RetentionCustomerObject,
  'RetentionCustomer',
  'All customers behind the figure (exact: equals the retentionSummary figure for the same period, segment and band); null only on a page past the end.',
);
