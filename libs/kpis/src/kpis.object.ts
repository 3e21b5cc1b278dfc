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
import {
  ChannelEnum,
  ConnectionType,
  PriorityEnum,
  TierEnum,
  ValueSegmentEnum,
} from '@staydesk/core';
import { DRILL_METRICS } from './kpi-drill.repository';

export const HoursBasisEnum = {
  business: 'business',
  calendar: 'calendar',
  mixed: 'mixed',
  none: 'none',
};
registerEnumType(HoursBasisEnum, {
  name: 'HoursBasis',
  description:
    "Which hours durations are measured in: business (every ticket's team has a business-hours calendar), calendar (none has), mixed (each ticket in its own team's hours), none (nothing measured).",
});

export const KpiSourceEnum = { cells: 'cells', facts: 'facts' };
registerEnumType(KpiSourceEnum, {
  name: 'KpiSource',
  description:
    'cells: a whole day/week/month answered from the precomputed cube (refreshed by the worker); facts: computed on the fly from the per-ticket facts (partial buckets, several dimensions).',
});

@InputType('KpiFilter', {
  description: 'The half-open range [from, to) and optional dimension filters.',
})
export class KpiFilterInputType {
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'Start of the range (inclusive). Required (an unbounded range is refused).',
  })
  from?: Date | null;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description:
      'End of the range (exclusive). Required; after from and at most KPI_MAX_RANGE_DAYS after it.',
  })
  to?: Date | null;
  @Field(() => [ID], {
    nullable: true,
    description:
      'Only these teams. Team leads may name only their own teams (default: all of them).',
  })
  teamIds?: string[] | null;
  @Field(() => [ID], { nullable: true, description: 'Only tickets assigned to these agents.' })
  agentIds?: string[] | null;
  @Field(() => [ChannelEnum], {
    nullable: true,
    description: 'Only these channels (email, phone, chat, web, social).',
  })
  channels?: string[] | null;
  @Field(() => [PriorityEnum], {
    nullable: true,
    description: 'Only these priorities (low, normal, high, urgent).',
  })
  priorities?: string[] | null;
  @Field(() => [TierEnum], {
    nullable: true,
    description: 'Only customers of these tiers (free, starter, pro, enterprise).',
  })
  tiers?: string[] | null;
  @Field(() => [ValueSegmentEnum], {
    nullable: true,
    description:
      "Only customers in these value segments (top, high, mid, low: quartiles of lifetime value to date, the customer's current segment from the nightly computation, kept on each ticket's KPI facts). Whole buckets come from the precomputed segment cells when only the segment is involved.",
  })
  valueSegments?: string[] | null;
  @Field(() => [String], {
    nullable: true,
    description:
      "Only the group without a value in these dimensions (any of team, agent, channel, priority, tier, segment): the row a grouping by that dimension shows with a null key, e.g. ['agent'] = unassigned tickets, ['team'] = tickets without a team, ['segment'] = customers without a value segment. Not together with the same dimension's value list (BAD_USER_INPUT); team leads may not ask for ['team'] (FORBIDDEN: such tickets are in none of their teams). Answered from the facts, not the precomputed cells.",
  })
  noValue?: string[] | null;
}

@ObjectType('DurationStats', {
  description: 'Exact statistics of a duration over the tickets behind it.',
})
export class DurationStatsObject {
  @Field(() => Int, { description: 'Number of tickets behind the figures.' }) count!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'Arithmetic mean, in hours (null without tickets).',
  })
  meanHours!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'Median (50th percentile, linear interpolation between the two middle values), in hours.',
  })
  medianHours!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      '90th percentile (linear interpolation, as PostgreSQL percentile_cont(0.9)), in hours.',
  })
  p90Hours!: number | null;
  @Field(() => HoursBasisEnum, { description: 'Business or calendar hours (see HoursBasis).' })
  hoursBasis!: string;
}

@ObjectType('SlaStats', { description: 'Compliance with one SLA target.' })
export class SlaStatsObject {
  @Field(() => Int, {
    description:
      'Tickets with this target due in the period (already decided: met, or due time passed).',
  })
  due!: number;
  @Field(() => Int, {
    description: 'Of those, tickets whose target was met (answered / solved by the due time).',
  })
  met!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'SLA compliance % = met ÷ due × 100 (null when nothing was due).',
  })
  compliancePercent!: number | null;
}

@ObjectType('KpiRow', { description: 'Support KPIs of one group (DESIGN §4 definitions).' })
export class KpiRowObject {
  @Field(() => GraphQLISODateTime, {
    description: 'Start of the time bucket (the range start without a time grain).',
  })
  periodStart!: Date;
  @Field(() => GraphQLISODateTime, {
    description: 'End (exclusive) of the time bucket, clipped to the range.',
  })
  periodEnd!: Date;
  @Field(() => ID, {
    nullable: true,
    description: 'Team of the group (null when not grouped by team, or tickets without a team).',
  })
  teamId!: string | null;
  @Field(() => ID, {
    nullable: true,
    description: 'Assignee of the group (null when not grouped by agent, or unassigned).',
  })
  agentId!: string | null;
  @Field(() => ChannelEnum, {
    nullable: true,
    description: 'Channel of the group, when grouped by channel.',
  })
  channel!: string | null;
  @Field(() => PriorityEnum, {
    nullable: true,
    description: 'Priority of the group, when grouped by priority.',
  })
  priority!: string | null;
  @Field(() => TierEnum, {
    nullable: true,
    description: 'Customer tier of the group, when grouped by tier.',
  })
  tier!: string | null;
  @Field(() => ValueSegmentEnum, {
    nullable: true,
    description:
      "Customer value segment of the group, when grouped by segment (top, high, mid, low; null = value unknown): the customer's current segment.",
  })
  segment!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'The ticket custom field\'s value of the group, when grouped by custom.<key> (dropdown option, text, or "true"/"false" for a checkbox; null = tickets without a value). Groups are the tickets\' current values.',
  })
  customValue!: string | null;
  @Field(() => Int, { description: 'Tickets created in the period (created_at in the bucket).' })
  ticketsCreated!: number;
  @Field(() => Int, {
    description:
      'Tickets solved in the period: currently solved/closed with their last solved_at in the bucket.',
  })
  ticketsSolved!: number;
  @Field(() => DurationStatsObject, {
    description:
      'First response time (FRT) = first public reply by an agent − ticket created_at (a ticket an agent opened with a public message counts that message, so 0), over tickets created in the period that got a reply.',
  })
  firstResponseTime!: DurationStatsObject;
  @Field(() => DurationStatsObject, {
    description:
      'Full resolution time = last solved_at − created_at, over tickets solved in the period.',
  })
  resolutionTime!: DurationStatsObject;
  @Field(() => DurationStatsObject, {
    description:
      'Requester wait time = time the ticket spent in new, open or on_hold (from ticket_events, every cycle until the last solve; pending does not count), over tickets solved in the period that have a history.',
  })
  requesterWaitTime!: DurationStatsObject;
  @Field(() => SlaStatsObject, { description: 'First-response SLA: target first_response_due_at.' })
  slaFirstResponse!: SlaStatsObject;
  @Field(() => SlaStatsObject, { description: 'Resolution SLA: target resolution_due_at.' })
  slaResolution!: SlaStatsObject;
  @Field(() => SlaStatsObject, {
    description:
      'Next-reply SLA compliance = customer messages answered in the period within their next-reply target ÷ customer messages answered in the period with a next-reply clock running × 100 (events next_reply_met / next_reply_breached, by reply time; pauses while pending / on hold move the target). Messages not answered yet count once answered.',
  })
  slaNextReply!: SlaStatsObject;
  @Field(() => DurationStatsObject, {
    description:
      'Next-reply time = calendar time from the customer message that started a next-reply clock to the public reply that stopped it, over replies in the period (always calendar hours, pauses included).',
  })
  nextReplyTime!: DurationStatsObject;
  @Field(() => Int, {
    description: 'Tickets solved in the period that had been reopened at least once.',
  })
  reopenedTickets!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'Reopen rate % = solved tickets reopened at least once ÷ solved tickets × 100.',
  })
  reopenRatePercent!: number | null;
  @Field(() => Int, {
    description: 'Tickets solved in the period with exactly one public agent reply.',
  })
  oneTouchTickets!: number;
  @Field(() => Float, {
    nullable: true,
    description:
      'One-touch resolution % = solved tickets with exactly one public agent reply ÷ solved tickets × 100.',
  })
  oneTouchPercent!: number | null;
  @Field(() => Int, {
    description:
      'Backlog at period end = tickets not solved/closed at the end of the bucket (or now, if sooner).',
  })
  backlogAtEnd!: number;
  @Field(() => Int, { description: 'CSAT ratings (1–5) answered in the period.' })
  csatRatings!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'CSAT % = ratings 4–5 ÷ all ratings × 100, over ratings answered in the period.',
  })
  csatPercent!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      "Revenue-weighted CSAT % = Σ MRR behind ratings 4–5 ÷ Σ MRR behind all ratings × 100, each rating weighted by its customer's MRR when it was given (customer_mrr_history; unknown or 0 weighs nothing). Null without weight, or for cells computed before this figure existed (until the bucket is recomputed or kpi:rebuild runs).",
  })
  csatRevenueWeightedPercent!: number | null;
  @Field(() => Int, { description: 'CSAT surveys sent in the period.' }) surveysSent!: number;
  @Field(() => Int, { description: 'Of the surveys sent in the period, how many were answered.' })
  surveysResponded!: number;
  @Field(() => Float, {
    nullable: true,
    description:
      'Response rate % = surveys answered ÷ surveys sent × 100 (surveys sent in the period).',
  })
  csatResponseRatePercent!: number | null;
  @Field(() => HoursBasisEnum, {
    description:
      'Hours the durations of this row are in: business where the team has a calendar, calendar otherwise.',
  })
  hoursBasis!: string;
  @Field(() => KpiSourceEnum, {
    description: 'Whether the row came from the precomputed cells or the facts.',
  })
  source!: string;
}

@ObjectType('SupportKpis', { description: 'A KPI table: one row per group that had any activity.' })
export class SupportKpisObject {
  @Field(() => GraphQLISODateTime, { description: 'Range start (inclusive).' }) from!: Date;
  @Field(() => GraphQLISODateTime, { description: 'Range end (exclusive).' }) to!: Date;
  @Field(() => [String], { description: 'The group keys, as asked.' }) groupBy!: string[];
  @Field(() => [KpiRowObject], { description: 'Rows ordered by period, then by group keys.' })
  rows!: KpiRowObject[];
}

@ObjectType('KpiSurveyFigures', {
  description:
    'CES and NPS answers given in [from, to), with the definitions of surveyStats (team and agent are the ticket’s current ones, or the survey’s own for an NPS answer without a ticket), scoped like supportKpis. Cached until the next KPI refresh, like the KPI cells.',
})
export class KpiSurveyFiguresObject {
  @Field(() => GraphQLISODateTime, { description: 'Range start (inclusive).' }) from!: Date;
  @Field(() => GraphQLISODateTime, { description: 'Range end (exclusive).' }) to!: Date;
  @Field(() => Int, { description: 'Effort answers (1–7) given in the range with a CSAT rating.' })
  cesResponses!: number;
  @Field(() => Float, { nullable: true, description: 'CES = mean of the effort answers (1–7).' })
  meanCes!: number | null;
  @Field(() => Int, { description: 'NPS answers (0–10) given in the range.' })
  npsResponses!: number;
  @Field(() => Int, { description: 'NPS answers 9–10.' }) promoters!: number;
  @Field(() => Int, { description: 'NPS answers 7–8.' }) passives!: number;
  @Field(() => Int, { description: 'NPS answers 0–6.' }) detractors!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'NPS = % promoters − % detractors (null without answers).',
  })
  nps!: number | null;
}

export const KpiMetricEnum = Object.fromEntries(DRILL_METRICS.map((m) => [m, m]));
registerEnumType(KpiMetricEnum, {
  name: 'KpiMetric',
  description:
    "A supportKpis figure that opens to what is behind it, with the figure's own definition: tickets_created (created in the range), first_response (created, replied; value = FRT s), tickets_solved / resolution / requester_wait / reopened / one_touch (resolved in the range; value = seconds), sla_*_due / _met / _breached (due time in the range and met or past due; breached = past due and not met), backlog (unsolved at the end of the range), csat_ratings / csat_good (4–5) / csat_bad (1–3) (ratings given in the range; value = score, one row per rating), surveys_sent / surveys_responded (CSAT surveys sent in the range), ces_answers (customer effort answers 1–7 given in the range with a CSAT rating, as surveyStats.cesResponses; value = effort score, one row per answer), next_reply / sla_next_reply_due / _met / _breached (customer messages answered in the range with a next-reply clock running, one row per reply, anchored at the reply; met = within its target; value = seconds from the message to the reply), nps_answers / nps_promoters (9–10) / nps_passives (7–8) / nps_detractors (0–6) (NPS answers given in the range, as surveyStats.npsResponses / promoters / passives / detractors; one row per answer with its customer, ticket usually null: NPS is asked of customers; filter by team and agent only).",
});
export const KpiDrillOrderEnum = { recent: 'recent', value_desc: 'value_desc' };
registerEnumType(KpiDrillOrderEnum, {
  name: 'KpiDrillOrder',
  description:
    'recent: latest anchor time first. value_desc: largest value first (e.g. the slowest first responses: the first 10 % are the tickets above the p90).',
});

@ObjectType('KpiTicket', {
  description: 'A ticket (or a rating of it, or an NPS answer) behind a KPI figure.',
})
export class KpiTicketObject {
  @Field(() => ID, {
    nullable: true,
    description:
      'The ticket; null for an NPS answer, which is asked of a customer, not after a ticket.',
  })
  ticketId!: string | null;
  @Field(() => ID, {
    nullable: true,
    description: 'The survey, for survey metrics (CSAT, CES, NPS).',
  })
  surveyId!: string | null;
  @Field(() => ID, { nullable: true, description: 'The survey’s customer, for survey metrics.' })
  customerId!: string | null;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description:
      'The instant that placed it in the range (created, resolved, due, answered, sent).',
  })
  at!: Date | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Its value in the figure: seconds for durations, the score for ratings.',
  })
  value!: number | null;
}

export const KpiTicketConnection = ConnectionType(KpiTicketObject, 'KpiTicket');
