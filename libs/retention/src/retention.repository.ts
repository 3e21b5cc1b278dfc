import { Injectable } from '@nestjs/common';
import { RawBuilder, sql } from 'kysely';
import { Tx, db } from '@staydesk/core';
import type { RiskListQuery } from './retention-rules';
import {
  PeriodCounts,
  PeriodCustomerRow,
  PeriodFigure,
  SegmentCounts,
  periodCounts,
  periodCustomers,
  segmentCounts,
  jitOff,
} from './retention-period.sql';

export { PERIOD_FIGURES } from './retention-period.sql';
export type {
  PeriodCounts,
  PeriodCustomerRow,
  PeriodFigure,
  SegmentCounts,
} from './retention-period.sql';

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

/** Sort keys per ordering: trusted SQL written here, spliced with `sql.raw` (index expressions). */
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
const baseAt = (days: number) =>
  sql<Date>`(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - make_interval(days => ${days}::int))`;

/**
 * The score at the start of the UTC day `days` ago: the last recorded at or before that moment,
 * else the first after it. Two index-only probes of risk_score_history_customer_score_idx per
 * customer (one when the first finds a score). For the default window the full rescore
 * materializes the same figure in risk_scores.base_score (see {@link RetentionRepository.riskList}).
 */
const base = (days: number) => sql`LEFT JOIN LATERAL (
      SELECT coalesce(
        (SELECT h.score FROM risk_score_history h
          WHERE h.customer_id = c.id AND h.computed_at <= ${baseAt(days)}
          ORDER BY h.computed_at DESC LIMIT 1),
        (SELECT h.score FROM risk_score_history h
          WHERE h.customer_id = c.id AND h.computed_at > ${baseAt(days)}
          ORDER BY h.computed_at ASC LIMIT 1)) AS score) base ON true`;

/** The materialized base (risk_scores.base_score) as a `base` relation, same shape as `base`. */
const MATERIALIZED_BASE = sql`CROSS JOIN LATERAL (SELECT r.base_score AS score) base`;
/** The score-change sort key on the materialized base: the expression of risk_scores_change_idx. */
const MATERIALIZED_CHANGE = 'coalesce(r.score::float8 - r.base_score::float8, -1000)';

/** A risk-list row as read: the factors (jsonb) as text, so their keys stay as stored. */
type RiskListRead = Omit<RiskListRow, 'factors'> & { factorsText: string };

/**
 * Retention SQL, typed (decision 46): the risk list's page query stays hand-written (a keyset
 * over indexed sort expressions, per-row subqueries, lateral joins) as a `sql<Row>` template
 * composed of `sql` fragments with `${}` parameters, run on `db(tx)`; the snooze and action
 * reads/writes use the query builder. The period figures are in retention-period.sql.ts.
 */
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
    const days = q.changeDays;
    const where: RawBuilder<unknown>[] = [sql`c.status = 'active'`];
    if (q.accountManagerId) where.push(sql`c.account_manager_id = ${q.accountManagerId}::bigint`);
    if (q.bands) where.push(sql`r.band = ANY(${q.bands}::text[])`);
    if (q.tiers) where.push(sql`c.tier = ANY(${q.tiers}::text[])`);
    if (q.valueSegments) {
      where.push(
        sql`EXISTS (SELECT 1 FROM customer_values cv WHERE cv.customer_id = c.id AND cv.segment = ANY(${q.valueSegments}::text[]))`,
      );
    }
    if (q.mrrMin !== null) where.push(sql`c.mrr >= ${q.mrrMin}`);
    if (q.mrrMax !== null) where.push(sql`c.mrr <= ${q.mrrMax}`);
    if (q.renewalWithinDays !== null) {
      where.push(
        sql`c.renewal_date >= current_date AND c.renewal_date <= current_date + ${q.renewalWithinDays}::int`,
      );
    }
    if (q.rising) where.push(sql`r.score > base.score`);
    if (q.hasOpenFollowUp !== null) {
      const open = sql`EXISTS (SELECT 1 FROM follow_ups fu WHERE fu.customer_id = c.id AND fu.status = 'open')`;
      where.push(q.hasOpenFollowUp ? open : sql`NOT ${open}`);
    }
    if (q.snoozed === 'exclude') where.push(sql`z.customer_id IS NULL`);
    if (q.snoozed === 'only') where.push(sql`z.customer_id IS NOT NULL`);
    const needBase = q.rising || q.order === 'score_change';
    // the full rescore materializes the base of the default window once a day: when it holds
    // this window for today, order by the indexed change instead of reading every history
    const materialized = needBase && (await this.baseMaterialized(tx, q.changeDays));
    const sort = sql.raw(
      materialized && q.order === 'score_change' ? MATERIALIZED_CHANGE : SORT[q.order],
    );
    const cast = sql.raw(q.order === 'score' ? 'real' : 'float8');
    if (after)
      where.push(sql`(${sort}, r.customer_id) < (${after.key}::${cast}, ${after.id}::bigint)`);
    const pageBase = needBase ? (materialized ? MATERIALIZED_BASE : base(days)) : sql.raw('');
    await jitOff(tx);
    const { rows } = await sql<RiskListRead>`
      WITH page AS (
        SELECT r.customer_id AS id, ${sort} AS sort_key
          FROM risk_scores r
          JOIN customers c ON c.id = r.customer_id
          LEFT JOIN retention_snoozes z ON z.customer_id = c.id AND z.until > now()
          ${pageBase}
         WHERE ${sql.join(where, sql` AND `)}
         ORDER BY ${sort} DESC, r.customer_id DESC
         LIMIT ${limit}
      )
      SELECT c.id::text AS "customerId", page.sort_key::float8 AS "sortKey", round(r.score::numeric, 2)::float8 AS score, r.band,
             c.mrr::float8 AS mrr, round((r.score::numeric * c.mrr / 100), 2)::float8 AS "riskWeightedMrr",
             round((r.score::numeric - base.score::numeric), 2)::float8 AS "scoreChange",
             r.factors::text AS "factorsText", c.account_manager_id::text AS "accountManagerId",
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
        ${base(days)}
        LEFT JOIN LATERAL (
          SELECT s.score, s.responded_at FROM surveys s
           WHERE s.customer_id = c.id AND s.kind = 'csat' AND s.score IS NOT NULL AND s.responded_at IS NOT NULL
           ORDER BY s.responded_at DESC LIMIT 1) csat ON true
       ORDER BY page.sort_key DESC, page.id DESC`.execute(db(tx));
    return rows.map(({ factorsText, ...r }) => ({
      ...r,
      factors: JSON.parse(factorsText) as RiskListRow['factors'],
    }));
  }

  /** True when risk_scores.base_score holds the base of `days` for today (see refreshChangeBase). */
  private async baseMaterialized(tx: Tx, days: number): Promise<boolean> {
    const row = await db(tx)
      .selectFrom('riskScoreBase')
      .select((eb) =>
        sql<boolean>`${eb.ref('riskScoreBase.days')} = ${days} AND ${eb.ref('riskScoreBase.baseAt')} = ${baseAt(days)}`.as(
          'ok',
        ),
      )
      .where('riskScoreBase.id', '=', 1)
      .executeTakeFirst();
    return row?.ok === true;
  }

  /** Retention and revenue retention of [from, to) per value segment and for everyone ('all'). */
  segmentCounts(tx: Tx, from: Date, to: Date): Promise<SegmentCounts[]> {
    return segmentCounts(tx, from, to);
  }

  /** The customers behind one retentionSummary figure, by id (keyset), optionally of one segment. */
  periodCustomers(
    tx: Tx,
    from: Date,
    to: Date,
    figure: PeriodFigure,
    segment: string | null | undefined,
    afterId: string | null,
    limit: number,
    band: string | null = null,
  ): Promise<PeriodCustomerRow[]> {
    return periodCustomers(tx, from, to, figure, segment, afterId, limit, band);
  }

  /** Retention counts of the period [from, to) (retention-period.sql.ts). */
  periodCounts(tx: Tx, from: Date, to: Date): Promise<PeriodCounts> {
    return periodCounts(tx, from, to);
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
    const row = await db(tx)
      .selectFrom('customers')
      .select(['customers.id', 'customers.name', 'customers.status', 'customers.accountManagerId'])
      .where('customers.id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row ?? null;
  }

  async snooze(
    tx: Tx,
    customerId: string,
    until: Date,
    reason: string,
    actorId: string,
  ): Promise<SnoozeRow> {
    return db(tx)
      .insertInto('retentionSnoozes')
      .values({ customerId, until, reason, actorId })
      .onConflict((oc) =>
        oc.column('customerId').doUpdateSet((eb) => ({
          until: eb.ref('excluded.until'),
          reason: eb.ref('excluded.reason'),
          actorId: eb.ref('excluded.actorId'),
          createdAt: sql<Date>`now()`,
        })),
      )
      .returning([
        'retentionSnoozes.customerId',
        'retentionSnoozes.until',
        'retentionSnoozes.reason',
        'retentionSnoozes.actorId',
        'retentionSnoozes.createdAt',
      ])
      .executeTakeFirstOrThrow();
  }

  async unsnooze(tx: Tx, customerId: string): Promise<boolean> {
    const row = await db(tx)
      .deleteFrom('retentionSnoozes')
      .where('retentionSnoozes.customerId', '=', customerId)
      .where('retentionSnoozes.until', '>', sql<Date>`now()`)
      .returning('retentionSnoozes.customerId')
      .executeTakeFirst();
    return row !== undefined;
  }
}
