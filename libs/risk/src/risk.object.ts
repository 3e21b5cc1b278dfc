import { Field, Float, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';
import { BandEnum } from '@staydesk/core';

export { BandEnum };

@ObjectType('RiskFactor', { description: 'One reason behind a risk score.' })
export class RiskFactorObject {
  @Field({
    description:
      'Factor id, e.g. sla_breaches, negative_sentiment, low_csat; no_ticket_history is a note.',
  })
  name!: string;
  @Field({ description: 'The factor in words.' }) label!: string;
  @Field(() => Float, {
    nullable: true,
    description: 'The raw fact (tickets, days, share 0–1, mean score…); null when unknown.',
  })
  value!: number | null;
  @Field(() => Float, {
    description:
      'Points of the score this factor accounts for; they add up to the score minus the baseline of a customer with nothing wrong.',
  })
  contribution!: number;
}

@ObjectType('RiskScore', {
  description:
    'Explainable churn risk: score = 100 × logistic(intercept + Σ weight × factor input). See docs/risk-model.md.',
})
export class RiskScoreObject {
  @Field(() => Float, { description: '0 (safe) to 100 (about to churn).' }) score!: number;
  @Field(() => BandEnum) band!: string;
  @Field(() => [RiskFactorObject], { description: 'Every factor, largest contribution first.' })
  factors!: RiskFactorObject[];
  @Field(() => GraphQLISODateTime) computedAt!: Date;
  @Field() modelVersion!: string;
  @Field(() => GraphQLISODateTime, { description: 'When the customer entered the current band.' })
  bandSince!: Date;
  @Field(() => Float, {
    nullable: true,
    description: 'Score now minus the score 30 days ago (null without history).',
  })
  trend!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'When a fitted model is active: the calibrated chance (0–1) of churning within probabilityHorizonDays ("18 % chance of churn in 90 days"). Null for the default model, whose score is a risk index, not a probability.',
  })
  churnProbability!: number | null;
  @Field(() => Int, {
    nullable: true,
    description: 'The horizon of churnProbability in days (null when it is null).',
  })
  probabilityHorizonDays!: number | null;
}

@ObjectType('RiskHistoryPoint', {
  description: 'A recorded score (band changes and moves of 5+ points), for a chart.',
})
export class RiskHistoryPointObject {
  @Field(() => Float) score!: number;
  @Field(() => BandEnum) band!: string;
  @Field(() => BandEnum, { nullable: true }) previousBand!: string | null;
  @Field() modelVersion!: string;
  @Field(() => GraphQLISODateTime) computedAt!: Date;
}
