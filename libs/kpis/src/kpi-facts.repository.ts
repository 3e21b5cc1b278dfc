import { sql } from 'kysely';
import { Tx, db } from '@staydesk/core';
import { GRAINS, type Grain } from './kpi-plan';
import { FACTS_SQL, FACT_COLUMNS, FINGERPRINT, SPANS_SQL, positional } from './kpi-sql';

export interface Dirty {
  /** UTC day starts touched by an anchor (created, resolved, due times) of a changed fact. */
  days: Date[];
  /** Periods whose backlog changed: every bucket ending inside one is dirty. */
  ranges: { from: Date; to: Date | null }[];
}

/**
 * The per-ticket KPI facts and the business calendars behind them: the base of
 * {@link KpisRepository} (moved out of kpis.repository.ts, a pure move). `sql<Row>` templates
 * and builder calls on `db(tx)`; the facts statement (`FACTS_SQL`, benchmarked at 2M tickets,
 * its `$1` used four times) runs with its text unchanged through {@link positional}.
 */
export class KpiFactsRepository {
  /** Rebuilds the spans of calendars that changed (or appeared/disappeared); returns those team ids. */
  async syncCalendars(tx: Tx, all = false): Promise<string[]> {
    const k = db(tx);
    const { rows: changed } = await sql<{ id: string }>`
      SELECT coalesce(t.id, k.team_id)::text AS id
        FROM (SELECT id, ${sql.raw(FINGERPRINT)} AS fp FROM teams t WHERE timezone IS NOT NULL AND business_hours IS NOT NULL) t
        FULL JOIN kpi_calendars k ON k.team_id = t.id
       WHERE ${all} OR t.fp IS DISTINCT FROM k.fingerprint`.execute(k);
    if (changed.length === 0) return [];
    const ids = changed.map((c) => c.id);
    const inIds = sql<string>`any(${ids}::bigint[])`;
    await k.deleteFrom('kpiCalendarSpans').where('kpiCalendarSpans.teamId', '=', inIds).execute();
    await k.deleteFrom('kpiCalendars').where('kpiCalendars.teamId', '=', inIds).execute();
    await positional(tx, SPANS_SQL, [ids]);
    await sql`
      INSERT INTO kpi_calendars (team_id, fingerprint)
      SELECT t.id, ${sql.raw(FINGERPRINT)} FROM teams t
       WHERE t.id = ANY(${ids}::bigint[]) AND t.timezone IS NOT NULL AND t.business_hours IS NOT NULL`.execute(
      k,
    );
    return ids;
  }

  /**
   * Tickets whose facts may have changed since `since`: the ticket, its customer's tier, its
   * team's calendar. (A value-segment change goes through the segment queue:
   * {@link segmentShift}.)
   */
  async changedTicketIds(tx: Tx, since: Date, teams: string[]): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`
      SELECT id::text FROM tickets WHERE updated_at > ${since}
      UNION SELECT t.id::text FROM customers c JOIN tickets t ON t.customer_id = c.id WHERE c.updated_at > ${since}
      UNION SELECT id::text FROM tickets WHERE team_id = ANY(${teams}::bigint[])`.execute(db(tx));
    return rows.map((r) => r.id);
  }

  /**
   * Where the facts of these customers' tickets count in time, so where their segment cells
   * lie: the days of their anchors and of their CSAT surveys' sending and answers, and the
   * periods they were unsolved (merged: the backlog of every bucket ending inside one).
   */
  async segmentReach(tx: Tx, customers: string[]): Promise<Dirty> {
    const { rows } = await sql<{ kind: 'day' | 'range'; at: Date; to: Date | null }>`
      WITH f AS (
        SELECT f.* FROM tickets t JOIN kpi_ticket_facts f ON f.ticket_id = t.id
         WHERE t.customer_id = ANY(${customers}::bigint[])),
      d AS (
        SELECT a FROM f, unnest(ARRAY[f.created_at, f.resolved_at, f.fr_due_at, f.res_due_at]) a
        UNION ALL
        SELECT a FROM surveys y JOIN f ON f.ticket_id = y.ticket_id, unnest(ARRAY[y.sent_at, y.responded_at]) a
         WHERE y.kind = 'csat')
      SELECT DISTINCT 'day' AS kind, date_trunc('day', a AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS at, NULL::timestamptz AS "to"
        FROM d WHERE a IS NOT NULL
      UNION ALL
      SELECT 'range', lower(r), upper(r)
        FROM (SELECT unnest(range_agg(u)) AS r FROM f, unnest(f.unsolved) u) m WHERE NOT isempty(r)`.execute(
      db(tx),
    );
    return {
      days: rows.filter((r) => r.kind === 'day').map((r) => r.at),
      ranges: rows.filter((r) => r.kind === 'range').map((r) => ({ from: r.at, to: r.to })),
    };
  }

  /**
   * Customers whose value segment changed since `since` and whose facts do not show it yet, with
   * how many of their facts are behind (customers already queued, or already rewritten, and
   * the facts of tickets not yet refreshed are not counted).
   */
  async segmentShift(tx: Tx, since: Date): Promise<{ customers: string[]; facts: number }> {
    const { rows } = await sql<{ customers: string[] | null; facts: number }>`
      SELECT array_agg(DISTINCT v.customer_id::text) AS customers, count(*)::int AS facts
        FROM customer_values v
        JOIN tickets t ON t.customer_id = v.customer_id
        JOIN kpi_ticket_facts f ON f.ticket_id = t.id
       WHERE v.segment_changed_at > ${since} AND f.segment IS DISTINCT FROM v.segment
         AND NOT EXISTS (SELECT 1 FROM kpi_segment_queue q WHERE q.customer_id = v.customer_id)`.execute(
      db(tx),
    );
    return { customers: rows[0].customers ?? [], facts: rows[0].facts };
  }

  /**
   * Queues these customers for {@link rewriteSegments}, and buckets for their segment cells:
   * until both queues are drained the segment cells stop answering (`segment_cells_at` null;
   * segment questions are answered from the facts).
   */
  async enqueueSegmentShift(
    tx: Tx,
    customers: string[],
    buckets: Record<Grain, Date[]>,
  ): Promise<void> {
    const k = db(tx);
    if (customers.length > 0) {
      await sql`
        INSERT INTO kpi_segment_queue (customer_id)
        SELECT unnest(${customers}::bigint[]) ON CONFLICT DO NOTHING`.execute(k);
    }
    for (const g of GRAINS) {
      if (buckets[g].length === 0) continue;
      await sql`
        INSERT INTO kpi_segment_buckets (grain, bucket_start)
        SELECT ${g}, unnest(${buckets[g]}::timestamptz[]) ON CONFLICT DO NOTHING`.execute(k);
    }
    await sql`UPDATE kpi_state SET segment_cells_at = NULL WHERE id = 1`.execute(k);
  }

  /**
   * Where a segment shift stands: customers whose facts wait for their segment, buckets whose
   * segment cells wait for recomputation (both false: none in progress).
   */
  async segmentShiftPending(tx: Tx): Promise<{ customers: boolean; buckets: boolean }> {
    const { rows } = await sql<{ customers: boolean; buckets: boolean }>`
      SELECT EXISTS (SELECT 1 FROM kpi_segment_queue) AS customers,
             EXISTS (SELECT 1 FROM kpi_segment_buckets) AS buckets`.execute(db(tx));
    return rows[0];
  }

  /** Forgets a segment shift in progress (a rebuild recomputes every fact and cell). */
  async clearSegmentShift(tx: Tx): Promise<void> {
    await sql`TRUNCATE kpi_segment_queue, kpi_segment_buckets`.execute(db(tx));
  }

  /**
   * Rewrites the `segment` of the facts of up to `customers` queued customers from their current
   * value segment (one statement: only that column, no other figure of a fact depends on it) and
   * takes them off the queue. Returns the customers done and the facts changed.
   */
  async rewriteSegments(tx: Tx, customers: number): Promise<{ customers: number; facts: number }> {
    const { rows } = await sql<{ customers: number; facts: number }>`
      WITH c AS (
        DELETE FROM kpi_segment_queue
         WHERE customer_id IN (SELECT customer_id FROM kpi_segment_queue ORDER BY customer_id LIMIT ${customers})
        RETURNING customer_id),
      u AS (
        UPDATE kpi_ticket_facts f SET segment = x.segment, refreshed_at = now()
          FROM (SELECT t.id, cv.segment FROM c JOIN tickets t ON t.customer_id = c.customer_id
                  LEFT JOIN customer_values cv ON cv.customer_id = c.customer_id) x
         WHERE f.ticket_id = x.id AND f.segment IS DISTINCT FROM x.segment
        RETURNING 1)
      SELECT (SELECT count(*) FROM c)::int AS customers, (SELECT count(*) FROM u)::int AS facts`.execute(
      db(tx),
    );
    if (rows[0].facts > 0) {
      await sql`UPDATE kpi_state SET segments_at = now() WHERE id = 1`.execute(db(tx));
    }
    return rows[0];
  }

  /**
   * Recomputes the facts of these tickets, writes the ones that changed, and returns where the
   * change lands in time (anchors of the old and new rows; periods whose backlog moved; for a
   * ticket that changed dimension, the days its CSAT surveys were sent and answered).
   */
  async refreshFacts(tx: Tx, ids: string[]): Promise<Dirty> {
    const cols = FACT_COLUMNS.join(', ');
    const rows = await positional<{
      kind: 'day' | 'range' | 'written';
      day: Date | null;
      from: Date | null;
      to: Date | null;
    }>(
      tx,
      `WITH n AS (${FACTS_SQL}),
       o AS (SELECT * FROM kpi_ticket_facts WHERE ticket_id = ANY($1::bigint[])),
       ch AS (
         SELECT n.ticket_id AS nid, o.ticket_id AS oid,
                n.created_at AS n_created, o.created_at AS o_created, n.resolved_at AS n_resolved, o.resolved_at AS o_resolved,
                n.fr_due_at AS n_fr, o.fr_due_at AS o_fr, n.res_due_at AS n_res, o.res_due_at AS o_res,
                CASE WHEN m.dims THEN coalesce(n.unsolved, '{}') + coalesce(o.unsolved, '{}')
                     ELSE (coalesce(n.unsolved, '{}') - coalesce(o.unsolved, '{}')) + (coalesce(o.unsolved, '{}') - coalesce(n.unsolved, '{}')) END AS moved,
                m.dims
           FROM n FULL JOIN o ON o.ticket_id = n.ticket_id,
                LATERAL (SELECT (n.team_id, n.agent_id, n.channel, n.priority, n.tier, n.segment) IS DISTINCT FROM (o.team_id, o.agent_id, o.channel, o.priority, o.tier, o.segment) AS dims) m
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
       -- a ticket that moved to another team, agent, channel, priority, tier or segment takes its
       -- CSAT surveys with it: the cells of the days they were sent and answered change too
       SELECT 'day', date_trunc('day', a AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', NULL, NULL
         FROM ch JOIN surveys y ON y.ticket_id = ch.oid AND y.kind = 'csat', unnest(ARRAY[y.sent_at, y.responded_at]) a
        WHERE ch.dims AND a IS NOT NULL
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
    const { rows } = await sql<{ from: Date; to: Date }>`
      SELECT min(sent_at) AS "from", now() AS "to" FROM surveys
       WHERE kind = 'csat' AND sent_at IS NOT NULL AND (sent_at > ${since} OR responded_at > ${since})
      HAVING count(*) > 0`.execute(db(tx));
    return rows;
  }

  /** Rebuilds every fact set-based (after bulk loads). */
  async rebuildFacts(tx: Tx): Promise<number> {
    const k = db(tx);
    await sql`TRUNCATE kpi_ticket_facts`.execute(k);
    await positional(
      tx,
      `INSERT INTO kpi_ticket_facts (ticket_id, ${FACT_COLUMNS.join(', ')}) SELECT ticket_id, ${FACT_COLUMNS.join(', ')} FROM (${FACTS_SQL}) f`,
      [null],
    );
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM kpi_ticket_facts`.execute(k);
    return rows[0].n;
  }

  /** Earliest instant any anchor of the facts or surveys falls on (null without data). */
  async firstInstant(tx: Tx): Promise<Date | null> {
    const { rows } = await sql<{ at: Date | null }>`
      SELECT least((SELECT min(created_at) FROM kpi_ticket_facts),
                   (SELECT min(sent_at) FROM surveys WHERE kind = 'csat')) AS at`.execute(db(tx));
    return rows[0].at;
  }
}
