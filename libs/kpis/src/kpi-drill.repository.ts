import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Tx, db } from '@staydesk/core';
import type { Dim } from './kpi-plan';
import { DIM_COLUMN, positional } from './kpi-sql';

/** Figures of supportKpis that open to the tickets (or ratings) behind them. */
export const DRILL_METRICS = [
  'tickets_created',
  'tickets_solved',
  'first_response',
  'resolution',
  'requester_wait',
  'reopened',
  'one_touch',
  'sla_first_response_due',
  'sla_first_response_met',
  'sla_first_response_breached',
  'sla_resolution_due',
  'sla_resolution_met',
  'sla_resolution_breached',
  'backlog',
  'csat_ratings',
  'csat_good',
  'csat_bad',
  'surveys_sent',
  'surveys_responded',
  'ces_answers',
  'next_reply',
  'sla_next_reply_due',
  'sla_next_reply_met',
  'sla_next_reply_breached',
  'nps_answers',
  'nps_promoters',
  'nps_passives',
  'nps_detractors',
] as const;
export type DrillMetric = (typeof DRILL_METRICS)[number];
/** NPS answers: per customer (relationship surveys, no ticket), filtered by team and agent only. */
export const NPS_METRICS: readonly DrillMetric[] = [
  'nps_answers',
  'nps_promoters',
  'nps_passives',
  'nps_detractors',
];
/** Dimensions an NPS answer has (the survey's own team and agent, as in surveyStats). */
export const NPS_DIMS: readonly Dim[] = ['team', 'agent'];
export const DRILL_ORDERS = ['recent', 'value_desc'] as const;
export type DrillOrder = (typeof DRILL_ORDERS)[number];

const NEXT_REPLY_S = 'extract(epoch FROM e.created_at - e.from_value::timestamptz)';

interface MetricSql {
  /** From CSAT surveys (one row per survey) rather than tickets. */
  surveys?: boolean;
  /** From the next-reply events (one row per answered customer message) rather than tickets. */
  events?: boolean;
  /** From NPS surveys (one row per answer, usually without a ticket). */
  nps?: boolean;
  /** The instant that places a row in the range; null for the backlog (a state at the end). */
  anchor: string | null;
  where: string;
  /** The figure's per-row value (seconds or score); null when the metric has none. */
  value: string;
}

/**
 * Each metric as the figure defines it in `metricsSql` (kpis.repository.ts): same anchor, same
 * condition, over the same per-ticket facts ($3 = now for SLA due times and the backlog).
 */
const METRICS: Record<DrillMetric, MetricSql> = {
  tickets_created: { anchor: 'f.created_at', where: 'true', value: 'f.frt_s' },
  first_response: { anchor: 'f.created_at', where: 'f.frt_s IS NOT NULL', value: 'f.frt_s' },
  tickets_solved: { anchor: 'f.resolved_at', where: 'true', value: 'f.resolution_s' },
  resolution: {
    anchor: 'f.resolved_at',
    where: 'f.resolution_s IS NOT NULL',
    value: 'f.resolution_s',
  },
  requester_wait: { anchor: 'f.resolved_at', where: 'f.wait_s IS NOT NULL', value: 'f.wait_s' },
  reopened: { anchor: 'f.resolved_at', where: 'f.reopened', value: 'f.resolution_s' },
  one_touch: { anchor: 'f.resolved_at', where: 'f.one_touch', value: 'f.resolution_s' },
  sla_first_response_due: {
    anchor: 'f.fr_due_at',
    where: '(f.fr_met OR f.fr_due_at <= $3)',
    value: 'f.frt_s',
  },
  sla_first_response_met: { anchor: 'f.fr_due_at', where: 'f.fr_met', value: 'f.frt_s' },
  sla_first_response_breached: {
    anchor: 'f.fr_due_at',
    where: 'NOT f.fr_met AND f.fr_due_at <= $3',
    value: 'f.frt_s',
  },
  sla_resolution_due: {
    anchor: 'f.res_due_at',
    where: '(f.res_met OR f.res_due_at <= $3)',
    value: 'f.resolution_s',
  },
  sla_resolution_met: { anchor: 'f.res_due_at', where: 'f.res_met', value: 'f.resolution_s' },
  sla_resolution_breached: {
    anchor: 'f.res_due_at',
    where: 'NOT f.res_met AND f.res_due_at <= $3',
    value: 'f.resolution_s',
  },
  backlog: {
    anchor: null,
    where: 'f.unsolved @> least($2::timestamptz, $3::timestamptz) AND $1 <= $3',
    value: 'NULL',
  },
  csat_ratings: {
    surveys: true,
    anchor: 's.responded_at',
    where: "s.kind = 'csat' AND s.score IS NOT NULL",
    value: 's.score',
  },
  csat_good: {
    surveys: true,
    anchor: 's.responded_at',
    where: "s.kind = 'csat' AND s.score >= 4",
    value: 's.score',
  },
  csat_bad: {
    surveys: true,
    anchor: 's.responded_at',
    where: "s.kind = 'csat' AND s.score < 4",
    value: 's.score',
  },
  surveys_sent: { surveys: true, anchor: 's.sent_at', where: "s.kind = 'csat'", value: 's.score' },
  surveys_responded: {
    surveys: true,
    anchor: 's.sent_at',
    where: "s.kind = 'csat' AND s.responded_at IS NOT NULL",
    value: 's.score',
  },
  // CES as surveyStats.meanCes/cesResponses: effort answers (1–7, given with a CSAT rating)
  // answered in the range
  ces_answers: {
    surveys: true,
    anchor: 's.responded_at',
    where: 's.ces_score IS NOT NULL AND s.score IS NOT NULL',
    value: 's.ces_score',
  },
  // next-reply figures as nextReplyRows (kpis.repository.ts) counts them: one row per reply
  // that stopped a next-reply clock, anchored at the reply; value = seconds since the message
  next_reply: { events: true, anchor: 'e.created_at', where: 'true', value: NEXT_REPLY_S },
  sla_next_reply_due: { events: true, anchor: 'e.created_at', where: 'true', value: NEXT_REPLY_S },
  sla_next_reply_met: {
    events: true,
    anchor: 'e.created_at',
    where: "e.type = 'next_reply_met'",
    value: NEXT_REPLY_S,
  },
  sla_next_reply_breached: {
    events: true,
    anchor: 'e.created_at',
    where: "e.type = 'next_reply_breached'",
    value: NEXT_REPLY_S,
  },
  // NPS as surveyStats.npsResponses/promoters/passives/detractors: answers (0–10) given in the
  // range; team and agent are the ticket's current ones, or the survey's own without a ticket
  nps_answers: {
    nps: true,
    anchor: 's.responded_at',
    where: "s.kind = 'nps' AND s.score IS NOT NULL",
    value: 's.score',
  },
  nps_promoters: {
    nps: true,
    anchor: 's.responded_at',
    where: "s.kind = 'nps' AND s.score >= 9",
    value: 's.score',
  },
  nps_passives: {
    nps: true,
    anchor: 's.responded_at',
    where: "s.kind = 'nps' AND s.score BETWEEN 7 AND 8",
    value: 's.score',
  },
  nps_detractors: {
    nps: true,
    anchor: 's.responded_at',
    where: "s.kind = 'nps' AND s.score <= 6",
    value: 's.score',
  },
};

/** surveyStats' team and agent of a survey (libs/surveys GROUP_EXPR), over `s` and its ticket `t`. */
export const NPS_COLUMN: Partial<Record<Dim, string>> = {
  team: '(CASE WHEN s.ticket_id IS NULL THEN s.team_id ELSE t.team_id END)::text',
  agent: '(CASE WHEN s.ticket_id IS NULL THEN s.agent_id ELSE t.assignee_id END)::text',
};

export interface DrillRow {
  ticketId: string | null;
  surveyId: string | null;
  /** The survey's customer, for survey metrics. */
  customerId: string | null;
  at: Date | null;
  value: number | null;
  /** Keyset values of the row for its ordering. */
  sortAt: string | null;
  sortValue: number;
  rowId: string;
}

/**
 * The tickets, ratings and replies behind a figure. Each metric's SQL is built in code from
 * {@link METRICS} and references its range and `now` as `$1`–`$3` in many places: it runs with
 * its text unchanged through `positional` on `db(tx)` (decision 46), its rows typed as
 * {@link DrillRow}; filter values and the keyset are bound parameters.
 */
@Injectable()
export class KpiDrillRepository {
  private sql(
    metric: DrillMetric,
    filters: Partial<Record<Dim, string[]>>,
    params: unknown[],
    none: Dim[] = [],
  ): {
    from: string;
    where: string[];
    at: string;
    value: string;
    rowId: string;
    ticketId: string;
    teamId: string;
  } {
    const m = METRICS[metric];
    const column = (dim: Dim) => (m.nps ? NPS_COLUMN[dim]! : DIM_COLUMN[dim]);
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    // $1, $2 = the range, $3 = now (typed here: not every metric uses them)
    const where = [m.where, '$1::timestamptz <= $2::timestamptz AND $3::timestamptz IS NOT NULL'];
    if (m.anchor) where.push(`${m.anchor} >= $1 AND ${m.anchor} < $2`);
    for (const [dim, values] of Object.entries(filters) as [Dim, string[]][]) {
      if (values) where.push(`${column(dim)} = ANY(${p(values)}::text[])`);
    }
    // the group of absent values, as a grouping shows it (a null key)
    for (const dim of none) where.push(`${column(dim)} IS NULL`);
    return {
      from: m.nps
        ? 'FROM surveys s LEFT JOIN tickets t ON t.id = s.ticket_id'
        : m.surveys
          ? 'FROM surveys s JOIN kpi_ticket_facts f ON f.ticket_id = s.ticket_id'
          : m.events
            ? `FROM ticket_events e JOIN kpi_ticket_facts f ON f.ticket_id = e.ticket_id`
            : 'FROM kpi_ticket_facts f',
      where: m.events ? [`e.type IN ('next_reply_met', 'next_reply_breached')`, ...where] : where,
      at: m.anchor ?? 'f.created_at',
      value: m.value,
      rowId: m.surveys || m.nps ? 's.id' : m.events ? 'e.id' : 'f.ticket_id',
      ticketId: m.nps ? 's.ticket_id' : 'f.ticket_id',
      teamId: m.nps ? NPS_COLUMN.team! : 'f.team_id',
    };
  }

  async count(
    tx: Tx,
    metric: DrillMetric,
    filters: Partial<Record<Dim, string[]>>,
    from: Date,
    to: Date,
    none: Dim[] = [],
  ): Promise<number> {
    const params: unknown[] = [from, to, await this.now(tx)];
    const q = this.sql(metric, filters, params, none);
    const [r] = await positional<{ n: number }>(
      tx,
      `SELECT count(*)::int AS n ${q.from} WHERE ${q.where.join(' AND ')}`,
      params,
    );
    return r.n;
  }

  async page(
    tx: Tx,
    metric: DrillMetric,
    filters: Partial<Record<Dim, string[]>>,
    from: Date,
    to: Date,
    order: DrillOrder,
    after: { key: string | number; id: string } | null,
    limit: number,
    hiddenTeamIds: string[] = [],
    none: Dim[] = [],
  ): Promise<DrillRow[]> {
    const params: unknown[] = [from, to, await this.now(tx)];
    const q = this.sql(metric, filters, params, none);
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    // tickets of private teams the caller is not in are counted in the figure but not listed
    if (hiddenTeamIds.length) {
      q.where.push(
        METRICS[metric].nps
          ? `(${q.teamId} IS NULL OR NOT ${q.teamId}::bigint = ANY(${p(hiddenTeamIds)}::bigint[]))`
          : `NOT EXISTS (SELECT 1 FROM tickets ht WHERE ht.id = f.ticket_id AND ht.team_id = ANY(${p(hiddenTeamIds)}::bigint[]))`,
      );
    }
    const key = order === 'recent' ? q.at : `coalesce(${q.value}::float8, -1)`;
    const cast = order === 'recent' ? 'timestamptz' : 'float8';
    if (after)
      q.where.push(`(${key}, ${q.rowId}) < (${p(after.key)}::${cast}, ${p(after.id)}::bigint)`);
    return positional<DrillRow>(
      tx,
      `SELECT ${q.ticketId}::text AS "ticketId", ${q.rowId === 's.id' ? 's.id::text' : 'NULL'} AS "surveyId",
              ${q.rowId === 's.id' ? 's.customer_id::text' : 'NULL'} AS "customerId",
              ${q.at} AS at, ${q.value}::float8 AS value,
              to_char(${q.at} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "sortAt",
              coalesce(${q.value}::float8, -1) AS "sortValue", ${q.rowId}::text AS "rowId"
         ${q.from}
        WHERE ${q.where.join(' AND ')}
        ORDER BY ${key} DESC, ${q.rowId} DESC
        LIMIT ${p(limit)}`,
      params,
    );
  }

  private async now(tx: Tx): Promise<Date> {
    const { rows } = await sql<{ now: Date }>`SELECT now() AS now`.execute(db(tx));
    return rows[0].now;
  }
}
