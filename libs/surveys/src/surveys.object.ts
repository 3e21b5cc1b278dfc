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
};
registerEnumType(SurveyGroupEnum, {
  name: 'SurveyGroup',
  description: 'How surveyStats rows are grouped (by sent time for week/month).',
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
    'Survey KPIs over surveys sent in the range. CSAT % = ratings 4–5 ÷ all CSAT ratings × 100. CES = mean of 1–7. NPS = % promoters (9–10) − % detractors (0–6). Response rate = responded ÷ sent.',
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
  @Field(() => Float, { nullable: true }) responseRate!: number | null;
  @Field(() => Int) csatResponses!: number;
  @Field(() => Float, { nullable: true }) csatPercent!: number | null;
  @Field(() => Int) cesResponses!: number;
  @Field(() => Float, { nullable: true }) meanCes!: number | null;
  @Field(() => Int) npsResponses!: number;
  @Field(() => Float, { nullable: true }) nps!: number | null;
  @Field(() => Int) promoters!: number;
  @Field(() => Int) passives!: number;
  @Field(() => Int) detractors!: number;
}
