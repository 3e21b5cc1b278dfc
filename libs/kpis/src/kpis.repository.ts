import { Injectable } from '@nestjs/common';
import { RawBuilder, sql } from 'kysely';
import { Tx, db } from '@staydesk/core';
import { KpiFactsRepository } from './kpi-facts.repository';
import type { Dim, Grain } from './kpi-plan';
import {
  ALL_DIMS,
  COUNT_COLUMNS,
  DIM_COLUMN,
  METRIC_COLUMNS,
  type MetricKey,
  type MetricHalf,
  customColumn,
  metricsSql,
  positional,
  type KpiRow,
  type NextReplyRow,
  groupKeyColumns,
} from './kpi-sql';

export type { KpiRow, NextReplyRow } from './kpi-sql';
export type { Dirty } from './kpi-facts.repository';
export { DIM_COLUMN, customColumn, metricsSql } from './kpi-sql';

/** A metric query's row as PostgreSQL returns it (keys camelCased: `d_team` → `dTeam`). */
type MetricRow = { i: number; g: number; dCustom: string | null } & Record<
  `d${Capitalize<Dim>}`,
  string | null
> &
  Record<MetricKey, number | null>;

/** A next-reply row as PostgreSQL returns it (`b.i`, the ordinality, is a bigint: a string). */
type NextReplyResult = Omit<NextReplyRow, Dim | 'custom' | 'i'> & { i: string } & Record<
    `d${Capitalize<Dim>}`,
    string | null
  > & { dCustom: string | null };

const keyOf = (r: Record<`d${Capitalize<Dim>}`, string | null>) => ({
  team: r.dTeam,
  agent: r.dAgent,
  channel: r.dChannel,
  priority: r.dPriority,
  tier: r.dTier,
  segment: r.dSegment,
});

/**
 * The KPI facts, cells and state. SQL typing (decision 46): state and lookups are the typed
 * builder over `db(tx)`; set-based statements are `sql<Row>` templates on `db(tx)`. The metric
 * query (`metricsSql`), the facts (`FACTS_SQL`) and the next-reply figures are benchmarked at
 * 2M tickets and reuse their positional parameters: they run with their text unchanged through
 * {@link positional} (kpi-sql.ts), their rows typed here. The facts' SQL is in the base class
 * (kpi-facts.repository.ts, a pure move; one injectable, as decision 51).
 */
@Injectable()
export class KpisRepository extends KpiFactsRepository {
  /** One refresh at a time, across workers (transaction-scoped advisory lock). */
  async tryLock(tx: Tx): Promise<boolean> {
    const { rows } = await sql<{
      ok: boolean;
    }>`SELECT pg_try_advisory_xact_lock(7422401) AS ok`.execute(db(tx));
    return rows[0].ok;
  }

  async lock(tx: Tx): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(7422401)`.execute(db(tx));
  }

  /** No JIT and this work_mem for the rest of the transaction, in one round trip. */
  async tune(tx: Tx, workMem: string): Promise<void> {
    // SET LOCAL takes no parameters; set_config(…, true) is the same, with the value bound
    await sql`SELECT set_config('jit', 'off', true), set_config('work_mem', ${workMem}, true)`.execute(
      db(tx),
    );
  }

  /** A rebuild is a batch job: no statement timeout for the rest of the transaction. */
  async noStatementTimeout(tx: Tx): Promise<void> {
    await sql`SET LOCAL statement_timeout = 0`.execute(db(tx));
  }

  /** Empties the cube (a rebuild recomputes every bucket). */
  async truncateCells(tx: Tx): Promise<void> {
    await sql`TRUNCATE kpi_cells`.execute(db(tx));
  }

  async state(tx: Tx): Promise<{
    watermark: Date | null;
    lastRunAt: Date | null;
    rebuiltAt: Date | null;
    now: Date;
  }> {
    const k = db(tx);
    // The singleton row is seeded by a migration; a TRUNCATE … CASCADE (bulk loads, restores)
    // removes it, so it is recreated here rather than failing every refresh afterwards.
    await k
      .insertInto('kpiState')
      .values({ id: 1 })
      .onConflict((oc) => oc.doNothing())
      .execute();
    return k
      .selectFrom('kpiState')
      .select([
        'kpiState.watermark',
        'kpiState.lastRunAt',
        'kpiState.rebuiltAt',
        sql<Date>`now()`.as('now'),
      ])
      .where('kpiState.id', '=', 1)
      .executeTakeFirstOrThrow();
  }

  async saveState(tx: Tx, patch: { watermark: Date; lastRunAt: Date; rebuiltAt?: Date }) {
    await db(tx)
      .updateTable('kpiState')
      .set({
        watermark: patch.watermark,
        lastRunAt: patch.lastRunAt,
        // rebuilt_at stays unless a rebuild gives it
        ...(patch.rebuiltAt ? { rebuiltAt: patch.rebuiltAt } : {}),
      })
      .where('kpiState.id', '=', 1)
      .execute();
  }

  /** True when tickets exist but no facts do (e.g. after a bulk load or a TRUNCATE … CASCADE). */
  async factsMissing(tx: Tx): Promise<boolean> {
    const { rows } = await sql<{ missing: boolean }>`
      SELECT EXISTS (SELECT 1 FROM tickets) AND NOT EXISTS (SELECT 1 FROM kpi_ticket_facts) AS missing`.execute(
      db(tx),
    );
    return rows[0].missing;
  }

  /**
   * Recomputes the cells of the given buckets of one grain (every dimension, one pass), or only
   * their segment cells (`segmentOnly`: the backfill after a segment shift, decision 34.3).
   */
  async recomputeCells(
    tx: Tx,
    grain: Grain,
    starts: Date[],
    ends: Date[],
    now: Date,
    segmentOnly = false,
  ) {
    if (starts.length === 0) return;
    const sets: Dim[][] = segmentOnly
      ? [['segment']]
      : [['team'], ['agent'], ['channel'], ['priority'], ['tier'], ['segment']];
    const { sql: metrics } = metricsSql(segmentOnly ? sets : [[], ...sets], []);
    const full = (1 << sets.length) - 1;
    const dimOf = sets
      .map(([d], k) => `WHEN ${full ^ (1 << (sets.length - 1 - k))} THEN '${d}'`)
      .join(' ');
    let del = db(tx)
      .deleteFrom('kpiCells')
      .where('kpiCells.grain', '=', grain)
      .where('kpiCells.bucketStart', '=', sql<Date>`any(${starts}::timestamptz[])`);
    if (segmentOnly) del = del.where('kpiCells.dim', '=', 'segment');
    await del.execute();
    const cols = METRIC_COLUMNS.map(([c]) => c).join(', ');
    await positional(
      tx,
      `INSERT INTO kpi_cells (grain, bucket_start, dim, dim_value, ${cols})
       SELECT $4, ($1::timestamptz[])[m.i],
              ${segmentOnly ? `'segment'` : `CASE m.g WHEN ${full} THEN 'all' ${dimOf} END`},
              coalesce(m.d_team, m.d_agent, m.d_channel, m.d_priority, m.d_tier, m.d_segment, ''),
              ${cols}
         FROM (${metrics}) m`,
      [starts, ends, now, grain],
    );
  }

  /**
   * Up to `limit[grain]` buckets whose segment cells wait for recomputation after a segment
   * shift, of the finest grain that has any (none: the backfill of the cells is done).
   */
  async pendingSegmentBuckets(
    tx: Tx,
    limit: Record<Grain, number>,
  ): Promise<{ grain: Grain; starts: Date[] } | null> {
    const k = db(tx);
    const first = await k
      .selectFrom('kpiSegmentBuckets')
      .select('kpiSegmentBuckets.grain')
      .orderBy(sql`array_position(ARRAY['day', 'week', 'month'], grain)`)
      .limit(1)
      .executeTakeFirst();
    if (!first) return null;
    const grain = first.grain;
    const rows = await k
      .selectFrom('kpiSegmentBuckets')
      .select('kpiSegmentBuckets.bucketStart')
      .where('kpiSegmentBuckets.grain', '=', grain)
      .orderBy('kpiSegmentBuckets.bucketStart')
      .limit(limit[grain])
      .execute();
    return { grain, starts: rows.map((r) => r.bucketStart) };
  }

  /** Takes recomputed buckets off the segment backfill. */
  async segmentBucketsDone(tx: Tx, grain: Grain, starts: Date[]): Promise<void> {
    await db(tx)
      .deleteFrom('kpiSegmentBuckets')
      .where('kpiSegmentBuckets.grain', '=', grain)
      .where('kpiSegmentBuckets.bucketStart', '=', sql<Date>`any(${starts}::timestamptz[])`)
      .execute();
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
    half: MetricHalf = 'all',
  ): Promise<KpiRow[]> {
    const filterDims = ALL_DIMS.filter((d) => filters[d]);
    const { sql: text } = metricsSql([dims], filterDims, withBacklog, none, custom, half);
    const rows = await positional<MetricRow>(tx, text, [
      starts,
      ends,
      now,
      ...filterDims.map((d) => filters[d]),
    ]);
    return rows.map((r) =>
      toKpiRow(r, r.i, { ...keyOf(r), ...(custom ? { custom: r.dCustom } : {}) }),
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
    const keyCols = groupKeyColumns(dims, extra[0]);
    const where = [
      ...filterDims.map((d, k) => `AND ${DIM_COLUMN[d]} = ANY($${3 + k}::text[])`),
      // the group of absent values (as metricsSql)
      ...none.map((d) => `AND ${DIM_COLUMN[d]} IS NULL`),
    ];
    const rows = await positional<NextReplyResult>(
      tx,
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
      i: Number(r.i),
      ...keyOf(r),
      ...(custom ? { custom: r.dCustom } : {}),
      n: r.n,
      met: r.met,
      mean: r.mean,
      p50: r.p50,
      p90: r.p90,
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
    const { rows } = await sql<Record<MetricKey, number | null> & { i: number; dimValue: string }>`
      SELECT array_position(${starts}::timestamptz[], bucket_start)::int AS i, dim_value, *
        FROM kpi_cells
       WHERE grain = ${grain} AND dim = ${dim} AND bucket_start = ANY(${starts}::timestamptz[])
         AND (${values}::text[] IS NULL OR dim_value = ANY(${values}::text[]))`.execute(db(tx));
    return rows.map((r) => {
      const v = r.dimValue || null;
      return toKpiRow(r, r.i, {
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
    const k = db(tx);
    const rows = await k
      .selectFrom('teams')
      .select('teams.id')
      .where('teams.leadId', '=', userId)
      .union(
        k
          .selectFrom('userTeams')
          .select('userTeams.teamId as id')
          .where('userTeams.userId', '=', userId),
      )
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** When a rebuild last filled the segment cells of every bucket (null: answer from facts). */
  async segmentCellsAt(tx: Tx): Promise<Date | null> {
    const r = await db(tx)
      .selectFrom('kpiState')
      .select('kpiState.segmentCellsAt')
      .where('kpiState.id', '=', 1)
      .executeTakeFirst();
    return r?.segmentCellsAt ?? null;
  }

  async markSegmentCells(tx: Tx, at: Date): Promise<void> {
    await db(tx)
      .updateTable('kpiState')
      .set({ segmentCellsAt: at })
      .where('kpiState.id', '=', 1)
      .execute();
  }

  /**
   * What finds the cached figures of fact-computed buckets, in one statement: the database's
   * now, the last refresh (null before the first one, or without a state row) and a stamp of the
   * day cells covering each bucket [start, end), in order: their count and latest computation
   * (`n@epoch ms`). A fact-computed partial bucket can be reused while its stamp is unchanged
   * (the refresh rewrites exactly the cells whose days it touched).
   */
  async factProbe(tx: Tx, buckets: readonly { start: Date; end: Date }[]): Promise<FactProbe> {
    const { rows } = await sql<{
      now: Date;
      lastRunAt: Date | null;
      segmentsAt: Date | null;
      stamps: string[];
    }>`
      SELECT now() AS now, (SELECT last_run_at FROM kpi_state WHERE id = 1) AS last_run_at,
             (SELECT segments_at FROM kpi_state WHERE id = 1) AS segments_at,
             ARRAY(SELECT count(c.bucket_start)::int || '@' || coalesce(floor(extract(epoch FROM max(c.computed_at)) * 1000)::bigint, 0)
                     FROM unnest(${buckets.map((b) => b.start)}::timestamptz[], ${buckets.map((b) => b.end)}::timestamptz[])
                          WITH ORDINALITY AS b(s, e, i)
                     LEFT JOIN kpi_cells c
                       ON c.grain = 'day' AND c.dim = 'all'
                      AND c.bucket_start >= date_trunc('day', b.s AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                      AND c.bucket_start < b.e
                    GROUP BY b.i ORDER BY b.i) AS stamps`.execute(db(tx));
    return rows[0];
  }

  async now(tx: Tx): Promise<Date> {
    const { rows } = await sql<{ now: Date }>`SELECT now() AS now`.execute(db(tx));
    return rows[0].now;
  }

  /**
   * CES and NPS answers given in [from, to), with surveyStats' definitions (libs/surveys): team
   * and agent are the ticket's current ones, or the survey's own for an NPS answer without a
   * ticket. `teams`/`agents` null = all; `none` selects the answers without a team/agent.
   * `columns` are SQL expressions written in code (kpi-drill.repository.ts NPS_COLUMN).
   */
  async surveyAnswers(
    tx: Tx,
    from: Date,
    to: Date,
    filters: Partial<Record<Dim, string[]>>,
    none: Dim[],
    columns: Partial<Record<Dim, string>>,
  ): Promise<SurveyAnswers> {
    const where: RawBuilder<unknown>[] = [];
    for (const [dim, values] of Object.entries(filters) as [Dim, string[]][]) {
      where.push(sql`AND ${sql.raw(columns[dim]!)} = ANY(${values}::text[])`);
    }
    for (const dim of none) where.push(sql`AND ${sql.raw(columns[dim]!)} IS NULL`);
    const { rows } = await sql<SurveyAnswers>`
      SELECT count(s.ces_score)::int AS "cesResponses", coalesce(sum(s.ces_score), 0)::int AS "cesSum",
             (count(*) FILTER (WHERE s.kind = 'nps'))::int AS "npsResponses",
             (count(*) FILTER (WHERE s.kind = 'nps' AND s.score >= 9))::int AS promoters,
             (count(*) FILTER (WHERE s.kind = 'nps' AND s.score BETWEEN 7 AND 8))::int AS passives,
             (count(*) FILTER (WHERE s.kind = 'nps' AND s.score <= 6))::int AS detractors
        FROM surveys s LEFT JOIN tickets t ON t.id = s.ticket_id
       WHERE s.responded_at >= ${from} AND s.responded_at < ${to} AND s.score IS NOT NULL
             ${sql.join(where, sql` `)}`.execute(db(tx));
    return rows[0];
  }
}

/** See {@link KpisRepository.factProbe}. */
export interface FactProbe {
  now: Date;
  lastRunAt: Date | null;
  /** When the facts' segments last moved without their day cells (a segment shift's backfill). */
  segmentsAt: Date | null;
  stamps: string[];
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
  r: Record<MetricKey, number | string | null | undefined>,
  i: number,
  key: Pick<KpiRow, 'team' | 'agent' | 'channel' | 'priority' | 'tier' | 'segment' | 'custom'>,
): KpiRow {
  const figures = {} as Record<MetricKey, number | null>;
  for (const [c, p] of METRIC_COLUMNS) {
    const v = r[p];
    figures[p] = v === null || v === undefined ? (COUNT_COLUMNS.has(c) ? 0 : null) : Number(v);
  }
  return { i, ...key, ...(figures as Pick<KpiRow, MetricKey>) };
}
