/*
 * The KPI SQL text (the metric query builder, the per-ticket facts, the calendar spans) and its
 * row types, moved out of kpis.repository.ts (pure move). The statements that keep their
 * positional parameters ($1…, reused) run through {@link positional}.
 */
import { CompiledQuery } from 'kysely';
import { Tx, db } from '@staydesk/core';
import { mrrAtSql } from '@staydesk/customers';
import type { Dim } from './kpi-plan';

/**
 * Runs a benchmarked statement with its SQL text unchanged on `db(tx)` (one connection and
 * transaction with the builder; result keys camelCased by the plugin), its row type given by
 * the caller. For hand-written SQL whose positional parameters are referenced many times
 * (`$1`…): rewriting it as a template would renumber and retype each use (decision 46).
 */
export async function positional<R>(tx: Tx, text: string, params: unknown[]): Promise<R[]> {
  return (await db(tx).executeQuery<R>(CompiledQuery.raw(text, params))).rows;
}

/** Where a KPI row belongs: its bucket and its group's keys (null: not grouped by it, or no value). */
export interface KpiGroup {
  /** Index of the bucket (1-based, the order the buckets were given in). */
  i: number;
  team: string | null;
  agent: string | null;
  channel: string | null;
  priority: string | null;
  tier: string | null;
  segment?: string | null;
  /** The ticket custom field's value, when grouped by `custom.<key>` (null: no value). */
  custom?: string | null;
}

/** One row of KPI inputs for a group in a bucket (durations in seconds). */
export interface KpiRow extends KpiGroup {
  ticketsCreated: number;
  ticketsSolved: number;
  frtN: number;
  frtBusinessN: number;
  frtMean: number | null;
  frtP50: number | null;
  frtP90: number | null;
  resN: number;
  resBusinessN: number;
  resMean: number | null;
  resP50: number | null;
  resP90: number | null;
  waitN: number;
  waitBusinessN: number;
  waitMean: number | null;
  waitP50: number | null;
  waitP90: number | null;
  reopened: number;
  oneTouch: number;
  frSlaDue: number;
  frSlaMet: number;
  resSlaDue: number;
  resSlaMet: number;
  backlog: number;
  csatRatings: number;
  csatGood: number;
  /** Σ MRR (at the time of the answer) behind the CSAT ratings and the good ones; null when unknown. */
  csatWeight: number | null;
  csatGoodWeight: number | null;
  surveysSent: number;
  surveysResponded: number;
}

/** Next-reply figures of one bucket and group (see `nextReplyRows`). */
export interface NextReplyRow extends KpiGroup {
  segment: string | null;
  /** Customer messages answered in the bucket with a next-reply clock running. */
  n: number;
  /** Of those, answered by the due time. */
  met: number;
  /** Seconds from the message to the reply (wall clock). */
  mean: number | null;
  p50: number | null;
  p90: number | null;
}

export const DIM_COLUMN: Record<Dim, string> = {
  team: 'f.team_id::text',
  agent: 'f.agent_id::text',
  channel: 'f.channel',
  priority: 'f.priority',
  tier: 'f.tier',
  // the customer's current value segment (customer_values, nightly), kept on the fact
  segment: 'f.segment',
};
export const ALL_DIMS: Dim[] = ['team', 'agent', 'channel', 'priority', 'tier', 'segment'];

/**
 * A ticket custom field's value as a group key (`custom.<key>`; text, dropdown and checkbox
 * values as text). The key is checked against the key pattern before it reaches SQL.
 */
export function customColumn(key: string): string {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(key)) throw new Error(`bad custom field key ${key}`);
  return `(SELECT tk.custom_fields ->> '${key}' FROM tickets tk WHERE tk.id = f.ticket_id)`;
}

/**
 * The group key columns of a KPI statement's rows: `d_<dim>` for every dimension (NULL where
 * not grouped by it) and `d_custom` (the custom field column, or NULL).
 */
export function groupKeyColumns(dims: Dim[], customCol: string | undefined): string {
  return [
    ...ALL_DIMS.map((d) =>
      dims.includes(d) ? `${DIM_COLUMN[d]} AS d_${d}` : `NULL::text AS d_${d}`,
    ),
    `${customCol ?? 'NULL::text'} AS d_custom`,
  ].join(', ');
}

/** The figures of a KPI row (not its bucket index or its group keys). */
export type MetricKey = Exclude<keyof KpiRow, keyof KpiGroup>;

export const METRIC_COLUMNS: [string, MetricKey][] = [
  ['tickets_created', 'ticketsCreated'],
  ['tickets_solved', 'ticketsSolved'],
  ['frt_n', 'frtN'],
  ['frt_business_n', 'frtBusinessN'],
  ['frt_mean', 'frtMean'],
  ['frt_p50', 'frtP50'],
  ['frt_p90', 'frtP90'],
  ['res_n', 'resN'],
  ['res_business_n', 'resBusinessN'],
  ['res_mean', 'resMean'],
  ['res_p50', 'resP50'],
  ['res_p90', 'resP90'],
  ['wait_n', 'waitN'],
  ['wait_business_n', 'waitBusinessN'],
  ['wait_mean', 'waitMean'],
  ['wait_p50', 'waitP50'],
  ['wait_p90', 'waitP90'],
  ['reopened', 'reopened'],
  ['one_touch', 'oneTouch'],
  ['fr_sla_due', 'frSlaDue'],
  ['fr_sla_met', 'frSlaMet'],
  ['res_sla_due', 'resSlaDue'],
  ['res_sla_met', 'resSlaMet'],
  ['backlog', 'backlog'],
  ['csat_ratings', 'csatRatings'],
  ['csat_good', 'csatGood'],
  ['csat_weight', 'csatWeight'],
  ['csat_good_weight', 'csatGoodWeight'],
  ['surveys_sent', 'surveysSent'],
  ['surveys_responded', 'surveysResponded'],
];
export const COUNT_COLUMNS = new Set(
  METRIC_COLUMNS.map(([c]) => c).filter((c) => !/_(mean|p50|p90|weight)$/.test(c)),
);

/** Exact duration statistics of one column: count, business count, mean, median, p90. */
const durations = (col: string, prefix: string): Record<string, string> => ({
  [`${prefix}_n`]: `count(f.${col})::int`,
  [`${prefix}_business_n`]: `(count(f.${col}) FILTER (WHERE f.business))::int`,
  [`${prefix}_mean`]: `avg(f.${col})::float8`,
  [`${prefix}_p50`]: `percentile_cont(0.5) WITHIN GROUP (ORDER BY f.${col})::float8`,
  [`${prefix}_p90`]: `percentile_cont(0.9) WITHIN GROUP (ORDER BY f.${col})::float8`,
});

/** The customer's MRR when survey `y` was answered (revenue-weighted CSAT; see mrrAtSql). */
const MRR_AT_ANSWER = mrrAtSql('y.customer_id', 'y.responded_at');

/**
 * Which parts of the KPI query to run: all, or one of two halves with no column in common, so
 * one question can be computed on two connections at once and its rows merged
 * ({@link mergeHalves}): `anchors` = the created and resolved anchors with their percentiles and
 * the surveys sent; `rest` = the SLA due times, the backlog and the CSAT answers; `durations` =
 * the created and resolved anchors alone (the rest of a partial bucket from its day cells,
 * {@link DAY_SUM_COLUMNS}). At 2M tickets
 * a 4-day edge week took ~100 ms for the anchors, ~255 ms for the surveys sent (one fact lookup
 * per survey), ~100 ms for the SLA parts and ~220 ms for the CSAT answers (load ~14): cut so,
 * the halves are about equal.
 */
export type MetricHalf = 'all' | 'anchors' | 'rest' | 'durations';

/**
 * The figures of a KPI row that add up over days (integer counts, and the CSAT revenue weights,
 * float sums): a partial bucket of whole days already refreshed takes them from its day cells
 * (`durations` computes the rest from the facts). The backlog is the last day's.
 */
export const DAY_SUM_COLUMNS: MetricKey[] = [
  'surveysSent',
  'surveysResponded',
  'frSlaDue',
  'frSlaMet',
  'resSlaDue',
  'resSlaMet',
  'csatRatings',
  'csatGood',
];
export const DAY_WEIGHT_COLUMNS: MetricKey[] = ['csatWeight', 'csatGoodWeight'];

/**
 * Merges the rows of the two halves of one KPI question (see {@link MetricHalf}) by bucket and
 * group: each figure comes from exactly one half, the other half's row has it as 0 (counts) or
 * null, so the merge is what the whole statement answers.
 */
export function mergeHalves(a: KpiRow[], b: KpiRow[]): KpiRow[] {
  const key = (r: KpiRow) =>
    JSON.stringify([r.i, r.team, r.agent, r.channel, r.priority, r.tier, r.segment, r.custom]);
  const out = new Map<string, KpiRow>();
  for (const r of a) out.set(key(r), { ...r });
  for (const r of b) {
    const k = key(r);
    const row = out.get(k);
    if (!row) {
      out.set(k, { ...r });
      continue;
    }
    const target = row as unknown as Record<MetricKey, number | null>;
    for (const [c, p] of METRIC_COLUMNS) {
      const v = r[p];
      if (COUNT_COLUMNS.has(c)) target[p] = (target[p] ?? 0) + (v ?? 0);
      else if (v !== null) target[p] = v;
    }
  }
  return [...out.values()];
}

/**
 * The KPI query over `kpi_ticket_facts` (and CSAT surveys) for a list of buckets
 * ($1 starts, $2 ends, half-open) as of $3 (now), grouped by `groupSets` (each a list of
 * dimensions; several sets = GROUPING SETS, used to fill the cube in one pass). Filters are
 * `$4..` text arrays per dimension. Each anchor is one index range scan per bucket:
 * created_at (created, FRT), resolved_at (solved, resolution, wait, reopen, one touch), the SLA
 * due times, the survey send/answer times, and the unsolved periods (GiST) for the backlog.
 */
export function metricsSql(
  groupSets: Dim[][],
  filterDims: Dim[],
  withBacklog = true,
  noneDims: Dim[] = [],
  custom: string | null = null,
  half: MetricHalf = 'all',
): { sql: string; dims: Dim[] } {
  const dims = ALL_DIMS.filter((d) => groupSets.some((s) => s.includes(d)));
  const extra = custom ? [customColumn(custom)] : [];
  const sets = groupSets
    .map((s) => `(${['b.i', ...s.map((d) => DIM_COLUMN[d]), ...extra].join(', ')})`)
    .join(', ');
  const grouping = dims.length > 0 ? `GROUPING(${dims.map((d) => DIM_COLUMN[d]).join(', ')})` : '0';
  const keyCols = groupKeyColumns(dims, extra[0]);
  const where = [
    ...filterDims.map((d, k) => `${DIM_COLUMN[d]} = ANY($${4 + k}::text[])`),
    // the group of absent values (the row a grouping shows with a null key)
    ...noneDims.map((d) => `${DIM_COLUMN[d]} IS NULL`),
  ];
  const filter = where.length > 0 ? `AND ${where.join(' AND ')}` : '';
  const part = (metrics: Record<string, string>, from: string) => {
    const cols = METRIC_COLUMNS.map(
      ([c]) => `${metrics[c] ?? `NULL::${COUNT_COLUMNS.has(c) ? 'int' : 'float8'}`} AS ${c}`,
    );
    return `SELECT b.i, ${grouping} AS g, ${keyCols}, ${cols.join(', ')}
      ${from} ${filter}
      GROUP BY GROUPING SETS (${sets})`;
  };
  // one index range scan per bucket (OFFSET 0 keeps the planner from turning it into a join
  // over the whole table when it misjudges the bucket count)
  const anchored = (col: string) =>
    `SELECT * FROM kpi_ticket_facts x WHERE x.${col} >= b.bs AND x.${col} < b.be OFFSET 0`;
  const durationParts = [
    part(
      { tickets_created: 'count(*)::int', ...durations('frt_s', 'frt') },
      `FROM b CROSS JOIN LATERAL (${anchored('created_at')}) f WHERE true`,
    ),
    part(
      {
        tickets_solved: 'count(*)::int',
        ...durations('resolution_s', 'res'),
        ...durations('wait_s', 'wait'),
        reopened: '(count(*) FILTER (WHERE f.reopened))::int',
        one_touch: '(count(*) FILTER (WHERE f.one_touch))::int',
      },
      `FROM b CROSS JOIN LATERAL (${anchored('resolved_at')}) f WHERE true`,
    ),
    part(
      { surveys_sent: 'count(*)::int', surveys_responded: 'count(s.responded_at)::int' },
      // per bucket (LATERAL), so each range scan gets both bounds (a join with all buckets
      // let the planner scan from the first bucket's start to the end of the table)
      `FROM b CROSS JOIN LATERAL (SELECT y.ticket_id, y.responded_at FROM surveys y
          WHERE y.kind = 'csat' AND y.sent_at >= b.bs AND y.sent_at < b.be OFFSET 0) s
       CROSS JOIN LATERAL (SELECT * FROM kpi_ticket_facts x WHERE x.ticket_id = s.ticket_id OFFSET 0) f WHERE true`,
    ),
  ];
  const countParts = [
    part(
      { fr_sla_due: 'count(*)::int', fr_sla_met: '(count(*) FILTER (WHERE f.fr_met))::int' },
      `FROM b CROSS JOIN LATERAL (${anchored('fr_due_at')}) f WHERE (f.fr_met OR f.fr_due_at <= $3)`,
    ),
    part(
      { res_sla_due: 'count(*)::int', res_sla_met: '(count(*) FILTER (WHERE f.res_met))::int' },
      `FROM b CROSS JOIN LATERAL (${anchored('res_due_at')}) f WHERE (f.res_met OR f.res_due_at <= $3)`,
    ),
    ...(withBacklog
      ? [
          part(
            { backlog: 'count(*)::int' },
            `FROM b JOIN kpi_ticket_facts f ON f.unsolved @> least(b.be, $3::timestamptz) WHERE b.bs <= $3`,
          ),
        ]
      : []),
    part(
      {
        csat_ratings: 'count(*)::int',
        csat_good: '(count(*) FILTER (WHERE s.score >= 4))::int',
        csat_weight: 'coalesce(sum(s.w), 0)::float8',
        csat_good_weight: 'coalesce(sum(s.w) FILTER (WHERE s.score >= 4), 0)::float8',
      },
      `FROM b CROSS JOIN LATERAL (SELECT y.ticket_id, y.score, ${MRR_AT_ANSWER} AS w FROM surveys y
          WHERE y.kind = 'csat' AND y.score IS NOT NULL
            AND y.responded_at >= b.bs AND y.responded_at < b.be OFFSET 0) s
       CROSS JOIN LATERAL (SELECT * FROM kpi_ticket_facts x WHERE x.ticket_id = s.ticket_id OFFSET 0) f WHERE true`,
    ),
  ];
  const parts =
    half === 'anchors'
      ? durationParts
      : half === 'durations'
        ? durationParts.slice(0, 2)
        : half === 'rest'
          ? countParts
          : [...durationParts, ...countParts];
  const outer = METRIC_COLUMNS.map(([c]) =>
    COUNT_COLUMNS.has(c) ? `coalesce(max(${c}), 0)::int AS ${c}` : `max(${c}) AS ${c}`,
  ).join(', ');
  const keys = [...ALL_DIMS.map((d) => `d_${d}`), 'd_custom'].join(', ');
  // every half takes the same parameters: the anchors half has no use for now ($3)
  const usesNow =
    half === 'anchors' || half === 'durations' ? ' WHERE $3::timestamptz IS NOT NULL' : '';
  const sql = `
    WITH b AS (SELECT * FROM unnest($1::timestamptz[], $2::timestamptz[]) WITH ORDINALITY AS b(bs, be, i)${usesNow})
    SELECT i::int, g, ${keys}, ${outer}
      FROM (${parts.join('\n UNION ALL \n')}) x
     GROUP BY i, g, ${keys}`;
  return { sql, dims };
}

export const FACTS_SQL = `
WITH t AS (
  SELECT t.id, t.team_id, t.assignee_id, t.channel, t.priority, c.tier, cv.segment, t.created_at,
         t.first_response_at, t.first_response_due_at, t.resolution_due_at, t.reopen_count,
         CASE WHEN t.status IN ('solved', 'closed') THEN coalesce(t.solved_at, t.closed_at) END AS resolved_at,
         (cal.team_id IS NOT NULL) AS business
    FROM tickets t
    JOIN customers c ON c.id = t.customer_id
    LEFT JOIN customer_values cv ON cv.customer_id = t.customer_id
    LEFT JOIN kpi_calendars cal ON cal.team_id = t.team_id
   WHERE $1::bigint[] IS NULL OR t.id = ANY($1)
),
rep AS (
  SELECT m.ticket_id, count(*)::int AS n
    FROM ticket_messages m
   WHERE m.kind = 'public_reply' AND m.author_user_id IS NOT NULL
     AND ($1::bigint[] IS NULL OR m.ticket_id = ANY($1))
   GROUP BY m.ticket_id
),
ev AS (
  SELECT e.ticket_id, e.to_value AS status, e.created_at AS at,
         lead(e.created_at) OVER (PARTITION BY e.ticket_id ORDER BY e.created_at, e.id) AS next_at
    FROM ticket_events e
   WHERE e.type IN ('created', 'status_changed')
     AND ($1::bigint[] IS NULL OR e.ticket_id = ANY($1))
),
hist AS (
  SELECT ev.ticket_id,
         sum(CASE WHEN t.business
                  THEN kpi_business_position(t.team_id, ev.next_at) - kpi_business_position(t.team_id, ev.at)
                  ELSE extract(epoch FROM ev.next_at - ev.at)::float8 END)
           FILTER (WHERE ev.status IN ('new', 'open', 'on_hold') AND ev.next_at IS NOT NULL) AS wait_s,
         range_agg(tstzrange(ev.at, ev.next_at))
           FILTER (WHERE ev.status IN ('new', 'open', 'pending', 'on_hold')) AS unsolved
    FROM ev JOIN t ON t.id = ev.ticket_id
   GROUP BY ev.ticket_id
)
SELECT t.id AS ticket_id, t.team_id, t.assignee_id AS agent_id, t.channel, t.priority, t.tier, t.segment, t.business,
       t.created_at,
       CASE WHEN t.first_response_at IS NULL THEN NULL
            WHEN t.business THEN greatest(0, kpi_business_position(t.team_id, t.first_response_at) - kpi_business_position(t.team_id, t.created_at))
            ELSE greatest(0, extract(epoch FROM t.first_response_at - t.created_at)::float8) END AS frt_s,
       t.resolved_at,
       CASE WHEN t.resolved_at IS NULL THEN NULL
            WHEN t.business THEN greatest(0, kpi_business_position(t.team_id, t.resolved_at) - kpi_business_position(t.team_id, t.created_at))
            ELSE greatest(0, extract(epoch FROM t.resolved_at - t.created_at)::float8) END AS resolution_s,
       CASE WHEN t.resolved_at IS NULL OR h.ticket_id IS NULL THEN NULL ELSE coalesce(h.wait_s, 0) END AS wait_s,
       t.reopen_count > 0 AS reopened,
       coalesce(rep.n, 0) = 1 AS one_touch,
       t.first_response_due_at AS fr_due_at,
       CASE WHEN t.first_response_due_at IS NULL THEN NULL
            ELSE coalesce(t.first_response_at <= t.first_response_due_at, false) END AS fr_met,
       t.resolution_due_at AS res_due_at,
       CASE WHEN t.resolution_due_at IS NULL THEN NULL
            ELSE coalesce(t.resolved_at <= t.resolution_due_at, false) END AS res_met,
       coalesce(h.unsolved, CASE WHEN h.ticket_id IS NULL
                                 THEN tstzmultirange(tstzrange(t.created_at, t.resolved_at))
                                 ELSE '{}'::tstzmultirange END) AS unsolved
  FROM t
  LEFT JOIN rep ON rep.ticket_id = t.id
  LEFT JOIN hist h ON h.ticket_id = t.id`;

export const FACT_COLUMNS = [
  'team_id',
  'agent_id',
  'channel',
  'priority',
  'tier',
  'segment',
  'business',
  'created_at',
  'frt_s',
  'resolved_at',
  'resolution_s',
  'wait_s',
  'reopened',
  'one_touch',
  'fr_due_at',
  'fr_met',
  'res_due_at',
  'res_met',
  'unsolved',
];

/** Spans of every calendar team from 2000 to 2060: local opening ranges converted to instants. */
export const SPANS_SQL = `
INSERT INTO kpi_calendar_spans (team_id, starts_at, seconds, cum_before)
SELECT team_id, s, extract(epoch FROM e - s)::float8,
       coalesce(sum(extract(epoch FROM e - s)::float8) OVER (PARTITION BY team_id ORDER BY s
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
  FROM (
    SELECT t.id AS team_id,
           (d.day + (r->>0)::time) AT TIME ZONE t.timezone AS s,
           (CASE WHEN r->>1 = '24:00' THEN d.day + interval '1 day' ELSE d.day + (r->>1)::time END) AT TIME ZONE t.timezone AS e
      FROM teams t
      CROSS JOIN generate_series('2000-01-01'::timestamp, '2060-01-01'::timestamp, interval '1 day') AS d(day)
      CROSS JOIN LATERAL jsonb_array_elements(t.business_hours -> lower(to_char(d.day, 'dy'))) AS r
     WHERE t.id = ANY($1::bigint[])
  ) x
 WHERE e > s`;

export const FINGERPRINT = `md5(coalesce(t.timezone, '') || '|' || coalesce(t.business_hours::text, ''))`;
