import { Injectable } from '@nestjs/common';
import { Expression, sql } from 'kysely';
import { Tx, db } from '@staydesk/core';
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

/** Code constants inlined as SQL literals, as they were in the hand-written statements. */
const MONTH = sql.lit(MONTH_SECONDS);
const SHORT = sql.lit(SHORT_HISTORY_MONTHS);
const MAX_MONTHS = sql.lit(MAX_EXPECTED_MONTHS);
const CHURN_DAYS = sql.lit(CHURN_WINDOW_DAYS);

/**
 * Active spans of each customer (`ids`, or all when null, as of `at`): from customer_since,
 * toggled by customer_status_changes (or ended at churned_at for customers without any), and
 * MRR periods from customer_mrr_history (the first known MRR reaches back to the start; a
 * customer without history has its current MRR throughout). Lifetime value to date =
 * Σ over overlaps of MRR × seconds ÷ a month (30.4375 days).
 */
const baseCtes = (ids: readonly string[] | null, at: Date) => {
  const all = sql`${ids === null ? null : [...ids]}::bigint[]`;
  const asOf = sql`${at}::timestamptz`;
  return sql`
c AS (
  SELECT id, mrr, status, customer_since, churned_at FROM customers
   WHERE ${all} IS NULL OR id = ANY(${all})
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
  SELECT cid, s, least(coalesce(e, ${asOf}), ${asOf}) AS e
    FROM spans WHERE st = 'active' AND s < ${asOf}
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
  SELECT cid, sum(extract(epoch FROM e - s))::float8 / ${MONTH} AS months FROM active WHERE e > s GROUP BY cid
),
ltv AS (
  SELECT c.id AS cid, c.status, c.mrr,
         coalesce(latest.known, true) AS mrr_known,
         coalesce(tenure.months, 0) AS months,
         CASE WHEN bool_or(h.mrr IS NULL AND h.cid IS NOT NULL) THEN NULL
              ELSE round(coalesce(sum(h.mrr * extract(epoch FROM least(a.e, h.t) - greatest(a.s, h.f)) / ${MONTH}), 0), 2) END AS to_date
    FROM c
    LEFT JOIN active a ON a.cid = c.id AND a.e > a.s
    LEFT JOIN h ON h.cid = c.id AND h.f < a.e AND h.t > a.s
    LEFT JOIN latest ON latest.cid = c.id
    LEFT JOIN tenure ON tenure.cid = c.id
   GROUP BY c.id, c.status, c.mrr, latest.known, tenure.months
)`;
};

/** A numeric column as a number (float8), as the row types have it. */
const float = (ref: Expression<unknown>) => sql<number>`${ref}::float8`;
const floatOrNull = (ref: Expression<unknown>) => sql<number | null>`${ref}::float8`;

/**
 * Lifetime values: the stored values, segments and bands through the typed query builder; the
 * live value and the nightly recomputation are hand-written set-based SQL (window functions,
 * CTE pipelines, a temporary table, an advisory lock), kept as typed SQL templates with their
 * row types (decision 46) and run by value.repository.medium-spec.ts and the lifetime-value e2e.
 */
@Injectable()
export class ValueRepository {
  /** Lifetime value to date of some customers as of `at` (exact, from the histories). */
  async live(tx: Tx, ids: readonly string[], at: Date): Promise<LiveValueRow[]> {
    const { rows } = await sql<LiveValueRow>`
      WITH ${baseCtes(ids, at)}
      SELECT cid::text AS "customerId", to_date::float8 AS "toDate", months::float8 AS "monthsAsCustomer" FROM ltv`.execute(
      db(tx),
    );
    return rows;
  }

  async stored(tx: Tx, ids: readonly string[]): Promise<StoredValueRow[]> {
    return db(tx)
      .selectFrom('customerValues as v')
      .select((eb) => [
        'v.customerId',
        floatOrNull(eb.ref('v.toDate')).as('toDate'),
        'v.segment',
        floatOrNull(eb.ref('v.segmentValue')).as('segmentValue'),
        'v.segmentBasis',
        'v.mrrKnown',
        'v.expectedMonths',
        floatOrNull(eb.ref('v.expected')).as('expected'),
        eb.ref('v.basis').$castTo<Basis>().as('basis'),
        'v.basisDetail',
        'v.computedAt',
      ])
      .where('v.customerId', '=', sql<string>`any(${[...ids]}::bigint[])`)
      .execute();
  }

  async segments(tx: Tx): Promise<SegmentRow[]> {
    return db(tx)
      .selectFrom('valueSegments as s')
      .select((eb) => [
        's.segment',
        float(eb.ref('s.minToDate')).as('minToDate'),
        's.activeCustomers',
        // churned_12m, customer_months_12m: the plugin would write `churned12m` back (no
        // underscore before a digit), so these two are named in SQL
        sql<number>`s.churned_12m`.as('churned12m'),
        sql<number>`s.customer_months_12m`.as('customerMonths12m'),
        's.monthlyChurnRate',
        's.scheme',
        's.computedAt',
      ])
      .orderBy(
        (eb) => sql`array_position(ARRAY['top', 'high', 'mid', 'low'], ${eb.ref('s.segment')})`,
      )
      .execute();
  }

  /** The admin-set bands, lowest first (none = quartiles). */
  async bands(tx: Tx): Promise<BandsRow> {
    const rows = await db(tx)
      .selectFrom('valueSegmentBands as b')
      .select((eb) => [
        'b.segment',
        float(eb.ref('b.minValue')).as('minValue'),
        'b.setAt',
        'b.setBy',
      ])
      .orderBy('b.minValue')
      .execute();
    return {
      bands: rows.map((r) => ({ segment: r.segment, minValue: r.minValue })),
      setAt: rows[0]?.setAt ?? null,
      setById: rows[0]?.setBy ?? null,
    };
  }

  /** Replaces the bands (empty = back to quartiles), in the caller's transaction. */
  async replaceBands(tx: Tx, bands: readonly Band[], actorId: string, at: Date): Promise<void> {
    await db(tx).deleteFrom('valueSegmentBands').execute();
    if (bands.length === 0) return;
    await db(tx)
      .insertInto('valueSegmentBands')
      .values(
        bands.map((b) => ({ segment: b.segment, minValue: b.minValue, setAt: at, setBy: actorId })),
      )
      .execute();
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
   *    expected value = current MRR × expected months (null when the MRR is not known).
   * The expected value at risk on risk_scores follows in the same transaction from the caller
   * (libs/risk's `refreshExpectedValueAtRisk`, which owns that table).
   */
  async recomputeAll(tx: Tx, at: Date): Promise<{ customers: number; segments: number }> {
    const k = db(tx);
    // one computation at a time across workers (the boot job and the nightly one may meet)
    await sql`SELECT pg_advisory_xact_lock(7422402)`.execute(k);
    await sql`SET LOCAL jit = off`.execute(k);
    await sql`DROP TABLE IF EXISTS tmp_ltv`.execute(k);
    await sql`CREATE TEMP TABLE tmp_ltv ON COMMIT DROP AS WITH ${baseCtes(null, at)} SELECT * FROM ltv`.execute(
      k,
    );
    await sql`ALTER TABLE tmp_ltv ADD COLUMN segment text, ADD COLUMN seg_value numeric, ADD COLUMN seg_basis text`.execute(
      k,
    );
    // placement value: a short active history counts at its run rate when that is higher
    await sql`UPDATE tmp_ltv SET seg_value = to_date, seg_basis = 'to_date' WHERE to_date IS NOT NULL`.execute(
      k,
    );
    await sql`
      UPDATE tmp_ltv SET seg_value = round(mrr * ${SHORT}, 2), seg_basis = 'run_rate'
       WHERE to_date IS NOT NULL AND status = 'active' AND mrr_known AND mrr IS NOT NULL
         AND months < ${SHORT} AND round(mrr * ${SHORT}, 2) > to_date`.execute(k);
    await k.deleteFrom('valueSegments').execute();
    const { rows: banded } = await sql<{ n: number }>`
      INSERT INTO value_segments (segment, min_to_date, active_customers, churned_12m, customer_months_12m, scheme, computed_at)
      SELECT segment, min_value, 0, 0, 0, 'bands', ${at} FROM value_segment_bands RETURNING 1 AS n`.execute(
      k,
    );
    if (banded.length === 0)
      await sql`
        INSERT INTO value_segments (segment, min_to_date, active_customers, churned_12m, customer_months_12m, scheme, computed_at)
        SELECT (ARRAY['low', 'mid', 'high', 'top'])[q], min(seg_value), count(*), 0, 0, 'quartiles', ${at}
          FROM (SELECT seg_value, ntile(4) OVER (ORDER BY seg_value, cid) AS q
                  FROM tmp_ltv WHERE status = 'active' AND seg_value IS NOT NULL) x
         GROUP BY q`.execute(k);
    await sql`
      UPDATE tmp_ltv l SET segment = coalesce((
        SELECT s.segment FROM value_segments s WHERE l.seg_value >= s.min_to_date
         ORDER BY s.min_to_date DESC, array_position(ARRAY['top', 'high', 'mid', 'low'], s.segment) LIMIT 1),
        -- below every bound (a churned customer worth less than any active one): the lowest
        (SELECT s.segment FROM value_segments s ORDER BY s.min_to_date ASC LIMIT 1))
       WHERE l.seg_value IS NOT NULL`.execute(k);
    if (banded.length > 0)
      await sql`
        UPDATE value_segments s SET active_customers = coalesce(
          (SELECT count(*) FROM tmp_ltv l WHERE l.segment = s.segment AND l.status = 'active'), 0)`.execute(
        k,
      );
    // observed churn per segment over (at − 365 days, at]
    await sql`
      WITH ${baseCtes(null, at)},
      w AS (SELECT ${at}::timestamptz - make_interval(days => ${CHURN_DAYS}) AS ws),
      exposure AS (
        SELECT a.cid, sum(extract(epoch FROM a.e - greatest(a.s, w.ws)))::float8 / ${MONTH} AS months
          FROM active a, w WHERE a.e > w.ws AND a.e > a.s GROUP BY a.cid),
      churns AS (
        SELECT ev.cid, count(*)::int AS n FROM ev, w
         WHERE ev.st = 'churned' AND ev.at > w.ws AND ev.at <= ${at}::timestamptz GROUP BY ev.cid),
      per AS (
        SELECT l.segment, coalesce(sum(x.months), 0) AS months, coalesce(sum(ch.n), 0)::int AS churned
          FROM tmp_ltv l LEFT JOIN exposure x ON x.cid = l.cid LEFT JOIN churns ch ON ch.cid = l.cid
         WHERE l.segment IS NOT NULL GROUP BY l.segment)
      UPDATE value_segments s SET churned_12m = per.churned, customer_months_12m = per.months,
             monthly_churn_rate = CASE WHEN per.months > 0 THEN per.churned / per.months END
        FROM per WHERE per.segment = s.segment`.execute(k);
    const segmentRate = sql.lit(
      `segment %s: observed monthly churn rate %s %% over the last ${CHURN_WINDOW_DAYS} days`,
    );
    const segmentEmpty = sql.lit(
      `segment %s has no customer-months in the last ${CHURN_WINDOW_DAYS} days`,
    );
    const { rows } = await sql<{ n: number }>`
      WITH e AS (
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
                          WHEN 'fitted_model' THEN CASE WHEN pm > 0 THEN least(${MAX_MONTHS}, 1 / pm) ELSE ${MAX_MONTHS} END
                          WHEN 'segment_churn_rate' THEN CASE WHEN rate > 0 THEN least(${MAX_MONTHS}, 1 / rate) ELSE ${MAX_MONTHS} END
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
               WHEN 'segment_churn_rate' THEN format(${segmentRate}, segment, round(rate::numeric * 100, 4))
               ELSE CASE WHEN segment IS NULL THEN 'no value segment (lifetime value to date not known)'
                         ELSE format(${segmentEmpty}, segment) END
             END || CASE WHEN NOT mrr_known THEN '; MRR not known' ELSE '' END,
             ${at}::timestamptz, ${at}::timestamptz
        FROM y
      ON CONFLICT (customer_id) DO UPDATE SET to_date = EXCLUDED.to_date, segment = EXCLUDED.segment,
        segment_value = EXCLUDED.segment_value, segment_basis = EXCLUDED.segment_basis,
        mrr_known = EXCLUDED.mrr_known, expected_months = EXCLUDED.expected_months, expected = EXCLUDED.expected,
        basis = EXCLUDED.basis, basis_detail = EXCLUDED.basis_detail, computed_at = EXCLUDED.computed_at,
        -- the KPI refresh recomputes the facts of customers whose segment moved (kpi_ticket_facts.segment)
        segment_changed_at = CASE WHEN v.segment IS DISTINCT FROM EXCLUDED.segment
                                  THEN EXCLUDED.segment_changed_at ELSE v.segment_changed_at END
      RETURNING 1 AS n`.execute(k);
    const seg = await k
      .selectFrom('valueSegments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return { customers: rows.length, segments: Number(seg.n) };
  }
}
