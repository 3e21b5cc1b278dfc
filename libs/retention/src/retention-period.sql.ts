import { RawBuilder, sql } from 'kysely';
import { Tx, db } from '@staydesk/core';

/**
 * The retention period figures (retentionSummary and the customers behind it): set-based SQL
 * (CTE pipelines, GROUPING SETS, window counts) kept hand-written as typed `sql<Row>` templates on
 * `db(tx)` (decision 46). Moved out of retention.repository.ts; the repository delegates here.
 */

export interface PeriodCounts {
  customersAtStart: number;
  customersAtEnd: number;
  acquired: number;
  churned: number;
  revenueAtRisk: number;
  bands: Record<string, number>;
  /** Σ MRR of the customers active at `to` per band (as of `to`). */
  bandRevenue: Record<string, number>;
}

export const PERIOD_FIGURES = {
  customers_at_start: 'at_start',
  customers_at_end: 'at_end',
  acquired: 'acquired',
  churned: 'churned',
  lost: 'at_start AND NOT at_end',
} as const;
export type PeriodFigure = keyof typeof PERIOD_FIGURES;

export interface PeriodCustomerRow {
  customerId: string;
  segment: string | null;
  mrrAtStart: number | null;
  mrrAtEnd: number | null;
  /** All customers behind the figure (not only this page). */
  total: number;
}

/** Retention and revenue retention of one value segment (or of everyone: segment 'all'). */
export interface SegmentCounts {
  segment: string | null;
  customersAtStart: number;
  customersAtEnd: number;
  acquired: number;
  churned: number;
  /** Σ MRR at `from` of the customers active at `from` (unknown MRRs left out). */
  revenueAtStart: number;
  /** Σ MRR at `from` of those of them not active at `to`. */
  revenueChurned: number;
  /** Σ MRR at `to` of the customers active at `from` (0 when not active at `to`). */
  revenueRetained: number;
  /** Customers active at `from` whose MRR then is not known. */
  unknownMrr: number;
}

/** A period's ends as SQL parameters (each use of a fragment is its own `$n`, same value). */
const ends = (from: Date, to: Date) => ({
  a: sql<Date>`${from}::timestamptz`,
  b: sql<Date>`${to}::timestamptz`,
});

/**
 * Who was where in [from, to): active at each end, acquired, churned, MRR at each end (the
 * customers of retentionSummary, one row per customer involved; see segmentCounts).
 */
function periodCtes(from: Date, to: Date): RawBuilder<unknown> {
  const { a, b } = ends(from, to);
  return sql`WITH s AS (
         -- one pass over the customers: active at each end = signed up before it and the last
         -- status change before it (else churned_at) left them active (as periodCounts)
         SELECT c.id, c.mrr, c.customer_since,
                c.customer_since < ${a} AND coalesce(
                  (SELECT x.to_status FROM customer_status_changes x WHERE x.customer_id = c.id AND x.changed_at < ${a}
                    ORDER BY x.changed_at DESC, x.id DESC LIMIT 1),
                  CASE WHEN c.churned_at IS NOT NULL AND c.churned_at < ${a} THEN 'churned' ELSE 'active' END) = 'active' AS at_start,
                c.customer_since < ${b} AND coalesce(
                  (SELECT x.to_status FROM customer_status_changes x WHERE x.customer_id = c.id AND x.changed_at < ${b}
                    ORDER BY x.changed_at DESC, x.id DESC LIMIT 1),
                  CASE WHEN c.churned_at IS NOT NULL AND c.churned_at < ${b} THEN 'churned' ELSE 'active' END) = 'active' AS at_end,
                (c.customer_since >= ${a} AND c.customer_since < ${b}) AS acquired,
                (EXISTS (SELECT 1 FROM customer_status_changes x WHERE x.customer_id = c.id AND x.to_status = 'churned'
                           AND x.changed_at >= ${a} AND x.changed_at < ${b})
                 OR (c.churned_at >= ${a} AND c.churned_at < ${b}
                     AND NOT EXISTS (SELECT 1 FROM customer_status_changes y WHERE y.customer_id = c.id))) AS churned
           FROM customers c
          WHERE c.customer_since < ${b}
       ),
       cust AS (
         -- MRR at each end (customer_mrr_history: the entry in effect, else the first; no history:
         -- the current MRR) for the customers active at the start only
         SELECT s.id, v.segment, s.at_start, s.at_end, s.acquired, s.churned,
                CASE WHEN NOT s.at_start THEN NULL WHEN hs.id IS NULL THEN s.mrr ELSE hs.mrr END AS ms,
                CASE WHEN NOT s.at_start THEN NULL WHEN he.id IS NULL THEN s.mrr ELSE he.mrr END AS me
           FROM s
           LEFT JOIN customer_values v ON v.customer_id = s.id
           LEFT JOIN LATERAL (
             SELECT x.id, x.mrr FROM customer_mrr_history x WHERE s.at_start AND x.customer_id = s.id
              ORDER BY (x.effective_from <= ${a}) DESC,
                       CASE WHEN x.effective_from <= ${a} THEN x.effective_from END DESC NULLS LAST,
                       x.effective_from ASC, x.id DESC LIMIT 1) hs ON true
           LEFT JOIN LATERAL (
             SELECT x.id, x.mrr FROM customer_mrr_history x WHERE s.at_start AND x.customer_id = s.id
              ORDER BY (x.effective_from <= ${b}) DESC,
                       CASE WHEN x.effective_from <= ${b} THEN x.effective_from END DESC NULLS LAST,
                       x.effective_from ASC, x.id DESC LIMIT 1) he ON true
          WHERE s.at_start OR s.at_end OR s.acquired OR s.churned
       )`;
}

/** JIT off for the statement that follows in this transaction (see segmentCounts). */
export async function jitOff(tx: Tx): Promise<void> {
  await sql`SET LOCAL jit = off`.execute(db(tx));
}

/**
 * Retention and revenue retention of [from, to) per value segment (the customer's current
 * segment, customer_values) and for everyone (segment 'all'), with the same "active at an
 * instant" rule as periodCounts. MRR at an instant comes from customer_mrr_history (the last
 * entry in effect, the first entry before it starts; the current MRR without history).
 */
export async function segmentCounts(tx: Tx, from: Date, to: Date): Promise<SegmentCounts[]> {
  // the per-customer subqueries make the estimate big enough for JIT, which costs more than
  // the query (1.4 s of compilation for a 0.3 s query at 20k customers); call in a transaction
  await jitOff(tx);
  const { rows } = await sql<SegmentCounts>`${periodCtes(from, to)}
       SELECT CASE WHEN GROUPING(segment) = 1 THEN 'all' ELSE segment END AS segment,
              (count(*) FILTER (WHERE at_start))::int AS "customersAtStart",
              (count(*) FILTER (WHERE at_end))::int AS "customersAtEnd",
              (count(*) FILTER (WHERE acquired))::int AS acquired,
              (count(*) FILTER (WHERE churned))::int AS churned,
              coalesce(sum(ms) FILTER (WHERE at_start), 0)::float8 AS "revenueAtStart",
              coalesce(sum(ms) FILTER (WHERE at_start AND NOT at_end), 0)::float8 AS "revenueChurned",
              coalesce(sum(CASE WHEN at_end THEN me ELSE 0 END) FILTER (WHERE at_start AND ms IS NOT NULL), 0)::float8 AS "revenueRetained",
              (count(*) FILTER (WHERE at_start AND ms IS NULL))::int AS "unknownMrr"
         FROM cust
        GROUP BY GROUPING SETS ((segment), ())
        ORDER BY GROUPING(segment) DESC, array_position(ARRAY['top', 'high', 'mid', 'low'], segment) NULLS LAST`.execute(
    db(tx),
  );
  return rows;
}

/** The customers behind one retentionSummary figure, by id (keyset), optionally of one segment. */
export async function periodCustomers(
  tx: Tx,
  from: Date,
  to: Date,
  figure: PeriodFigure,
  segment: string | null | undefined,
  afterId: string | null,
  limit: number,
  band: string | null,
): Promise<PeriodCustomerRow[]> {
  await jitOff(tx);
  const { b } = ends(from, to);
  // the whole set is evaluated once (the period's customers: one pass, as the summary's
  // counts), counted, then paged by id; the figure's condition is one of PERIOD_FIGURES (code)
  const { rows } = await sql<PeriodCustomerRow>`${periodCtes(from, to)}
       SELECT "customerId", segment, "mrrAtStart", "mrrAtEnd", total FROM (
         SELECT id::text AS "customerId", id, segment, ms::float8 AS "mrrAtStart", me::float8 AS "mrrAtEnd",
                (count(*) OVER ())::int AS total
           FROM cust
          WHERE ${sql.raw(PERIOD_FIGURES[figure])}
            AND CASE WHEN ${segment === undefined}::boolean THEN true
                     WHEN ${segment ?? null}::text IS NULL THEN segment IS NULL ELSE segment = ${segment ?? null}::text END
            -- risk band as of \`to\` (risk_score_history), as customersByBand counts it
            AND (${band}::text IS NULL OR (SELECT h.band FROM risk_score_history h
                  WHERE h.customer_id = cust.id AND h.computed_at < ${b}
                  ORDER BY h.computed_at DESC, h.id DESC LIMIT 1) = ${band}::text)
       ) x
        WHERE (${afterId}::bigint IS NULL OR x.id > ${afterId}::bigint)
        ORDER BY x.id LIMIT ${limit}`.execute(db(tx));
  return rows;
}

/**
 * Retention counts of the period [from, to) from customer_status_changes (the ground truth):
 * customers active at an instant are those who signed up before it and whose last status
 * change before it (else churned_at, for rows without history) left them active. Bands are as
 * of `to`, from risk_score_history (every band change is recorded there). The per-band objects
 * are read as text (jsonb keys stay as stored).
 */
export async function periodCounts(tx: Tx, from: Date, to: Date): Promise<PeriodCounts> {
  const { a, b } = ends(from, to);
  const { rows } = await sql<
    Omit<PeriodCounts, 'bands' | 'bandRevenue'> & { bands: string; bandRevenue: string }
  >`WITH p AS (SELECT unnest(ARRAY[${a}, ${b}]) AS t),
       lc AS (
         SELECT DISTINCT ON (p.t, x.customer_id) p.t, x.customer_id, x.to_status
           FROM p JOIN customer_status_changes x ON x.changed_at < p.t
          ORDER BY p.t, x.customer_id, x.changed_at DESC, x.id DESC
       ),
       active AS (
         SELECT p.t, c.id, c.mrr
           FROM p JOIN customers c ON c.customer_since < p.t
           LEFT JOIN lc ON lc.t = p.t AND lc.customer_id = c.id
          WHERE coalesce(lc.to_status,
                  CASE WHEN c.churned_at IS NOT NULL AND c.churned_at < p.t THEN 'churned' ELSE 'active' END) = 'active'
       ),
       band AS (
         SELECT DISTINCT ON (h.customer_id) h.customer_id, h.band
           FROM risk_score_history h WHERE h.computed_at < ${b}
          ORDER BY h.customer_id, h.computed_at DESC, h.id DESC
       )
       SELECT
         (SELECT count(*)::int FROM active WHERE t = ${a}) AS "customersAtStart",
         (SELECT count(*)::int FROM active WHERE t = ${b}) AS "customersAtEnd",
         (SELECT count(*)::int FROM customers WHERE customer_since >= ${a} AND customer_since < ${b}) AS acquired,
         (SELECT count(*)::int FROM (
            SELECT customer_id FROM customer_status_changes
             WHERE to_status = 'churned' AND changed_at >= ${a} AND changed_at < ${b}
            UNION
            SELECT c.id FROM customers c
             WHERE c.churned_at >= ${a} AND c.churned_at < ${b}
               AND NOT EXISTS (SELECT 1 FROM customer_status_changes y WHERE y.customer_id = c.id)) x) AS churned,
         (SELECT coalesce(sum(a.mrr), 0)::float8 FROM active a JOIN band b ON b.customer_id = a.id
           WHERE a.t = ${b} AND b.band IN ('high', 'critical')) AS "revenueAtRisk",
         (SELECT coalesce(jsonb_object_agg(band, n), '{}')::text FROM (
            SELECT b.band, count(*)::int AS n FROM active a JOIN band b ON b.customer_id = a.id
             WHERE a.t = ${b} GROUP BY b.band) y) AS bands,
         (SELECT coalesce(jsonb_object_agg(band, r), '{}')::text FROM (
            SELECT b.band, sum(a.mrr)::float8 AS r FROM active a JOIN band b ON b.customer_id = a.id
             WHERE a.t = ${b} GROUP BY b.band) y) AS "bandRevenue"`.execute(db(tx));
  const r = rows[0];
  return {
    ...r,
    bands: JSON.parse(r.bands) as Record<string, number>,
    bandRevenue: JSON.parse(r.bandRevenue) as Record<string, number>,
  };
}
