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
import { ValueSegmentEnum } from '@staydesk/core';
import { BASES, SCHEMES, SEGMENT_BASES } from './value-rules';

export { ValueSegmentEnum };
export const ValueSegmentBasisEnum = Object.fromEntries(SEGMENT_BASES.map((s) => [s, s]));
registerEnumType(ValueSegmentBasisEnum, {
  name: 'ValueSegmentBasis',
  description:
    'What a customer was placed in its value segment by. to_date: lifetime value to date. run_rate: an active customer with less than 6 active months and a known MRR, placed by current MRR × 6 because that is higher than its value to date (a new customer paying a lot is not put in the lowest segment for being new).',
});
export const ValueSegmentSchemeEnum = Object.fromEntries(SCHEMES.map((s) => [s, s]));
registerEnumType(ValueSegmentSchemeEnum, {
  name: 'ValueSegmentScheme',
  description:
    'How value segments are cut. quartiles (default): quarters of the active customers by placement value. bands: lower bounds in money set by an admin.',
});
export const ValueBasisEnum = Object.fromEntries([...BASES, 'not_computed'].map((s) => [s, s]));
registerEnumType(ValueBasisEnum, {
  name: 'ValueBasis',
  description:
    "What the expected lifetime value was computed from. fitted_model: the customer was scored by a fitted, calibrated risk model (version fitted-…-h<days>): monthly churn probability = 1 − (1 − p)^(30.4375 ÷ days). segment_churn_rate: the observed monthly churn rate of the customer's value segment over the last 365 days. churned: a churned customer expects nothing more. unknown: no segment (value to date unknown) or no exposure in the segment. not_computed: the nightly computation has not run yet.",
});

@ObjectType('LifetimeValue', {
  description:
    'Customer lifetime value (docs/kpis.md "Lifetime value"). Money in the MRR currency.',
})
export class LifetimeValueObject {
  @Field(() => Float, {
    nullable: true,
    description:
      'Lifetime value to date = Σ MRR × months as a customer, over the MRR history (customer_mrr_history) and the active periods (customer_since to churn, again from each reactivation; customer_status_changes). A month = 30.4375 days. Null ("unknown", never 0) when any paying period has no known MRR, e.g. an import without MRR.',
  })
  toDate!: number | null;
  @Field(() => Float, {
    description: 'Months as a customer: the active periods up to now, in 30.4375-day months.',
  })
  monthsAsCustomer!: number;
  @Field(() => Float, {
    nullable: true,
    description:
      'Expected (remaining) lifetime value = current MRR × expected remaining months; expected months = min(60, 1 ÷ monthly churn probability), the probability from `basis`. 0 for churned customers; null when the MRR or the churn probability is not known.',
  })
  expected!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Expected remaining months = min(60, 1 ÷ monthly churn probability).',
  })
  expectedMonths!: number | null;
  @Field(() => ValueSegmentEnum, {
    nullable: true,
    description:
      'Value segment (quartile of active customers or admin-set band, see ValueSegment); null when the value is unknown.',
  })
  segment!: string | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'The value the segment was chosen by, as of the computation: the lifetime value to date, or current MRR × 6 (segmentBasis run_rate).',
  })
  segmentValue!: number | null;
  @Field(() => ValueSegmentBasisEnum, {
    nullable: true,
    description:
      'Which value placed the customer: to_date, or run_rate (less than 6 active months, MRR × 6 higher than the value to date). Null when the value is unknown or not computed yet.',
  })
  segmentBasis!: string | null;
  @Field(() => ValueBasisEnum, { description: 'Which churn probability the expected value used.' })
  basis!: string;
  @Field({ description: 'The basis in words, with the rate or model version used.' })
  basisDetail!: string;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description:
      'When segment and expected months were computed (the worker, nightly); toDate is always as of now.',
  })
  computedAt!: Date | null;
}

@ObjectType('MrrChange', { description: "One entry of a customer's MRR history." })
export class MrrChangeObject {
  @Field(() => ID) id!: string;
  @Field(() => Float, { nullable: true, description: 'MRR from effectiveFrom; null = not known.' })
  mrr!: number | null;
  @Field(() => GraphQLISODateTime, {
    description: 'From when (the first entry counts from the start of the customer).',
  })
  effectiveFrom!: Date;
  @Field({ description: 'backfill (before history was kept), app or import.' }) source!: string;
  @Field(() => ID, { nullable: true }) actorId!: string | null;
}

@ObjectType('ValueSegmentInfo', { description: 'A value segment: bound and observed churn.' })
export class ValueSegmentObject {
  @Field(() => ValueSegmentEnum) segment!: string;
  @Field(() => Float, {
    description:
      "The segment's lower bound: with quartiles, the smallest placement value (lifetime value to date, or MRR × 6 for a short history) of its quartile; with bands, the band's lower bound set by an admin.",
  })
  minToDate!: number;
  @Field(() => Int, { description: 'Active customers in the segment.' }) activeCustomers!: number;
  @Field(() => ValueSegmentSchemeEnum, {
    description: 'The scheme of this computation: quartiles or admin-set bands.',
  })
  scheme!: string;
  @Field(() => Int, {
    description: "Churns of the segment's customers in the last 365 days.",
  })
  churned12m!: number;
  @Field(() => Float, {
    description: "Active customer-months of the segment's customers in the last 365 days.",
  })
  customerMonths12m!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'Observed monthly churn rate = churned12m ÷ customerMonths12m.',
  })
  monthlyChurnRate!: number | null;
  @Field(() => GraphQLISODateTime) computedAt!: Date;
}

@ObjectType('ValueSegmentBand', { description: 'An admin-set value band.' })
export class ValueSegmentBandObject {
  @Field(() => ValueSegmentEnum) segment!: string;
  @Field(() => Float, { description: 'Lower bound in money (placement value ≥ it).' })
  minValue!: number;
}

@InputType('ValueSegmentBandInput')
export class ValueSegmentBandInput {
  @Field(() => ValueSegmentEnum) segment!: string;
  @Field(() => Float, { description: 'Lower bound in money, 0 or more, at most 2 decimals.' })
  minValue!: number;
}

@ObjectType('ValueSegmentSchemeInfo', {
  description:
    'The value segment scheme the next computation uses (valueSegments shows the last computation).',
})
export class ValueSegmentSchemeObject {
  @Field(() => ValueSegmentSchemeEnum) scheme!: string;
  @Field(() => [ValueSegmentBandObject], {
    description: 'The bands, lowest first (quartiles: none).',
  })
  bands!: ValueSegmentBandObject[];
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the bands were set.' })
  setAt!: Date | null;
  @Field(() => ID, { nullable: true, description: 'Who set the bands.' }) setById!: string | null;
}
