import { Injectable } from '@nestjs/common';
import { Tx } from '@staydesk/core';
import { mrrAtSql } from '@staydesk/customers';
import type { Dim, Grain } from './kpi-plan';

/** One row of KPI inputs for a group in a bucket (durations in seconds). */
export interface KpiRow {
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
export interface NextReplyRow {
  i: number;
  team: string | null;
  agent: string | null;
  channel: string | null;
  priority: string | null;
  tier: string | null;
  segment: string | null;
  custom?: string | null;
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
const ALL_DIMS: Dim[] = ['team', 'agent', 'channel', 'priority', 'tier', 'segment'];

/**
 * A ticket custom field's value as a group key (`custom.<key>`; text, dropdown and checkbox
 * values as text). The key is checked against the key pattern before it reaches SQL.
 */
export function customColumn(key: string): string {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(key)) throw new Error(`bad custom field key ${key}`);
  return `(SELECT tk.custom_fields ->> '${key}' FROM tickets tk WHERE tk.id = f.ticket_id)`;
}

const METRIC_COLUMNS: [string, string][] = [
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
const COUNT_COLUMNS = new Set(
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
): { sql: string; dims: Dim[] } {
  const dims = ALL_DIMS.filter((d) => groupSets.some((s) => s.includes(d)));
  const extra = custom ? [customColumn(custom)] : [];
  const sets = groupSets
    .map((s) => `(${['b.i', ...s.map((d) => DIM_COLUMN[d]), ...extra].join(', ')})`)
    .join(', ');
  const grouping = dims.length > 0 ? `GROUPING(${dims.map((d) => DIM_COLUMN[d]).join(', ')})` : '0';
  const keyCols = [
    ...ALL_DIMS.map((d) =>
      dims.includes(d) ? `${DIM_COLUMN[d]} AS d_${d}` : `NULL::text AS d_${d}`,
    ),
    `${extra[0] ?? 'NULL::text'} AS d_custom`,
  ].join(', ');
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
  const parts = [
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
      { surveys_sent: 'count(*)::int', surveys_responded: 'count(s.responded_at)::int' },
      // per bucket (LATERAL), so each range scan gets both bounds (a join with all buckets
      // let the planner scan from the first bucket's start to the end of the table)
      `FROM b CROSS JOIN LATERAL (SELECT y.ticket_id, y.responded_at FROM surveys y
          WHERE y.kind = 'csat' AND y.sent_at >= b.bs AND y.sent_at < b.be OFFSET 0) s
       CROSS JOIN LATERAL (SELECT * FROM kpi_ticket_facts x WHERE x.ticket_id = s.ticket_id OFFSET 0) f WHERE true`,
    ),
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
  const outer = METRIC_COLUMNS.map(([c]) =>
    COUNT_COLUMNS.has(c) ? `coalesce(max(${c}), 0)::int AS ${c}` : `max(${c}) AS ${c}`,
  ).join(', ');
  const keys = [...ALL_DIMS.map((d) => `d_${d}`), 'd_custom'].join(', ');
  const sql = `
    WITH b AS (SELECT * FROM unnest($1::timestamptz[], $2::timestamptz[]) WITH ORDINALITY AS b(bs, be, i))
    SELECT i::int, g, ${keys}, ${outer}
      FROM (${parts.join('\n UNION ALL \n')}) x
     GROUP BY i, g, ${keys}`;
  return { sql, dims };
}

const FACTS_SQL = `
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

const FACT_COLUMNS = [
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
const SPANS_SQL = `
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

const FINGERPRINT = `md5(coalesce(t.timezone, '') || '|' || coalesce(t.business_hours::text, ''))`;

export interface Dirty {
  /** UTC day starts touched by an anchor (created, resolved, due times) of a changed fact. */
  days: Date[];
  /** Periods whose backlog changed: every bucket ending inside one is dirty. */
  ranges: { from: Date; to: Date | null }[];
}

@Injectable()
export class KpisRepository {
  /** One refresh at a time, across workers (transaction-scoped advisory lock). */
  async tryLock(tx: Tx): Promise<boolean> {
    const [r] = await tx.query(`SELECT pg_try_advisory_xact_lock(7422401) AS ok`);
    return r.ok;
  }

  async lock(tx: Tx): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(7422401)`);
  }

  async tune(tx: Tx, workMem: string): Promise<void> {
    await tx.query(`SET LOCAL jit = off`);
    await tx.query(`SET LOCAL work_mem = '${workMem}'`);
  }

  async state(tx: Tx): Promise<{
    watermark: Date | null;
    lastRunAt: Date | null;
    rebuiltAt: Date | null;
    now: Date;
  }> {
    // The singleton row is seeded by a migration; a TRUNCATE … CASCADE (bulk loads, restores)
    // removes it, so it is recreated here rather than failing every refresh afterwards.
    await tx.query(`INSERT INTO kpi_state (id) VALUES (1) ON CONFLICT DO NOTHING`);
    const [r] = await tx.query(
      `SELECT watermark, last_run_at AS "lastRunAt", rebuilt_at AS "rebuiltAt", now() AS now FROM kpi_state WHERE id = 1`,
    );
    return r;
  }

  async saveState(tx: Tx, patch: { watermark: Date; lastRunAt: Date; rebuiltAt?: Date }) {
    await tx.query(
      `UPDATE kpi_state SET watermark = $1, last_run_at = $2, rebuilt_at = coalesce($3, rebuilt_at) WHERE id = 1`,
      [patch.watermark, patch.lastRunAt, patch.rebuiltAt ?? null],
    );
  }

  /** True when tickets exist but no facts do (e.g. after a bulk load or a TRUNCATE … CASCADE). */
  async factsMissing(tx: Tx): Promise<boolean> {
    const [r] = await tx.query(
      `SELECT EXISTS (SELECT 1 FROM tickets) AND NOT EXISTS (SELECT 1 FROM kpi_ticket_facts) AS missing`,
    );
    return r.missing;
  }

  /** Rebuilds the spans of calendars that changed (or appeared/disappeared); returns those team ids. */
  async syncCalendars(tx: Tx, all = false): Promise<string[]> {
    const changed: { id: string }[] = await tx.query(
      `SELECT coalesce(t.id, k.team_id)::text AS id
         FROM (SELECT id, ${FINGERPRINT} AS fp FROM teams t WHERE timezone IS NOT NULL AND business_hours IS NOT NULL) t
         FULL JOIN kpi_calendars k ON k.team_id = t.id
        WHERE $1 OR t.fp IS DISTINCT FROM k.fingerprint`,
      [all],
    );
    if (changed.length === 0) return [];
    const ids = changed.map((c) => c.id);
    await tx.query(`DELETE FROM kpi_calendar_spans WHERE team_id = ANY($1::bigint[])`, [ids]);
    await tx.query(`DELETE FROM kpi_calendars WHERE team_id = ANY($1::bigint[])`, [ids]);
    await tx.query(SPANS_SQL, [ids]);
    await tx.query(
      `INSERT INTO kpi_calendars (team_id, fingerprint)
       SELECT t.id, ${FINGERPRINT} FROM teams t
        WHERE t.id = ANY($1::bigint[]) AND t.timezone IS NOT NULL AND t.business_hours IS NOT NULL`,
      [ids],
    );
    return ids;
  }

  /**
   * Tickets whose facts may have changed since `since`: the ticket, its customer's tier or value
   * segment, its team's calendar.
   */
  async changedTicketIds(tx: Tx, since: Date, teams: string[]): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(
      `SELECT id::text FROM tickets WHERE updated_at > $1
       UNION SELECT t.id::text FROM customers c JOIN tickets t ON t.customer_id = c.id WHERE c.updated_at > $1
       UNION SELECT t.id::text FROM customer_values v JOIN tickets t ON t.customer_id = v.customer_id
              WHERE v.segment_changed_at > $1
       UNION SELECT id::text FROM tickets WHERE team_id = ANY($2::bigint[])`,
      [since, teams],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Recomputes the facts of these tickets, writes the ones that changed, and returns where the
   * change lands in time (anchors of the old and new rows; periods whose backlog moved).
   */
  async refreshFacts(tx: Tx, ids: string[]): Promise<Dirty> {
    const cols = FACT_COLUMNS.join(', ');
    const rows: { kind: string; day: Date | null; from: Date | null; to: Date | null }[] =
      await tx.query(
        `WITH n AS (${FACTS_SQL}),
         o AS (SELECT * FROM kpi_ticket_facts WHERE ticket_id = ANY($1::bigint[])),
         ch AS (
           SELECT n.ticket_id AS nid, o.ticket_id AS oid,
                  n.created_at AS n_created, o.created_at AS o_created, n.resolved_at AS n_resolved, o.resolved_at AS o_resolved,
                  n.fr_due_at AS n_fr, o.fr_due_at AS o_fr, n.res_due_at AS n_res, o.res_due_at AS o_res,
                  CASE WHEN (n.team_id, n.agent_id, n.channel, n.priority, n.tier, n.segment) IS DISTINCT FROM (o.team_id, o.agent_id, o.channel, o.priority, o.tier, o.segment)
                       THEN coalesce(n.unsolved, '{}') + coalesce(o.unsolved, '{}')
                       ELSE (coalesce(n.unsolved, '{}') - coalesce(o.unsolved, '{}')) + (coalesce(o.unsolved, '{}') - coalesce(n.unsolved, '{}')) END AS moved
             FROM n FULL JOIN o ON o.ticket_id = n.ticket_id
            WHERE (${FACT_COLUMNS.map((c) => `n.${c}`).join(', ')}) IS DISTINCT FROM (${FACT_COLUMNS.map((c) => `o.${c}`).join(', ')})
         ),
         up AS (
           INSERT INTO kpi_ticket_facts (ticket_id, ${cols}, refreshed_at)
           SELECT ticket_id, ${cols}, now() FROM n WHERE ticket_id IN (SELECT nid FROM ch)
           ON CONFLICT (ticket_id) DO UPDATE SET ${FACT_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, refreshed_at = now()
           RETURNING 1
         )
         SELECT DISTINCT 'day' AS kind, date_trunc('day', a AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, NULL::timestamptz AS "from", NULL::timestamptz AS "to"
           FROM ch, unnest(ARRAY[n_created, o_created, n_resolved, o_resolved, n_fr, o_fr, n_res, o_res]) a WHERE a IS NOT NULL
         UNION ALL
         SELECT 'range', NULL, lower(r), upper(r) FROM ch, unnest(moved) r WHERE NOT isempty(r)
         UNION ALL
         SELECT 'written', NULL, NULL, NULL FROM (SELECT count(*) FROM up) w`,
        [ids],
      );
    return {
      days: rows.filter((r) => r.kind === 'day').map((r) => r.day!),
      ranges: rows.filter((r) => r.kind === 'range').map((r) => ({ from: r.from!, to: r.to })),
    };
  }

  /** Days with survey activity since `since`, from each survey's send day to today (answers may move). */
  async surveyDays(tx: Tx, since: Date): Promise<{ from: Date; to: Date }[]> {
    return tx.query(
      `SELECT min(sent_at) AS "from", now() AS "to" FROM surveys
        WHERE kind = 'csat' AND sent_at IS NOT NULL AND (sent_at > $1 OR responded_at > $1)
       HAVING count(*) > 0`,
      [since],
    );
  }

  /** Rebuilds every fact set-based (after bulk loads). */
  async rebuildFacts(tx: Tx): Promise<number> {
    await tx.query(`TRUNCATE kpi_ticket_facts`);
    await tx.query(
      `INSERT INTO kpi_ticket_facts (ticket_id, ${FACT_COLUMNS.join(', ')}) SELECT ticket_id, ${FACT_COLUMNS.join(', ')} FROM (${FACTS_SQL}) f`,
      [null],
    );
    const [r] = await tx.query(`SELECT count(*)::int AS n FROM kpi_ticket_facts`);
    return r.n;
  }

  /** Earliest instant any anchor of the facts or surveys falls on (null without data). */
  async firstInstant(tx: Tx): Promise<Date | null> {
    const [r] = await tx.query(
      `SELECT least((SELECT min(created_at) FROM kpi_ticket_facts),
                    (SELECT min(sent_at) FROM surveys WHERE kind = 'csat')) AS at`,
    );
    return r.at;
  }

  /** Recomputes the cells of the given buckets of one grain (every dimension, one pass). */
  async recomputeCells(tx: Tx, grain: Grain, starts: Date[], ends: Date[], now: Date) {
    if (starts.length === 0) return;
    const sets: Dim[][] = [['team'], ['agent'], ['channel'], ['priority'], ['tier'], ['segment']];
    const { sql } = metricsSql([[], ...sets], []);
    // GROUPING(team, agent, channel, priority, tier, segment): all bits set but the grouped one's
    const full = (1 << sets.length) - 1;
    const dimOf = sets
      .map(([d], k) => `WHEN ${full ^ (1 << (sets.length - 1 - k))} THEN '${d}'`)
      .join(' ');
    await tx.query(
      `DELETE FROM kpi_cells WHERE grain = $1 AND bucket_start = ANY($2::timestamptz[])`,
      [grain, starts],
    );
    const cols = METRIC_COLUMNS.map(([c]) => c).join(', ');
    await tx.query(
      `INSERT INTO kpi_cells (grain, bucket_start, dim, dim_value, ${cols})
       SELECT $4, ($1::timestamptz[])[m.i],
              CASE m.g WHEN ${full} THEN 'all' ${dimOf} END,
              coalesce(m.d_team, m.d_agent, m.d_channel, m.d_priority, m.d_tier, m.d_segment, ''),
              ${cols}
         FROM (${sql}) m`,
      [starts, ends, now, grain],
    );
  }

  /** KPI rows computed from the facts (any grouping and filters). */
  async computeRows(
    tx: Tx,
    dims: Dim[],
    filters: Partial<Record<Dim, string[]>>,
    starts: Date[],
    ends: Date[],
    now: Date,
    withBacklog = true,
    none: Dim[] = [],
    custom: string | null = null,
  ): Promise<KpiRow[]> {
    const filterDims = ALL_DIMS.filter((d) => filters[d]);
    const { sql } = metricsSql([dims], filterDims, withBacklog, none, custom);
    const rows: Record<string, unknown>[] = await tx.query(sql, [
      starts,
      ends,
      now,
      ...filterDims.map((d) => filters[d]),
    ]);
    return rows.map((r) =>
      toKpiRow(r, r.i as number, {
        team: r.d_team as string | null,
        agent: r.d_agent as string | null,
        channel: r.d_channel as string | null,
        priority: r.d_priority as string | null,
        tier: r.d_tier as string | null,
        segment: r.d_segment as string | null,
        ...(custom ? { custom: r.d_custom as string | null } : {}),
      }),
    );
  }

  /**
   * Next-reply figures per bucket and group, set-based from the `next_reply_met` /
   * `next_reply_breached` events (a public reply stopping a next-reply clock; fromValue = when
   * the clock started), anchored at the reply's time: one range scan of a partial index per
   * bucket. Groups are the ticket's current ones, from its KPI fact (like every other figure).
   * Wall-clock seconds from the customer's message to the reply.
   */
  async nextReplyRows(
    tx: Tx,
    dims: Dim[],
    filters: Partial<Record<Dim, string[]>>,
    starts: Date[],
    ends: Date[],
    none: Dim[] = [],
    custom: string | null = null,
  ): Promise<NextReplyRow[]> {
    const filterDims = ALL_DIMS.filter((d) => filters[d]);
    const extra = custom ? [customColumn(custom)] : [];
    const keyCols = [
      ...ALL_DIMS.map((d) =>
        dims.includes(d) ? `${DIM_COLUMN[d]} AS d_${d}` : `NULL::text AS d_${d}`,
      ),
      `${extra[0] ?? 'NULL::text'} AS d_custom`,
    ].join(', ');
    const where = [
      ...filterDims.map((d, k) => `AND ${DIM_COLUMN[d]} = ANY($${3 + k}::text[])`),
      // the group of absent values (as metricsSql)
      ...none.map((d) => `AND ${DIM_COLUMN[d]} IS NULL`),
    ];
    const rows: Record<string, unknown>[] = await tx.query(
      `WITH b AS (SELECT * FROM unnest($1::timestamptz[], $2::timestamptz[]) WITH ORDINALITY AS b(bs, be, i))
       SELECT b.i, ${keyCols}, count(*)::int AS n,
              (count(*) FILTER (WHERE e.type = 'next_reply_met'))::int AS met,
              avg(e.s)::float8 AS mean,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY e.s)::float8 AS p50,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY e.s)::float8 AS p90
         FROM b CROSS JOIN LATERAL (
                SELECT x.ticket_id, x.type,
                       extract(epoch FROM x.created_at - x.from_value::timestamptz)::float8 AS s
                  FROM ticket_events x
                 WHERE x.type IN ('next_reply_met', 'next_reply_breached')
                   AND x.created_at >= b.bs AND x.created_at < b.be OFFSET 0) e
         JOIN kpi_ticket_facts f ON f.ticket_id = e.ticket_id
        WHERE true ${where.join(' ')}
        GROUP BY b.i${[...dims.map((d) => DIM_COLUMN[d]), ...extra].map((c) => `, ${c}`).join('')}`,
      [starts, ends, ...filterDims.map((d) => filters[d])],
    );
    return rows.map((r) => ({
      i: r.i as number,
      team: r.d_team as string | null,
      agent: r.d_agent as string | null,
      channel: r.d_channel as string | null,
      priority: r.d_priority as string | null,
      tier: r.d_tier as string | null,
      segment: r.d_segment as string | null,
      ...(custom ? { custom: r.d_custom as string | null } : {}),
      n: r.n as number,
      met: r.met as number,
      mean: r.mean as number | null,
      p50: r.p50 as number | null,
      p90: r.p90 as number | null,
    }));
  }

  /** KPI rows read from the cube: whole buckets of one grain, one dimension (or none). */
  async cellRows(
    tx: Tx,
    grain: Grain,
    dim: Dim | 'all',
    values: string[] | null,
    starts: Date[],
  ): Promise<KpiRow[]> {
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT array_position($3::timestamptz[], bucket_start)::int AS i, dim_value, *
         FROM kpi_cells
        WHERE grain = $1 AND dim = $2 AND bucket_start = ANY($3::timestamptz[])
          AND ($4::text[] IS NULL OR dim_value = ANY($4))`,
      [grain, dim, starts, values],
    );
    return rows.map((r) => {
      const v = (r.dim_value as string) || null;
      return toKpiRow(Object.fromEntries(METRIC_COLUMNS.map(([c]) => [c, r[c]])), r.i as number, {
        team: dim === 'team' ? v : null,
        agent: dim === 'agent' ? v : null,
        channel: dim === 'channel' ? v : null,
        priority: dim === 'priority' ? v : null,
        tier: dim === 'tier' ? v : null,
        segment: dim === 'segment' ? v : null,
      });
    });
  }

  /** Teams a team lead may read: the ones they lead and the ones they belong to. */
  async ownTeams(tx: Tx, userId: string): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(
      `SELECT id::text FROM teams WHERE lead_id = $1
       UNION SELECT team_id::text FROM user_teams WHERE user_id = $1 ORDER BY 1`,
      [userId],
    );
    return rows.map((r) => r.id);
  }

  /** When a rebuild last filled the segment cells of every bucket (null: answer from facts). */
  async segmentCellsAt(tx: Tx): Promise<Date | null> {
    const [r] = await tx.query(`SELECT segment_cells_at AS at FROM kpi_state WHERE id = 1`);
    return r?.at ?? null;
  }

  async markSegmentCells(tx: Tx, at: Date): Promise<void> {
    await tx.query(`UPDATE kpi_state SET segment_cells_at = $1 WHERE id = 1`, [at]);
  }

  /**
   * A fingerprint of the day cells covering [from, to): their count and latest computation.
   * A fact-computed partial bucket can be reused while it is unchanged (the refresh rewrites
   * exactly the cells whose days it touched).
   */
  async dayCellsStamp(tx: Tx, from: Date, to: Date): Promise<string> {
    const [r] = await tx.query(
      `SELECT count(*)::int AS n, max(computed_at) AS at FROM kpi_cells
        WHERE grain = 'day' AND dim = 'all' AND bucket_start >= date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
          AND bucket_start < $2::timestamptz`,
      [from, to],
    );
    return `${r.n}@${r.at ? new Date(r.at).getTime() : 0}`;
  }

  async now(tx: Tx): Promise<Date> {
    const [r] = await tx.query(`SELECT now() AS now`);
    return r.now;
  }

  /**
   * CES and NPS answers given in [from, to), with surveyStats' definitions (libs/surveys): team
   * and agent are the ticket's current ones, or the survey's own for an NPS answer without a
   * ticket. `teams`/`agents` null = all; `none` selects the answers without a team/agent.
   */
  async surveyAnswers(
    tx: Tx,
    from: Date,
    to: Date,
    filters: Partial<Record<Dim, string[]>>,
    none: Dim[],
    columns: Partial<Record<Dim, string>>,
  ): Promise<SurveyAnswers> {
    const params: unknown[] = [from, to];
    const where: string[] = [];
    for (const [dim, values] of Object.entries(filters) as [Dim, string[]][]) {
      params.push(values);
      where.push(`${columns[dim]} = ANY($${params.length}::text[])`);
    }
    for (const dim of none) where.push(`${columns[dim]} IS NULL`);
    const [r] = await tx.query(
      `SELECT count(s.ces_score)::int AS "cesResponses", coalesce(sum(s.ces_score), 0)::int AS "cesSum",
              (count(*) FILTER (WHERE s.kind = 'nps'))::int AS "npsResponses",
              (count(*) FILTER (WHERE s.kind = 'nps' AND s.score >= 9))::int AS promoters,
              (count(*) FILTER (WHERE s.kind = 'nps' AND s.score BETWEEN 7 AND 8))::int AS passives,
              (count(*) FILTER (WHERE s.kind = 'nps' AND s.score <= 6))::int AS detractors
         FROM surveys s LEFT JOIN tickets t ON t.id = s.ticket_id
        WHERE s.responded_at >= $1 AND s.responded_at < $2 AND s.score IS NOT NULL
              ${where.map((w) => `AND ${w}`).join(' ')}`,
      params,
    );
    return r;
  }
}

/** Counts of the CES and NPS answers given in a range (see {@link KpisRepository.surveyAnswers}). */
export interface SurveyAnswers {
  cesResponses: number;
  cesSum: number;
  npsResponses: number;
  promoters: number;
  passives: number;
  detractors: number;
}

function toKpiRow(
  r: Record<string, unknown>,
  i: number,
  key: Pick<KpiRow, 'team' | 'agent' | 'channel' | 'priority' | 'tier' | 'segment' | 'custom'>,
): KpiRow {
  const out: Record<string, unknown> = { i, ...key };
  for (const [c, p] of METRIC_COLUMNS) {
    const v = r[c];
    out[p] = v === null || v === undefined ? (COUNT_COLUMNS.has(c) ? 0 : null) : Number(v);
  }
  return out as unknown as KpiRow;
}
