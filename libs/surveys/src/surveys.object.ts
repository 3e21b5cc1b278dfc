import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { SURVEY_KINDS } from './survey-rules';

export const SurveyKindEnum = Object.fromEntries(SURVEY_KINDS.map((k) => [k, k]));
registerEnumType(SurveyKindEnum, {
  name: 'SurveyKind',
  description:
    'csat: satisfaction after a solve, 1–5 (with optional CES 1–7). nps: relationship survey, 0–10.',
});

export const SurveyGroupEnum = {
  none: 'none',
  team: 'team',
  agent: 'agent',
  week: 'week',
  month: 'month',
  kind: 'kind',
  segment: 'segment',
};
registerEnumType(SurveyGroupEnum, {
  name: 'SurveyGroup',
  description:
    "How surveyStats rows are grouped. week/month (UTC): sending figures by sent time, answers by answered time. team/agent: the ticket's current team and assignee (as supportKpis). segment: the customer's value segment (top, high, mid, low; null = unknown).",
});

@ObjectType('Survey', { description: 'A survey sent to a contact, and the answer if any.' })
export class SurveyObject {
  @Field(() => ID) id!: string;
  @Field(() => SurveyKindEnum) kind!: string;
  @Field(() => ID, { nullable: true }) ticketId!: string | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Which solve of the ticket it follows (1 = first).',
  })
  solveCycle!: number | null;
  @Field(() => ID) contactId!: string;
  @Field(() => ID) customerId!: string;
  @Field(() => GraphQLISODateTime, { nullable: true }) sentAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) remindedAt!: Date | null;
  @Field(() => GraphQLISODateTime) expiresAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) respondedAt!: Date | null;
  @Field(() => Int, { nullable: true, description: 'CSAT 1–5 or NPS 0–10.' }) score!: number | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Customer effort 1–7 (7 = very easy), CSAT only.',
  })
  cesScore!: number | null;
  @Field(() => String, { nullable: true }) comment!: string | null;
}

@ObjectType('SurveyStats', {
  description:
    'Survey KPIs of the range, with the same definitions as supportKpis (docs/kpis.md): sending figures (sent, responded, response rates) over surveys sent in [from, to), answered at any time; answers (CSAT, CES, NPS) over answers given in [from, to). CSAT % = ratings 4–5 ÷ all CSAT ratings × 100. CES = mean of 1–7. NPS = % promoters (9–10) − % detractors (0–6). Percentages have two decimals.',
})
export class SurveyStatsObject {
  @Field(() => String, {
    nullable: true,
    description:
      'Team id, agent id, week (YYYY-MM-DD, Monday), month (YYYY-MM) or kind; null for none.',
  })
  groupKey!: string | null;
  @Field(() => Int) sent!: number;
  @Field(() => Int) responded!: number;
  @Field(() => Float, {
    nullable: true,
    deprecationReason: 'A fraction (0–1); use responseRatePercent (one unit with supportKpis).',
  })
  responseRate!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Response rate % = surveys answered ÷ surveys sent × 100 (all kinds).',
  })
  responseRatePercent!: number | null;
  @Field(() => Int, { description: 'CSAT surveys sent in the range.' }) csatSent!: number;
  @Field(() => Int, { description: 'Of those, how many were answered.' }) csatResponded!: number;
  @Field(() => Float, {
    nullable: true,
    description:
      'CSAT response rate % = CSAT surveys answered ÷ CSAT surveys sent × 100 (= supportKpis.csatResponseRatePercent).',
  })
  csatResponseRatePercent!: number | null;
  @Field(() => Int, { description: 'CSAT ratings given in the range.' }) csatResponses!: number;
  @Field(() => Float, {
    nullable: true,
    description:
      'CSAT % = ratings 4–5 ÷ CSAT ratings given in the range × 100 (= supportKpis.csatPercent).',
  })
  csatPercent!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      "Revenue-weighted CSAT % = Σ MRR of the customers behind ratings 4–5 ÷ Σ MRR behind all ratings × 100 (each rating weighted by its customer's MRR when it was given, from customer_mrr_history; MRR 0 or unknown weighs nothing; = supportKpis.csatRevenueWeightedPercent).",
  })
  csatRevenueWeightedPercent!: number | null;
  @Field(() => Int) cesResponses!: number;
  @Field(() => Float, { nullable: true }) meanCes!: number | null;
  @Field(() => Int) npsResponses!: number;
  @Field(() => Float, { nullable: true }) nps!: number | null;
  @Field(() => Int) promoters!: number;
  @Field(() => Int) passives!: number;
  @Field(() => Int) detractors!: number;
}
