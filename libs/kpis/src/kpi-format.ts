import { hoursBasis, percent } from './kpi-plan';
import type { KpiTableRow } from './kpis.service';

export interface DurationStats {
  count: number;
  meanHours: number | null;
  medianHours: number | null;
  p90Hours: number | null;
  hoursBasis: string;
}

export interface KpiRowView {
  periodStart: Date;
  periodEnd: Date;
  teamId: string | null;
  agentId: string | null;
  channel: string | null;
  priority: string | null;
  tier: string | null;
  segment: string | null;
  /** The ticket custom field's value, when grouped by `custom.<key>` (null: no value). */
  customValue: string | null;
  ticketsCreated: number;
  ticketsSolved: number;
  firstResponseTime: DurationStats;
  resolutionTime: DurationStats;
  requesterWaitTime: DurationStats;
  slaFirstResponse: { due: number; met: number; compliancePercent: number | null };
  slaResolution: { due: number; met: number; compliancePercent: number | null };
  slaNextReply: { due: number; met: number; compliancePercent: number | null };
  nextReplyTime: DurationStats;
  reopenedTickets: number;
  reopenRatePercent: number | null;
  oneTouchTickets: number;
  oneTouchPercent: number | null;
  backlogAtEnd: number;
  csatRatings: number;
  csatPercent: number | null;
  csatRevenueWeightedPercent: number | null;
  surveysSent: number;
  surveysResponded: number;
  csatResponseRatePercent: number | null;
  hoursBasis: string;
  source: string;
}

const hours = (s: number | null) => (s === null ? null : s / 3600);

function stats(n: number, bn: number, mean: number | null, p50: number | null, p90: number | null) {
  return {
    count: n,
    meanHours: hours(mean),
    medianHours: hours(p50),
    p90Hours: hours(p90),
    hoursBasis: hoursBasis(bn, n),
  };
}

/** Turns the raw sums of a row into the figures DESIGN §4 defines (percentages, hours). */
export function toView(r: KpiTableRow): KpiRowView {
  return {
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    teamId: r.team,
    agentId: r.agent,
    channel: r.channel,
    priority: r.priority,
    tier: r.tier,
    segment: r.segment ?? null,
    customValue: r.custom ?? null,
    ticketsCreated: r.ticketsCreated,
    ticketsSolved: r.ticketsSolved,
    firstResponseTime: stats(r.frtN, r.frtBusinessN, r.frtMean, r.frtP50, r.frtP90),
    resolutionTime: stats(r.resN, r.resBusinessN, r.resMean, r.resP50, r.resP90),
    requesterWaitTime: stats(r.waitN, r.waitBusinessN, r.waitMean, r.waitP50, r.waitP90),
    slaFirstResponse: {
      due: r.frSlaDue,
      met: r.frSlaMet,
      compliancePercent: percent(r.frSlaMet, r.frSlaDue),
    },
    slaResolution: {
      due: r.resSlaDue,
      met: r.resSlaMet,
      compliancePercent: percent(r.resSlaMet, r.resSlaDue),
    },
    slaNextReply: {
      due: r.nextReply?.n ?? 0,
      met: r.nextReply?.met ?? 0,
      compliancePercent: percent(r.nextReply?.met ?? 0, r.nextReply?.n ?? 0),
    },
    nextReplyTime: stats(
      r.nextReply?.n ?? 0,
      0,
      r.nextReply?.mean ?? null,
      r.nextReply?.p50 ?? null,
      r.nextReply?.p90 ?? null,
    ),
    reopenedTickets: r.reopened,
    reopenRatePercent: percent(r.reopened, r.ticketsSolved),
    oneTouchTickets: r.oneTouch,
    oneTouchPercent: percent(r.oneTouch, r.ticketsSolved),
    backlogAtEnd: r.backlog,
    csatRatings: r.csatRatings,
    csatPercent: percent(r.csatGood, r.csatRatings),
    csatRevenueWeightedPercent:
      r.csatWeight === null || r.csatGoodWeight === null
        ? null
        : percent(r.csatGoodWeight, r.csatWeight),
    surveysSent: r.surveysSent,
    surveysResponded: r.surveysResponded,
    csatResponseRatePercent: percent(r.surveysResponded, r.surveysSent),
    hoursBasis: hoursBasis(
      r.frtBusinessN + r.resBusinessN + r.waitBusinessN,
      r.frtN + r.resN + r.waitN,
    ),
    source: r.source,
  };
}

const round = (v: number | null) => (v === null ? '' : String(Math.round(v * 10000) / 10000));

/** CSV columns of a KPI table (one line per row). */
export const KPI_CSV_HEADER = [
  'period_start',
  'period_end',
  'team_id',
  'agent_id',
  'channel',
  'priority',
  'tier',
  'tickets_created',
  'tickets_solved',
  'frt_count',
  'frt_mean_hours',
  'frt_median_hours',
  'frt_p90_hours',
  'resolution_count',
  'resolution_mean_hours',
  'resolution_median_hours',
  'resolution_p90_hours',
  'wait_count',
  'wait_mean_hours',
  'wait_median_hours',
  'wait_p90_hours',
  'sla_first_response_due',
  'sla_first_response_met',
  'sla_first_response_percent',
  'sla_resolution_due',
  'sla_resolution_met',
  'sla_resolution_percent',
  'reopened',
  'reopen_rate_percent',
  'one_touch',
  'one_touch_percent',
  'backlog_at_end',
  'csat_ratings',
  'csat_percent',
  'surveys_sent',
  'surveys_responded',
  'response_rate_percent',
  'hours_basis',
  'value_segment',
  'team_name',
  'agent_name',
  'csat_revenue_weighted_percent',
  'next_reply_count',
  'next_reply_mean_hours',
  'next_reply_median_hours',
  'next_reply_p90_hours',
  'sla_next_reply_due',
  'sla_next_reply_met',
  'sla_next_reply_percent',
  'custom_value',
];

/** Names shown next to ids in the CSV (ids → name). */
export interface CsvNames {
  teams: Map<string, string>;
  users: Map<string, string>;
}

export function kpiCsvValues(v: KpiRowView, names?: CsvNames): (string | number | null)[] {
  const d = (s: DurationStats) => [
    s.count,
    round(s.meanHours),
    round(s.medianHours),
    round(s.p90Hours),
  ];
  return [
    v.periodStart.toISOString(),
    v.periodEnd.toISOString(),
    v.teamId,
    v.agentId,
    v.channel,
    v.priority,
    v.tier,
    v.ticketsCreated,
    v.ticketsSolved,
    ...d(v.firstResponseTime),
    ...d(v.resolutionTime),
    ...d(v.requesterWaitTime),
    v.slaFirstResponse.due,
    v.slaFirstResponse.met,
    round(v.slaFirstResponse.compliancePercent),
    v.slaResolution.due,
    v.slaResolution.met,
    round(v.slaResolution.compliancePercent),
    v.reopenedTickets,
    round(v.reopenRatePercent),
    v.oneTouchTickets,
    round(v.oneTouchPercent),
    v.backlogAtEnd,
    v.csatRatings,
    round(v.csatPercent),
    v.surveysSent,
    v.surveysResponded,
    round(v.csatResponseRatePercent),
    v.hoursBasis,
    v.segment,
    v.teamId ? (names?.teams.get(v.teamId) ?? null) : null,
    v.agentId ? (names?.users.get(v.agentId) ?? null) : null,
    round(v.csatRevenueWeightedPercent),
    ...d(v.nextReplyTime),
    v.slaNextReply.due,
    v.slaNextReply.met,
    round(v.slaNextReply.compliancePercent),
    v.customValue,
  ];
}

/** One CSV line (RFC 4180 quoting; cells starting with = + - @ are prefixed with ' against formula injection). */
export function csvLine(values: (string | number | null | undefined)[]): string {
  return (
    values
      .map((v) => {
        if (v === null || v === undefined) return '';
        let s = String(v);
        if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(',') + '\r\n'
  );
}
