import type {
  KpiFiguresFragment,
  KpiMetric,
  KpiDrillOrder,
  SurveyFiguresFragment,
} from '@/gql/graphql';
import { formatNumber, type Better, type Unit } from '@/lib/measures';

/** One way to open a figure: a drill-down metric of supportKpiTickets and its order. */
export interface DrillOption {
  metric: KpiMetric;
  label: string;
  orderBy?: KpiDrillOrder;
}

/** A figure of the dashboard: how to read it from a KpiRow, show it, compare it and open it. */
export interface Figure {
  key: string;
  label: string;
  unit: Unit;
  better: Better;
  /** the API's definition, shown on hover */
  definition: string;
  value(r: KpiFiguresFragment | null, s: SurveyFiguresFragment | null): number | null;
  /** a line under the value ("23 of 25 met") */
  sub?(r: KpiFiguresFragment | null, s: SurveyFiguresFragment | null): string | null;
  /** what the figure opens to (none: not per ticket) */
  drill?: DrillOption[];
}

const n = (v: number) => formatNumber(v);
/** "1 rating", "2 ratings" */
const pl = (v: number, word: string) => `${n(v)} ${word}${v === 1 ? '' : 's'}`;

export const FIGURES: Figure[] = [
  {
    key: 'frt_median',
    label: 'First response · median',
    unit: 'hours',
    better: 'lower',
    definition:
      'First public agent reply − ticket created, over tickets created in the period that got a reply; median (linear interpolation).',
    value: (r) => r?.firstResponseTime.medianHours ?? null,
    sub: (r) => (r ? `${pl(r.firstResponseTime.count, 'ticket')} replied to` : null),
    drill: [{ metric: 'first_response', label: 'Tickets', orderBy: 'value_desc' }],
  },
  {
    key: 'frt_p90',
    label: 'First response · p90',
    unit: 'hours',
    better: 'lower',
    definition:
      '90th percentile of the first response time (as PostgreSQL percentile_cont(0.9)); the slowest tenth of first replies are above it.',
    value: (r) => r?.firstResponseTime.p90Hours ?? null,
    sub: (r) => (r ? `${pl(r.firstResponseTime.count, 'ticket')}, slowest first` : null),
    drill: [{ metric: 'first_response', label: 'Slowest first', orderBy: 'value_desc' }],
  },
  {
    key: 'res_median',
    label: 'Resolution · median',
    unit: 'hours',
    better: 'lower',
    definition:
      'Full resolution time = last solved − created, over tickets solved in the period; median.',
    value: (r) => r?.resolutionTime.medianHours ?? null,
    sub: (r) => (r ? `${pl(r.resolutionTime.count, 'ticket')} solved` : null),
    drill: [{ metric: 'resolution', label: 'Tickets', orderBy: 'value_desc' }],
  },
  {
    key: 'res_p90',
    label: 'Resolution · p90',
    unit: 'hours',
    better: 'lower',
    definition: '90th percentile of the full resolution time over tickets solved in the period.',
    value: (r) => r?.resolutionTime.p90Hours ?? null,
    sub: (r) => (r ? `${pl(r.resolutionTime.count, 'ticket')}, slowest first` : null),
    drill: [{ metric: 'resolution', label: 'Slowest first', orderBy: 'value_desc' }],
  },
  {
    key: 'sla_fr',
    label: 'SLA · first response',
    unit: 'percent',
    better: 'higher',
    definition:
      'SLA compliance % = targets met ÷ targets due × 100, over first-response targets due in the period (met, or due time passed).',
    value: (r) => r?.slaFirstResponse.compliancePercent ?? null,
    sub: (r) => (r ? `${n(r.slaFirstResponse.met)} of ${n(r.slaFirstResponse.due)} met` : null),
    drill: [
      { metric: 'sla_first_response_breached', label: 'Breached' },
      { metric: 'sla_first_response_met', label: 'Met' },
      { metric: 'sla_first_response_due', label: 'All due' },
    ],
  },
  {
    key: 'sla_res',
    label: 'SLA · resolution',
    unit: 'percent',
    better: 'higher',
    definition:
      'SLA compliance % = targets met ÷ targets due × 100, over resolution targets due in the period.',
    value: (r) => r?.slaResolution.compliancePercent ?? null,
    sub: (r) => (r ? `${n(r.slaResolution.met)} of ${n(r.slaResolution.due)} met` : null),
    drill: [
      { metric: 'sla_resolution_breached', label: 'Breached' },
      { metric: 'sla_resolution_met', label: 'Met' },
      { metric: 'sla_resolution_due', label: 'All due' },
    ],
  },
  {
    key: 'reopen',
    label: 'Reopen rate',
    unit: 'percent',
    better: 'lower',
    definition: 'Solved tickets reopened at least once ÷ tickets solved in the period × 100.',
    value: (r) => r?.reopenRatePercent ?? null,
    sub: (r) => (r ? `${n(r.reopenedTickets)} of ${n(r.ticketsSolved)} solved` : null),
    drill: [
      { metric: 'reopened', label: 'Reopened' },
      { metric: 'tickets_solved', label: 'All solved' },
    ],
  },
  {
    key: 'one_touch',
    label: 'One-touch rate',
    unit: 'percent',
    better: 'higher',
    definition:
      'Solved tickets with exactly one public agent reply ÷ tickets solved in the period × 100.',
    value: (r) => r?.oneTouchPercent ?? null,
    sub: (r) => (r ? `${n(r.oneTouchTickets)} of ${n(r.ticketsSolved)} solved` : null),
    drill: [
      { metric: 'one_touch', label: 'One touch' },
      { metric: 'tickets_solved', label: 'All solved' },
    ],
  },
  {
    key: 'created',
    label: 'Tickets created',
    unit: 'count',
    better: 'neutral',
    definition: 'Tickets created in the period (created_at in the range).',
    value: (r) => r?.ticketsCreated ?? null,
    drill: [{ metric: 'tickets_created', label: 'Created' }],
  },
  {
    key: 'solved',
    label: 'Tickets solved',
    unit: 'count',
    better: 'neutral',
    definition:
      'Tickets solved in the period: solved or closed now, with their last solve in the range.',
    value: (r) => r?.ticketsSolved ?? null,
    drill: [{ metric: 'tickets_solved', label: 'Solved' }],
  },
  {
    key: 'backlog',
    label: 'Backlog',
    unit: 'count',
    better: 'lower',
    definition:
      'Tickets not solved or closed at the end of the period (or now, if the period has not ended).',
    value: (r) => r?.backlogAtEnd ?? null,
    sub: (r) => (r ? 'unsolved at the end of the period' : null),
    drill: [
      { metric: 'backlog', label: 'Unsolved' },
      { metric: 'tickets_created', label: 'Created' },
      { metric: 'tickets_solved', label: 'Solved' },
    ],
  },
  {
    key: 'response_rate',
    label: 'Survey response rate',
    unit: 'percent',
    better: 'higher',
    definition:
      'CSAT surveys answered ÷ CSAT surveys sent in the period × 100 (answered at any time).',
    value: (r) => r?.csatResponseRatePercent ?? null,
    sub: (r) => (r ? `${n(r.surveysResponded)} of ${n(r.surveysSent)} sent` : null),
    drill: [
      { metric: 'surveys_responded', label: 'Answered' },
      { metric: 'surveys_sent', label: 'All sent' },
    ],
  },
  {
    key: 'csat',
    label: 'CSAT',
    unit: 'percent',
    better: 'higher',
    definition: 'CSAT % = ratings 4–5 ÷ all CSAT ratings answered in the period × 100.',
    value: (r) => r?.csatPercent ?? null,
    sub: (r) => (r ? `${pl(r.csatRatings, 'rating')}` : null),
    drill: [
      { metric: 'csat_bad', label: 'Ratings 1–3' },
      { metric: 'csat_good', label: 'Ratings 4–5' },
      { metric: 'csat_ratings', label: 'All ratings' },
    ],
  },
  {
    key: 'csat_weighted',
    label: 'CSAT · revenue-weighted',
    unit: 'percent',
    better: 'higher',
    definition:
      'Σ MRR behind ratings 4–5 ÷ Σ MRR behind all ratings × 100, each rating weighted by its customer’s MRR when it was given (do the customers worth most rate us as well?).',
    value: (r) => r?.csatRevenueWeightedPercent ?? null,
    sub: (r) => (r ? `${pl(r.csatRatings, 'rating')}, weighted by MRR` : null),
    drill: [
      { metric: 'csat_bad', label: 'Ratings 1–3' },
      { metric: 'csat_good', label: 'Ratings 4–5' },
      { metric: 'csat_ratings', label: 'All ratings' },
    ],
  },
  {
    key: 'ces',
    label: 'CES',
    unit: 'score',
    better: 'higher',
    definition:
      'Customer effort score: mean of the 1–7 answers (7 = very easy) given in the period with CSAT surveys.',
    value: (_r, s) => s?.meanCes ?? null,
    sub: (_r, s) => (s ? `${pl(s.cesResponses, 'answer')}, out of 7` : null),
    drill: [{ metric: 'ces_answers', label: 'Effort answers' }],
  },
  {
    key: 'nps',
    label: 'NPS',
    unit: 'score',
    better: 'higher',
    definition:
      'Net promoter score = % promoters (9–10) − % detractors (0–6), over NPS answers given in the period. NPS is asked of customers (relationship surveys), not after a ticket, so its list is of answers and their customers.',
    value: (_r, s) => s?.nps ?? null,
    sub: (_r, s) =>
      s
        ? `${pl(s.npsResponses, 'answer')}: ${n(s.promoters)} promoters, ${n(s.detractors)} detractors`
        : null,
    drill: [
      { metric: 'nps_detractors', label: 'Detractors' },
      { metric: 'nps_passives', label: 'Passives' },
      { metric: 'nps_promoters', label: 'Promoters' },
      { metric: 'nps_answers', label: 'All answers' },
    ],
  },
];

/** Group keys of the table and their labels. */
export const GROUPS = [
  { value: 'agent', label: 'Agent' },
  { value: 'team', label: 'Team' },
  { value: 'channel', label: 'Channel' },
  { value: 'priority', label: 'Priority' },
  { value: 'tier', label: 'Tier' },
  { value: 'segment', label: 'Value segment' },
] as const;
/** A fixed group key, or a ticket custom field as `custom.<key>` (text, dropdown, checkbox). */
export type GroupKey = (typeof GROUPS)[number]['value'] | `custom.${string}`;

/** A choice of the "Group by" picker. */
export interface GroupChoice {
  value: GroupKey;
  label: string;
}

/** The fixed groups plus the active ticket fields the API groups by. */
export function groupChoices(
  fields: readonly { key: string; label: string; type: string; active: boolean }[],
): GroupChoice[] {
  return [
    ...GROUPS,
    ...fields
      .filter((f) => f.active && ['text', 'dropdown', 'checkbox'].includes(f.type))
      .map((f) => ({ value: `custom.${f.key}` as GroupKey, label: f.label })),
  ];
}
