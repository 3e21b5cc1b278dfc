import { Injectable } from '@nestjs/common';
import { Tx } from '@staydesk/core';
import {
  CHURN_WINDOW_DAYS,
  MAX_EXPECTED_MONTHS,
  MONTH_SECONDS,
  SHORT_HISTORY_MONTHS,
} from './value-rules';
import type { Band, Basis, Scheme, Segment, SegmentBasis } from './value-rules';

export interface LiveValueRow {
  customerId: string;
  /** Revenue so far; null when some of the customer's paying time has no known MRR. */
  toDate: number | null;
  monthsAsCustomer: number;
}

export interface StoredValueRow {
  customerId: string;
  toDate: number | null;
  segment: Segment | null;
  segmentValue: number | null;
  segmentBasis: SegmentBasis | null;
  mrrKnown: boolean;
  expectedMonths: number | null;
  expected: number | null;
  basis: Basis;
  basisDetail: string;
  computedAt: Date;
}

export interface SegmentRow {
  segment: Segment;
  minToDate: number;
  activeCustomers: number;
  churned12m: number;
  customerMonths12m: number;
  monthlyChurnRate: number | null;
  scheme: Scheme;
  computedAt: Date;
}

export interface BandsRow {
  bands: Band[];
  setAt: Date | null;
  setById: string | null;
}

/**
 * Active spans of each customer ($1 ids or all when null, as of $2): from customer_since,
 * toggled by customer_status_changes (or ended at churned_at for customers without any), and
 * MRR periods from customer_mrr_history (the first known MRR reaches back to the start; a
 * customer without history has its current MRR throughout). Lifetime value to date =
 * Σ over overlaps of MRR × seconds ÷ a month (30.4375 days).
 */
const BASE_CTES = `
c AS (
  SELECT id, mrr, status, customer_since, churned_at FROM customers
   WHERE $1::bigint[] IS NULL OR id = ANY($1::bigint[])
),
ev AS (
  SELECT c.id AS cid, c.customer_since AS at, 'active'::text AS st, 0 AS ord, 0::bigint AS sid FROM c
  UNION ALL
  SELECT s.customer_id, greatest(s.changed_at, c.customer_since), s.to_status, 1, s.id
    FROM customer_status_changes s JOIN c ON c.id = s.customer_id
  UNION ALL
  SELECT c.id, greatest(c.churned_at, c.customer_since), 'churned', 1, 0 FROM c
   WHERE c.churned_at IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM customer_status_changes s WHERE s.customer_id = c.id)
),
spans AS (
  SELECT cid, st, at AS s, lead(at) OVER (PARTITION BY cid ORDER BY at, ord, sid) AS e FROM ev
),
active AS (
  SELECT cid, s, least(coalesce(e, $2::timestamptz), $2::timestamptz) AS e
    FROM spans WHERE st = 'active' AND s < $2::timestamptz
),
h AS (
  SELECT x.customer_id AS cid, x.mrr,
         CASE WHEN row_number() OVER w = 1 THEN '-infinity'::timestamptz ELSE x.effective_from END AS f,
         coalesce(lead(x.effective_from) OVER w, 'infinity'::timestamptz) AS t
    FROM customer_mrr_history x JOIN c ON c.id = x.customer_id
  WINDOW w AS (PARTITION BY x.customer_id ORDER BY x.effective_from, x.id)
  UNION ALL
  SELECT c.id, c.mrr, '-infinity'::timestamptz, 'infinity'::timestamptz FROM c
   WHERE NOT EXISTS (SELECT 1 FROM customer_mrr_history x WHERE x.customer_id = c.id)
),
latest AS (
  SELECT DISTINCT ON (x.customer_id) x.customer_id AS cid, x.mrr IS NOT NULL AS known
    FROM customer_mrr_history x JOIN c ON c.id = x.customer_id
   ORDER BY x.customer_id, x.effective_from DESC, x.id DESC
),
tenure AS (
  SELECT cid, sum(extract(epoch FROM e - s))::float8 / ${MONTH_SECONDS} AS months FROM active WHERE e > s GROUP BY cid
),
ltv AS (
  SELECT c.id AS cid, c.status, c.mrr,
         coalesce(latest.known, true) AS mrr_known,
         coalesce(tenure.months, 0) AS months,
         CASE WHEN bool_or(h.mrr IS NULL AND h.cid IS NOT NULL) THEN NULL
              ELSE round(coalesce(sum(h.mrr * extract(epoch FROM least(a.e, h.t) - greatest(a.s, h.f)) / ${MONTH_SECONDS}), 0), 2) END AS to_date
    FROM c
    LEFT JOIN active a ON a.cid = c.id AND a.e > a.s
    LEFT JOIN h ON h.cid = c.id AND h.f < a.e AND h.t > a.s
    LEFT JOIN latest ON latest.cid = c.id
    LEFT JOIN tenure ON tenure.cid = c.id
   GROUP BY c.id, c.status, c.mrr, latest.known, tenure.months
)`;

const STORED_COLUMNS = `v.customer_id::text AS "customerId", v.to_date::float8 AS "toDate", v.segment,
  v.segment_value::float8 AS "segmentValue", v.segment_basis AS "segmentBasis", v.mrr_known AS "mrrKnown", v.expected_months AS "expectedMonths", v.expected::float8 AS expected,
  v.basis, v.basis_detail AS "basisDetail", v.computed_at AS "computedAt"`;

@Injectable()
export class ValueRepository {
  /** Lifetime value to date of some customers as of `at` (exact, from the histories). */
  async live(tx: Tx, ids: readonly string[], at: Date): Promise<LiveValueRow[]> {
    return tx.query(
      `WITH ${BASE_CTES}
       SELECT cid::text AS "customerId", to_date::float8 AS "toDate", months::float8 AS "monthsAsCustomer" FROM ltv`,
      [ids, at],
    );
  }

  async stored(tx: Tx, ids: readonly string[]): Promise<StoredValueRow[]> {
    return tx.query(
      `SELECT ${STORED_COLUMNS} FROM customer_values v WHERE v.customer_id = ANY($1::bigint[])`,
      [ids],
    );
  }

  async segments(tx: Tx): Promise<SegmentRow[]> {
    return tx.query(
      `SELECT segment, min_to_date::float8 AS "minToDate", active_customers AS "activeCustomers",
              churned_12m AS "churned12m", customer_months_12m AS "customerMonths12m",
              monthly_churn_rate AS "monthlyChurnRate", scheme, computed_at AS "computedAt"
         FROM value_segments
        ORDER BY array_position(ARRAY['top', 'high', 'mid', 'low'], segment)`,
    );
  }

  /** The admin-set bands, lowest first (none = quartiles). */
  async bands(tx: Tx): Promise<BandsRow> {
    const rows: { segment: Segment; minValue: number; setAt: Date; setBy: string | null }[] =
      await tx.query(
        `SELECT segment, min_value::float8 AS "minValue", set_at AS "setAt", set_by::text AS "setBy"
           FROM value_segment_bands ORDER BY min_value`,
      );
    return {
      bands: rows.map((r) => ({ segment: r.segment, minValue: r.minValue })),
      setAt: rows[0]?.setAt ?? null,
      setById: rows[0]?.setBy ?? null,
    };
  }

  /** Replaces the bands (empty = back to quartiles), in the caller's transaction. */
  async replaceBands(tx: Tx, bands: readonly Band[], actorId: string, at: Date): Promise<void> {
    await tx.query(`DELETE FROM value_segment_bands`);
    if (bands.length === 0) return;
    await tx.query(
      `INSERT INTO value_segment_bands (segment, min_value, set_at, set_by)
       SELECT * FROM unnest($1::text[], $2::numeric[]) AS b(segment, min_value), (SELECT $3::timestamptz, $4::bigint) x`,
      [bands.map((b) => b.segment), bands.map((b) => b.minValue), at, actorId],
    );
  }

  /**
   * Recomputes every customer's value, the segments and their churn rates, set-based in the
   * caller's transaction (docs/kpis.md "Lifetime value"):
   * 1. lifetime value to date of everyone as of `at`;
   * 2. the placement value: the value to date, or for an active customer with fewer than 6
   *    active months and a known MRR, max(value to date, MRR × 6) (its run rate);
   * 3. segment bounds = the admin-set bands (value_segment_bands) when there are any, else the
   *    smallest placement value of each quartile (ntile 4) of the active customers with a known
   *    value; every customer (churned too) is in the highest segment it reaches (below every
   *    bound: the lowest);
   * 3. each segment's observed monthly churn rate over the last 365 days = churns of its
   *    customers ÷ their active customer-months in the window;
   * 4. expected months: churned → 0; scored by a fitted (calibrated) model → 1 ÷ the monthly
   *    churn probability from its horizon probability; else 1 ÷ the segment's rate; capped at 60;
   *    expected value = current MRR × expected months (null when the MRR is not known);
   * 5. expected value at risk on risk_scores = expected × score ÷ 100.
   */
  async recomputeAll(tx: Tx, at: Date): Promise<{ customers: number; segments: number }> {
    // one computation at a time across workers (the boot job and the nightly one may meet)
    await tx.query(`SELECT pg_advisory_xact_lock(7422402)`);
    await tx.query(`SET LOCAL jit = off`);
    await tx.query(`DROP TABLE IF EXISTS tmp_ltv`);
    await tx.query(
      `CREATE TEMP TABLE tmp_ltv ON COMMIT DROP AS WITH ${BASE_CTES} SELECT * FROM ltv`,
      [null, at],
    );
    await tx.query(
      `ALTER TABLE tmp_ltv ADD COLUMN segment text, ADD COLUMN seg_value numeric, ADD COLUMN seg_basis text`,
    );
    // placement value: a short active history counts at its run rate when that is higher
    await tx.query(
      `UPDATE tmp_ltv SET seg_value = to_date, seg_basis = 'to_date' WHERE to_date IS NOT NULL`,
    );
    await tx.query(
      `UPDATE tmp_ltv SET seg_value = round(mrr * ${SHORT_HISTORY_MONTHS}, 2), seg_basis = 'run_rate'
        WHERE to_date IS NOT NULL AND status = 'active' AND mrr_known AND mrr IS NOT NULL
          AND months < ${SHORT_HISTORY_MONTHS} AND round(mrr * ${SHORT_HISTORY_MONTHS}, 2) > to_date`,
    );
    await tx.query(`DELETE FROM value_segments`);
    const banded: { n: number }[] = await tx.query(
      `INSERT INTO value_segments (segment, min_to_date, active_customers, churned_12m, customer_months_12m, scheme, computed_at)
       SELECT segment, min_value, 0, 0, 0, 'bands', $1 FROM value_segment_bands RETURNING 1 AS n`,
      [at],
    );
    if (banded.length === 0)
      await tx.query(
        `INSERT INTO value_segments (segment, min_to_date, active_customers, churned_12m, customer_months_12m, scheme, computed_at)
         SELECT (ARRAY['low', 'mid', 'high', 'top'])[q], min(seg_value), count(*), 0, 0, 'quartiles', $1
           FROM (SELECT seg_value, ntile(4) OVER (ORDER BY seg_value, cid) AS q
                   FROM tmp_ltv WHERE status = 'active' AND seg_value IS NOT NULL) x
          GROUP BY q`,
        [at],
      );
    await tx.query(
      `UPDATE tmp_ltv l SET segment = coalesce((
         SELECT s.segment FROM value_segments s WHERE l.seg_value >= s.min_to_date
          ORDER BY s.min_to_date DESC, array_position(ARRAY['top', 'high', 'mid', 'low'], s.segment) LIMIT 1),
         -- below every bound (a churned customer worth less than any active one): the lowest
         (SELECT s.segment FROM value_segments s ORDER BY s.min_to_date ASC LIMIT 1))
        WHERE l.seg_value IS NOT NULL`,
    );
    if (banded.length > 0)
      await tx.query(
        `UPDATE value_segments s SET active_customers = coalesce(
           (SELECT count(*) FROM tmp_ltv l WHERE l.segment = s.segment AND l.status = 'active'), 0)`,
      );
    // observed churn per segment over (at − 365 days, at]
    await tx.query(
      `WITH ${BASE_CTES},
       w AS (SELECT $2::timestamptz - make_interval(days => ${CHURN_WINDOW_DAYS}) AS ws),
       exposure AS (
         SELECT a.cid, sum(extract(epoch FROM a.e - greatest(a.s, w.ws)))::float8 / ${MONTH_SECONDS} AS months
           FROM active a, w WHERE a.e > w.ws AND a.e > a.s GROUP BY a.cid),
       churns AS (
         SELECT ev.cid, count(*)::int AS n FROM ev, w
          WHERE ev.st = 'churned' AND ev.at > w.ws AND ev.at <= $2::timestamptz GROUP BY ev.cid),
       per AS (
         SELECT l.segment, coalesce(sum(x.months), 0) AS months, coalesce(sum(ch.n), 0)::int AS churned
           FROM tmp_ltv l LEFT JOIN exposure x ON x.cid = l.cid LEFT JOIN churns ch ON ch.cid = l.cid
          WHERE l.segment IS NOT NULL GROUP BY l.segment)
       UPDATE value_segments s SET churned_12m = per.churned, customer_months_12m = per.months,
              monthly_churn_rate = CASE WHEN per.months > 0 THEN per.churned / per.months END
         FROM per WHERE per.segment = s.segment`,
      [null, at],
    );
    const rows: { n: number }[] = await tx.query(
      `WITH e AS (
         SELECT l.cid, l.status, l.mrr, l.mrr_known, l.to_date, l.segment, l.seg_value, l.seg_basis,
                r.score, r.model_version,
                substring(r.model_version FROM '^fitted-.*-h([0-9]+)$')::int AS horizon,
                s.monthly_churn_rate AS rate
           FROM tmp_ltv l
           LEFT JOIN risk_scores r ON r.customer_id = l.cid
           LEFT JOIN value_segments s ON s.segment = l.segment),
       m AS (
         SELECT e.*,
                CASE WHEN horizon > 0 THEN 1 - power(1 - least(greatest(score::float8 / 100, 0), 1), 30.4375 / horizon) END AS pm
           FROM e),
       x AS (
         SELECT m.*,
                CASE WHEN status = 'churned' THEN 'churned'
                     WHEN pm IS NOT NULL THEN 'fitted_model'
                     WHEN segment IS NOT NULL AND rate IS NOT NULL THEN 'segment_churn_rate'
                     ELSE 'unknown' END AS basis
           FROM m),
       y AS (
         SELECT x.*,
                CASE basis WHEN 'churned' THEN 0
                           WHEN 'fitted_model' THEN CASE WHEN pm > 0 THEN least(${MAX_EXPECTED_MONTHS}, 1 / pm) ELSE ${MAX_EXPECTED_MONTHS} END
                           WHEN 'segment_churn_rate' THEN CASE WHEN rate > 0 THEN least(${MAX_EXPECTED_MONTHS}, 1 / rate) ELSE ${MAX_EXPECTED_MONTHS} END
                END::float8 AS months
           FROM x)
       INSERT INTO customer_values AS v (customer_id, to_date, segment, segment_value, segment_basis, mrr_known, expected_months, expected, basis, basis_detail, computed_at, segment_changed_at)
       SELECT cid, to_date, segment, round(seg_value, 2), seg_basis, mrr_known, months,
              CASE WHEN mrr_known AND months IS NOT NULL THEN round(mrr * months::numeric, 2) END,
              basis,
              CASE basis
                WHEN 'churned' THEN 'churned: no remaining months'
                WHEN 'fitted_model' THEN format('fitted model %s: churn probability %s %% in %s days = %s %% a month',
                       model_version, round(score::numeric, 2), horizon, round(pm::numeric * 100, 4))
                WHEN 'segment_churn_rate' THEN format('segment %s: observed monthly churn rate %s %% over the last ${CHURN_WINDOW_DAYS} days', segment, round(rate::numeric * 100, 4))
                ELSE CASE WHEN segment IS NULL THEN 'no value segment (lifetime value to date not known)'
                          ELSE format('segment %s has no customer-months in the last ${CHURN_WINDOW_DAYS} days', segment) END
              END || CASE WHEN NOT mrr_known THEN '; MRR not known' ELSE '' END,
              $1, $1
         FROM y
       ON CONFLICT (customer_id) DO UPDATE SET to_date = EXCLUDED.to_date, segment = EXCLUDED.segment,
         segment_value = EXCLUDED.segment_value, segment_basis = EXCLUDED.segment_basis,
         mrr_known = EXCLUDED.mrr_known, expected_months = EXCLUDED.expected_months, expected = EXCLUDED.expected,
         basis = EXCLUDED.basis, basis_detail = EXCLUDED.basis_detail, computed_at = EXCLUDED.computed_at,
         -- the KPI refresh recomputes the facts of customers whose segment moved (kpi_ticket_facts.segment)
         segment_changed_at = CASE WHEN v.segment IS DISTINCT FROM EXCLUDED.segment
                                   THEN EXCLUDED.segment_changed_at ELSE v.segment_changed_at END
       RETURNING 1 AS n`,
      [at],
    );
    await tx.query(
      `UPDATE risk_scores r SET expected_value_at_risk = r.score::float8 * v.expected::float8 / 100
         FROM customer_values v
        WHERE v.customer_id = r.customer_id
          AND r.expected_value_at_risk IS DISTINCT FROM r.score::float8 * v.expected::float8 / 100`,
    );
    const [seg] = await tx.query(`SELECT count(*)::int AS n FROM value_segments`);
    return { customers: rows.length, segments: seg.n };
  }
}
