import { Injectable } from '@nestjs/common';
import { Tx } from '@staydesk/core';
import type { RiskListQuery } from './retention-rules';

export interface RiskListRow {
  customerId: string;
  sortKey: number;
  score: number;
  band: string;
  mrr: number;
  riskWeightedMrr: number;
  scoreChange: number | null;
  factors: { name: string; label: string; contribution: number }[];
  accountManagerId: string | null;
  renewalDate: string | null;
  daysToRenewal: number | null;
  openTickets: number;
  lastCsat: number | null;
  lastCsatAt: Date | null;
  lastNps: number | null;
  openFollowUps: number;
  snoozedUntil: Date | null;
  snoozeReason: string | null;
  /** Lifetime value (customer_values, nightly); null when unknown or not computed. */
  lifetimeValue: number | null;
  expectedLifetimeValue: number | null;
  expectedValueAtRisk: number | null;
  valueSegment: string | null;
  valueBasis: string | null;
  /** Names next to ids (exports). */
  customerName?: string;
  accountManagerName?: string | null;
}

export interface SnoozeRow {
  customerId: string;
  until: Date;
  reason: string;
  actorId: string | null;
  createdAt: Date;
}

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

/**
 * Who was where in [$1, $2): active at each end, acquired, churned, MRR at each end (the
 * customers of retentionSummary, one row per customer involved; see segmentCounts).
 */
const PERIOD_CTES = `WITH s AS (
         -- one pass over the customers: active at each end = signed up before it and the last
         -- status change before it (else churned_at) left them active (as periodCounts)
         SELECT c.id, c.mrr, c.customer_since,
                c.customer_since < $1 AND coalesce(
                  (SELECT x.to_status FROM customer_status_changes x WHERE x.customer_id = c.id AND x.changed_at < $1
                    ORDER BY x.changed_at DESC, x.id DESC LIMIT 1),
                  CASE WHEN c.churned_at IS NOT NULL AND c.churned_at < $1 THEN 'churned' ELSE 'active' END) = 'active' AS at_start,
                c.customer_since < $2 AND coalesce(
                  (SELECT x.to_status FROM customer_status_changes x WHERE x.customer_id = c.id AND x.changed_at < $2
                    ORDER BY x.changed_at DESC, x.id DESC LIMIT 1),
                  CASE WHEN c.churned_at IS NOT NULL AND c.churned_at < $2 THEN 'churned' ELSE 'active' END) = 'active' AS at_end,
                (c.customer_since >= $1 AND c.customer_since < $2) AS acquired,
                (EXISTS (SELECT 1 FROM customer_status_changes x WHERE x.customer_id = c.id AND x.to_status = 'churned'
                           AND x.changed_at >= $1 AND x.changed_at < $2)
                 OR (c.churned_at >= $1 AND c.churned_at < $2
                     AND NOT EXISTS (SELECT 1 FROM customer_status_changes y WHERE y.customer_id = c.id))) AS churned
           FROM customers c
          WHERE c.customer_since < $2
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
              ORDER BY (x.effective_from <= $1) DESC,
                       CASE WHEN x.effective_from <= $1 THEN x.effective_from END DESC NULLS LAST,
                       x.effective_from ASC, x.id DESC LIMIT 1) hs ON true
           LEFT JOIN LATERAL (
             SELECT x.id, x.mrr FROM customer_mrr_history x WHERE s.at_start AND x.customer_id = s.id
              ORDER BY (x.effective_from <= $2) DESC,
                       CASE WHEN x.effective_from <= $2 THEN x.effective_from END DESC NULLS LAST,
                       x.effective_from ASC, x.id DESC LIMIT 1) he ON true
          WHERE s.at_start OR s.at_end OR s.acquired OR s.churned
       )`;

const SORT: Record<RiskListQuery['order'], string> = {
  score: 'r.score',
  // score × MRR ÷ 100, kept on risk_scores by triggers and indexed (migration 1763900800000)
  revenue_at_risk: 'r.revenue_at_risk',
  // customers without a score before the window sort after every real change (≥ −100)
  score_change: 'coalesce(r.score::float8 - base.score::float8, -1000)',
  // expected lifetime value × score ÷ 100, kept on risk_scores (migration 1764700000000); unknown last
  expected_value_at_risk: 'coalesce(r.expected_value_at_risk, -1)',
  // "going quiet": the contact_drop input stored with the score (tickets in the last 30 days
  // against the customer's own rate before, docs/risk-model.md), largest drop first
  going_quiet: `coalesce(jsonb_path_query_first(r.factors, '$[*] ? (@.name == "contact_drop").input')::float8, 0)`,
};

/** The start of the UTC day `days` ago: the moment a score change is measured from. */
const BASE_AT = (days: string) =>
  `(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - make_interval(days => ${days}::int))`;

/**
 * The score at the start of the UTC day `days` ago: the last recorded at or before that moment,
 * else the first after it. Two index-only probes of risk_score_history_customer_score_idx per
 * customer (one when the first finds a score). For the default window the full rescore
 * materializes the same figure in risk_scores.base_score (see {@link RetentionRepository.riskList}).
 */
const BASE = (days: string) => `LEFT JOIN LATERAL (
      SELECT coalesce(
        (SELECT h.score FROM risk_score_history h
          WHERE h.customer_id = c.id AND h.computed_at <= ${BASE_AT(days)}
          ORDER BY h.computed_at DESC LIMIT 1),
        (SELECT h.score FROM risk_score_history h
          WHERE h.customer_id = c.id AND h.computed_at > ${BASE_AT(days)}
          ORDER BY h.computed_at ASC LIMIT 1)) AS score) base ON true`;

/** The materialized base (risk_scores.base_score) as a `base` relation, same shape as BASE. */
const MATERIALIZED_BASE = `CROSS JOIN LATERAL (SELECT r.base_score AS score) base`;
/** The score-change sort key on the materialized base: the expression of risk_scores_change_idx. */
const MATERIALIZED_CHANGE = 'coalesce(r.score::float8 - r.base_score::float8, -1000)';

@Injectable()
export class RetentionRepository {
  /**
   * One page of the churn-risk list: active scored customers matching the filter, in the
   * ordering's keyset (sort key desc, id desc), then the row details for that page only.
   */
  async riskList(
    tx: Tx,
    q: RiskListQuery,
    after: { key: number; id: string } | null,
    limit: number,
  ): Promise<RiskListRow[]> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const days = p(q.changeDays);
    const where = [`c.status = 'active'`];
    if (q.accountManagerId) where.push(`c.account_manager_id = ${p(q.accountManagerId)}::bigint`);
    if (q.bands) where.push(`r.band = ANY(${p(q.bands)}::text[])`);
    if (q.tiers) where.push(`c.tier = ANY(${p(q.tiers)}::text[])`);
    if (q.valueSegments) {
      where.push(
        `EXISTS (SELECT 1 FROM customer_values cv WHERE cv.customer_id = c.id AND cv.segment = ANY(${p(q.valueSegments)}::text[]))`,
      );
    }
    if (q.mrrMin !== null) where.push(`c.mrr >= ${p(q.mrrMin)}`);
    if (q.mrrMax !== null) where.push(`c.mrr <= ${p(q.mrrMax)}`);
    if (q.renewalWithinDays !== null) {
      where.push(
        `c.renewal_date >= current_date AND c.renewal_date <= current_date + ${p(q.renewalWithinDays)}::int`,
      );
    }
    if (q.rising) where.push(`r.score > base.score`);
    if (q.hasOpenFollowUp !== null) {
      where.push(
        `${q.hasOpenFollowUp ? '' : 'NOT '}EXISTS (SELECT 1 FROM follow_ups fu WHERE fu.customer_id = c.id AND fu.status = 'open')`,
      );
    }
    if (q.snoozed === 'exclude') where.push(`z.customer_id IS NULL`);
    if (q.snoozed === 'only') where.push(`z.customer_id IS NOT NULL`);
    const needBase = q.rising || q.order === 'score_change';
    // the full rescore materializes the base of the default window once a day: when it holds
    // this window for today, order by the indexed change instead of reading every history
    const materialized = needBase && (await this.baseMaterialized(tx, q.changeDays));
    const sort = materialized && q.order === 'score_change' ? MATERIALIZED_CHANGE : SORT[q.order];
    const cast = q.order === 'score' ? 'real' : 'float8';
    if (after)
      where.push(`(${sort}, r.customer_id) < (${p(after.key)}::${cast}, ${p(after.id)}::bigint)`);
    const sql = `
      WITH page AS (
        SELECT r.customer_id AS id, ${sort} AS sort_key
          FROM risk_scores r
          JOIN customers c ON c.id = r.customer_id
          LEFT JOIN retention_snoozes z ON z.customer_id = c.id AND z.until > now()
          ${needBase ? (materialized ? MATERIALIZED_BASE : BASE(days)) : ''}
         WHERE ${where.join(' AND ')}
         ORDER BY ${sort} DESC, r.customer_id DESC
         LIMIT ${p(limit)}
      )
      SELECT c.id::text AS "customerId", page.sort_key::float8 AS "sortKey", round(r.score::numeric, 2)::float8 AS score, r.band,
             c.mrr::float8 AS mrr, round((r.score::numeric * c.mrr / 100), 2)::float8 AS "riskWeightedMrr",
             round((r.score::numeric - base.score::numeric), 2)::float8 AS "scoreChange",
             r.factors, c.account_manager_id::text AS "accountManagerId",
             to_char(c.renewal_date, 'YYYY-MM-DD') AS "renewalDate",
             (c.renewal_date - current_date) AS "daysToRenewal",
             (SELECT count(*)::int FROM tickets t WHERE t.customer_id = c.id AND t.status NOT IN ('solved', 'closed')) AS "openTickets",
             csat.score AS "lastCsat", csat.responded_at AS "lastCsatAt",
             (SELECT s.score FROM surveys s WHERE s.customer_id = c.id AND s.kind = 'nps' AND s.score IS NOT NULL
                AND s.responded_at IS NOT NULL ORDER BY s.responded_at DESC LIMIT 1) AS "lastNps",
             (SELECT count(*)::int FROM follow_ups fu WHERE fu.customer_id = c.id AND fu.status = 'open') AS "openFollowUps",
             z.until AS "snoozedUntil", z.reason AS "snoozeReason",
             v.to_date::float8 AS "lifetimeValue", v.expected::float8 AS "expectedLifetimeValue",
             round(r.expected_value_at_risk::numeric, 2)::float8 AS "expectedValueAtRisk",
             v.segment AS "valueSegment", v.basis AS "valueBasis",
             c.name AS "customerName", (SELECT u.name FROM users u WHERE u.id = c.account_manager_id) AS "accountManagerName"
        FROM page
        JOIN customers c ON c.id = page.id
        JOIN risk_scores r ON r.customer_id = c.id
        LEFT JOIN retention_snoozes z ON z.customer_id = c.id AND z.until > now()
        LEFT JOIN customer_values v ON v.customer_id = c.id
        ${BASE(days)}
        LEFT JOIN LATERAL (
          SELECT s.score, s.responded_at FROM surveys s
           WHERE s.customer_id = c.id AND s.kind = 'csat' AND s.score IS NOT NULL AND s.responded_at IS NOT NULL
           ORDER BY s.responded_at DESC LIMIT 1) csat ON true
       ORDER BY page.sort_key DESC, page.id DESC`;
    await tx.query(`SET LOCAL jit = off`);
    return tx.query(sql, params);
  }

  /** True when risk_scores.base_score holds the base of `days` for today (see refreshChangeBase). */
  private async baseMaterialized(tx: Tx, days: number): Promise<boolean> {
    const rows: { ok: boolean }[] = await tx.query(
      `SELECT days = $1 AND base_at = ${BASE_AT('$1')} AS ok FROM risk_score_base WHERE id = 1`,
      [days],
    );
    return rows[0]?.ok === true;
  }

  /**
   * Retention and revenue retention of [from, to) per value segment (the customer's current
   * segment, customer_values) and for everyone (segment 'all'), with the same "active at an
   * instant" rule as periodCounts. MRR at an instant comes from customer_mrr_history (the last
   * entry in effect, the first entry before it starts; the current MRR without history).
   */
  async segmentCounts(tx: Tx, from: Date, to: Date): Promise<SegmentCounts[]> {
    // the per-customer subqueries make the estimate big enough for JIT, which costs more than
    // the query (1.4 s of compilation for a 0.3 s query at 20k customers); call in a transaction
    await tx.query(`SET LOCAL jit = off`);
    return tx.query(
      `${PERIOD_CTES}
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
        ORDER BY GROUPING(segment) DESC, array_position(ARRAY['top', 'high', 'mid', 'low'], segment) NULLS LAST`,
      [from, to],
    );
  }

  /** The customers behind one retentionSummary figure, by id (keyset), optionally of one segment. */
  async periodCustomers(
    tx: Tx,
    from: Date,
    to: Date,
    figure: PeriodFigure,
    segment: string | null | undefined,
    afterId: string | null,
    limit: number,
    band: string | null = null,
  ): Promise<PeriodCustomerRow[]> {
    await tx.query(`SET LOCAL jit = off`);
    // the whole set is evaluated once (the period's customers: one pass, as the summary's
    // counts), counted, then paged by id
    return tx.query(
      `${PERIOD_CTES}
       SELECT * FROM (
         SELECT id::text AS "customerId", id, segment, ms::float8 AS "mrrAtStart", me::float8 AS "mrrAtEnd",
                (count(*) OVER ())::int AS total
           FROM cust
          WHERE ${PERIOD_FIGURES[figure]}
            AND CASE WHEN $6 THEN true WHEN $3::text IS NULL THEN segment IS NULL ELSE segment = $3 END
            -- risk band as of \`to\` (risk_score_history), as customersByBand counts it
            AND ($7::text IS NULL OR (SELECT h.band FROM risk_score_history h
                  WHERE h.customer_id = cust.id AND h.computed_at < $2
                  ORDER BY h.computed_at DESC, h.id DESC LIMIT 1) = $7)
       ) x
        WHERE ($4::bigint IS NULL OR x.id > $4)
        ORDER BY x.id LIMIT $5`,
      [from, to, segment ?? null, afterId, limit, segment === undefined, band],
    );
  }

  async customerForAction(
    tx: Tx,
    id: string,
  ): Promise<{
    id: string;
    name: string;
    status: string;
    accountManagerId: string | null;
  } | null> {
    const [r] = await tx.query(
      `SELECT id::text, name, status, account_manager_id::text AS "accountManagerId" FROM customers WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return r ?? null;
  }

  async snooze(
    tx: Tx,
    customerId: string,
    until: Date,
    reason: string,
    actorId: string,
  ): Promise<SnoozeRow> {
    const [r] = await tx.query(
      `INSERT INTO retention_snoozes (customer_id, until, reason, actor_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (customer_id) DO UPDATE SET until = EXCLUDED.until, reason = EXCLUDED.reason,
         actor_id = EXCLUDED.actor_id, created_at = now()
       RETURNING customer_id::text AS "customerId", until, reason, actor_id::text AS "actorId", created_at AS "createdAt"`,
      [customerId, until, reason, actorId],
    );
    return r;
  }

  async unsnooze(tx: Tx, customerId: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `DELETE FROM retention_snoozes WHERE customer_id = $1 AND until > now() RETURNING 1`,
      [customerId],
    );
    return (Array.isArray(rows[0]) ? (rows[0] as unknown[]) : rows).length > 0;
  }

  /**
   * Retention counts of the period [from, to) from customer_status_changes (the ground truth):
   * customers active at an instant are those who signed up before it and whose last status
   * change before it (else churned_at, for rows without history) left them active. Bands are as
   * of `to`, from risk_score_history (every band change is recorded there).
   */
  async periodCounts(tx: Tx, from: Date, to: Date): Promise<PeriodCounts> {
    const [r] = await tx.query(
      `WITH p AS (SELECT unnest(ARRAY[$1::timestamptz, $2::timestamptz]) AS t),
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
           FROM risk_score_history h WHERE h.computed_at < $2
          ORDER BY h.customer_id, h.computed_at DESC, h.id DESC
       )
       SELECT
         (SELECT count(*)::int FROM active WHERE t = $1) AS "customersAtStart",
         (SELECT count(*)::int FROM active WHERE t = $2) AS "customersAtEnd",
         (SELECT count(*)::int FROM customers WHERE customer_since >= $1 AND customer_since < $2) AS acquired,
         (SELECT count(*)::int FROM (
            SELECT customer_id FROM customer_status_changes
             WHERE to_status = 'churned' AND changed_at >= $1 AND changed_at < $2
            UNION
            SELECT c.id FROM customers c
             WHERE c.churned_at >= $1 AND c.churned_at < $2
               AND NOT EXISTS (SELECT 1 FROM customer_status_changes y WHERE y.customer_id = c.id)) x) AS churned,
         (SELECT coalesce(sum(a.mrr), 0)::float8 FROM active a JOIN band b ON b.customer_id = a.id
           WHERE a.t = $2 AND b.band IN ('high', 'critical')) AS "revenueAtRisk",
         (SELECT coalesce(jsonb_object_agg(band, n), '{}') FROM (
            SELECT b.band, count(*)::int AS n FROM active a JOIN band b ON b.customer_id = a.id
             WHERE a.t = $2 GROUP BY b.band) y) AS bands,
         (SELECT coalesce(jsonb_object_agg(band, r), '{}') FROM (
            SELECT b.band, sum(a.mrr)::float8 AS r FROM active a JOIN band b ON b.customer_id = a.id
             WHERE a.t = $2 GROUP BY b.band) y) AS "bandRevenue"`,
      [from, to],
    );
    return r;
  }
}
