import { Injectable } from '@nestjs/common';
import { Tx, copyInto, copyLine } from '@staydesk/core';
import type { Band, BandThresholds, FactorValue, Score } from './risk-model';

/** The median resolution time of one team and priority (null team: unassigned). */
export interface PeerMedian {
  teamId: string | null;
  priority: string;
  hours: number;
}

/** A model row of risk_models as read for scoring. */
export interface StoredModelRow {
  version: string;
  intercept: number;
  weights: Record<string, number>;
  bands: BandThresholds | null;
}

/** Raw per-customer facts as of a moment, straight from SQL (numbers; nulls where nothing is known). */
export interface RawFeatures {
  customerId: string;
  tenureDays: number;
  daysToRenewal: number | null;
  tickets120: number;
  vol30: number;
  base90: number;
  openTickets: number;
  urgentOpen: number;
  solved90: number;
  reopened90: number;
  breaches90: number;
  /** Tickets created in the last 90 days (the denominator of the breach rate). */
  tickets90: number;
  medianResolutionHours: number | null;
  globalMedianResolutionHours: number | null;
  /**
   * Median over the customer's tickets solved in the last 90 days of (its resolution hours ÷ the
   * median of its team and priority): experience relative to its peers; null without solves.
   */
  peerResolutionRatio?: number | null;
  csatCount: number;
  csatMean: number | null;
  csatBad: number;
  cesCount: number;
  cesMean: number | null;
  npsLatest: number | null;
  customerMessages: number;
  negativeMessages: number;
  /** Customer messages (and negative ones) in the last 30 days: the sentiment trend. */
  customerMessages30: number;
  negativeMessages30: number;
  /**
   * The customer's year (tickets created in the last 365 days, and the customer messages on them
   * in that time): the experience rates over enough tickets to mean something (a customer files
   * a few tickets a quarter), optional so that hand-built rows without them score as before.
   */
  ticketsYear?: number;
  breachesYear?: number;
  reopenedYear?: number;
  customerMessagesYear?: number;
  negativeMessagesYear?: number;
  daysSinceContact: number | null;
  /** The customer's plan (free, starter, pro, enterprise); 'starter' when never set. */
  tier?: string | null;
}

export interface CurrentScore {
  customerId: string;
  score: number;
  band: Band;
}

/** A customer whose new score enters high/critical from a lower band (or from no score). */
export interface Entering {
  customerId: string;
  score: number;
  band: Band;
  factors: FactorValue[];
}

export interface ScoreWrite {
  customerId: string;
  score: number;
  band: Band;
  factors: FactorValue[];
  modelVersion: string;
  previousBand: Band | null;
  previousScore: number | null;
}

export interface RiskRow {
  customerId: string;
  score: number;
  band: Band;
  factors: FactorValue[];
  modelVersion: string;
  computedAt: Date;
  bandSince: Date;
}

export interface HistoryRow {
  customerId: string;
  score: number;
  band: Band;
  previousBand: Band | null;
  modelVersion: string;
  computedAt: Date;
}

const NEGATIVE = -0.05;

/**
 * The feature query. `$1` = as-of time, `$2` = customer ids (null = every customer active at
 * that time), `$3` = live (use current ticket status for the open backlog, via a partial index;
 * a backtest passes false and reconstructs the backlog from timestamps), `$4` = the overall median
 * resolution time in hours (pass it when scoring a subset; null = compute over the customers scored).
 * Windows: volume last 30 d vs the 90 d before; the year's experience rates (breaches,
 * reopens, negative messages) the last 365 d; everything else the last 90 d of tickets created in
 * the last 120 d (\`recent\`).
 */
const FEATURES_SQL = `
WITH cust AS (
  SELECT c.id, c.customer_since, c.renewal_date, c.tier
    FROM customers c
   WHERE c.customer_since <= $1
     AND ($2::bigint[] IS NULL OR c.id = ANY($2))
     AND (c.status = 'active' OR c.churned_at > $1)
),
win AS (
  SELECT t.id, t.customer_id, t.created_at, t.first_response_at, t.first_response_due_at,
         t.solved_at, t.resolution_due_at, t.reopen_count, t.team_id, t.priority,
         t.created_at > $1 - interval '120 days' AS recent,
         ((t.first_response_due_at < $1 AND (t.first_response_at IS NULL OR t.first_response_at > t.first_response_due_at))
          OR (t.resolution_due_at < $1 AND (t.solved_at IS NULL OR t.solved_at > t.resolution_due_at))) AS breached
    FROM tickets t JOIN cust ON cust.id = t.customer_id
   WHERE t.created_at > $1 - interval '365 days' AND t.created_at <= $1
),
tk AS (
  SELECT customer_id,
         count(*) FILTER (WHERE recent)::int AS tickets120,
         count(*) FILTER (WHERE created_at > $1 - interval '30 days')::int AS vol30,
         count(*) FILTER (WHERE recent AND created_at <= $1 - interval '30 days')::int AS base90,
         count(*) FILTER (WHERE created_at > $1 - interval '90 days' AND breached)::int AS breaches90,
         count(*) FILTER (WHERE created_at > $1 - interval '90 days')::int AS tickets90,
         count(*) FILTER (WHERE recent AND solved_at > $1 - interval '90 days' AND solved_at <= $1)::int AS solved90,
         count(*) FILTER (WHERE recent AND solved_at > $1 - interval '90 days' AND solved_at <= $1 AND reopen_count > 0)::int AS reopened90,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM solved_at - created_at) / 3600)
           FILTER (WHERE recent AND solved_at > $1 - interval '90 days' AND solved_at <= $1) AS median_hours,
         count(*)::int AS tickets_year,
         count(*) FILTER (WHERE breached)::int AS breaches_year,
         count(*) FILTER (WHERE reopen_count > 0 AND solved_at <= $1)::int AS reopened_year,
         max(created_at) FILTER (WHERE recent) AS last_ticket
    FROM win GROUP BY customer_id
),
glob AS (
  -- the overall median: given ($4) when scoring a few customers, else over everyone scored
  SELECT coalesce($4::float8, (
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM solved_at - created_at) / 3600)
      FROM win WHERE recent AND solved_at > $1 - interval '90 days' AND solved_at <= $1)) AS median_hours
),
peer AS (
  -- median resolution hours per team and priority: given ($5, JSON) when scoring a few
  -- customers, else over the tickets of everyone scored (like glob)
  SELECT (e->>'teamId')::bigint AS team_id, e->>'priority' AS priority, (e->>'hours')::float8 AS hours
    FROM jsonb_array_elements(coalesce($5::jsonb, '[]'::jsonb)) e
  UNION ALL
  SELECT team_id, priority::text,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM solved_at - created_at) / 3600)
    FROM win WHERE $5::jsonb IS NULL AND recent AND solved_at > $1 - interval '90 days' AND solved_at <= $1
   GROUP BY team_id, priority
),
vs_peers AS (
  SELECT w.customer_id,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY (extract(epoch FROM w.solved_at - w.created_at) / 3600) / p.hours) AS ratio
    FROM win w JOIN peer p ON p.team_id IS NOT DISTINCT FROM w.team_id AND p.priority = w.priority::text
   WHERE w.recent AND w.solved_at > $1 - interval '90 days' AND w.solved_at <= $1 AND p.hours > 0
   GROUP BY w.customer_id
),
open_now AS (
  SELECT t.customer_id, count(*)::int AS open, count(*) FILTER (WHERE t.priority = 'urgent')::int AS urgent
    FROM tickets t JOIN cust ON cust.id = t.customer_id
   WHERE $3 AND t.status NOT IN ('solved', 'closed')
   GROUP BY t.customer_id
),
open_then AS (
  SELECT t.customer_id, count(*)::int AS open, count(*) FILTER (WHERE t.priority = 'urgent')::int AS urgent
    FROM tickets t JOIN cust ON cust.id = t.customer_id
   WHERE NOT $3 AND t.created_at <= $1
     AND (t.solved_at IS NULL OR t.solved_at > $1) AND (t.closed_at IS NULL OR t.closed_at > $1)
   GROUP BY t.customer_id
),
msg AS (
  SELECT w.customer_id,
         count(*) FILTER (WHERE w.recent AND m.created_at > $1 - interval '90 days')::int AS n,
         count(*) FILTER (WHERE w.recent AND m.created_at > $1 - interval '90 days' AND m.sentiment < ${NEGATIVE})::int AS negative,
         count(*) FILTER (WHERE w.recent AND m.created_at > $1 - interval '30 days')::int AS n30,
         count(*) FILTER (WHERE w.recent AND m.created_at > $1 - interval '30 days' AND m.sentiment < ${NEGATIVE})::int AS negative30,
         count(*)::int AS n_year,
         count(*) FILTER (WHERE m.sentiment < ${NEGATIVE})::int AS negative_year,
         max(m.created_at) FILTER (WHERE w.recent AND m.created_at > $1 - interval '90 days') AS last_message
    FROM win w JOIN ticket_messages m ON m.ticket_id = w.id
   WHERE m.kind = 'customer_message' AND m.created_at > $1 - interval '365 days' AND m.created_at <= $1
   GROUP BY w.customer_id
),
sv AS (
  SELECT s.customer_id,
         count(*) FILTER (WHERE s.kind = 'csat')::int AS csat_n,
         avg(s.score) FILTER (WHERE s.kind = 'csat') AS csat_mean,
         count(*) FILTER (WHERE s.kind = 'csat' AND s.score <= 2)::int AS csat_bad,
         count(s.ces_score)::int AS ces_n,
         avg(s.ces_score) AS ces_mean
    FROM surveys s JOIN cust ON cust.id = s.customer_id
   WHERE s.responded_at > $1 - interval '90 days' AND s.responded_at <= $1 AND s.score IS NOT NULL
   GROUP BY s.customer_id
),
nps AS (
  SELECT DISTINCT ON (s.customer_id) s.customer_id, s.score
    FROM surveys s JOIN cust ON cust.id = s.customer_id
   WHERE s.kind = 'nps' AND s.score IS NOT NULL AND s.responded_at <= $1
   ORDER BY s.customer_id, s.responded_at DESC
)
SELECT cust.id::text AS "customerId", cust.tier AS "tier",
       greatest(0, extract(epoch FROM $1 - cust.customer_since) / 86400)::float8 AS "tenureDays",
       CASE WHEN cust.renewal_date IS NULL THEN NULL
            ELSE (cust.renewal_date - ($1 AT TIME ZONE 'UTC')::date)::float8 END AS "daysToRenewal",
       coalesce(tk.tickets120, 0) AS "tickets120", coalesce(tk.vol30, 0) AS "vol30", coalesce(tk.base90, 0) AS "base90",
       coalesce(open_now.open, open_then.open, 0) AS "openTickets",
       coalesce(open_now.urgent, open_then.urgent, 0) AS "urgentOpen",
       coalesce(tk.solved90, 0) AS "solved90", coalesce(tk.reopened90, 0) AS "reopened90",
       coalesce(tk.breaches90, 0) AS "breaches90", coalesce(tk.tickets90, 0) AS "tickets90",
       tk.median_hours::float8 AS "medianResolutionHours", glob.median_hours::float8 AS "globalMedianResolutionHours",
       vs_peers.ratio::float8 AS "peerResolutionRatio",
       coalesce(sv.csat_n, 0) AS "csatCount", sv.csat_mean::float8 AS "csatMean", coalesce(sv.csat_bad, 0) AS "csatBad",
       coalesce(sv.ces_n, 0) AS "cesCount", sv.ces_mean::float8 AS "cesMean",
       nps.score AS "npsLatest",
       coalesce(msg.n, 0) AS "customerMessages", coalesce(msg.negative, 0) AS "negativeMessages",
       coalesce(msg.n30, 0) AS "customerMessages30", coalesce(msg.negative30, 0) AS "negativeMessages30",
       coalesce(tk.tickets_year, 0) AS "ticketsYear", coalesce(tk.breaches_year, 0) AS "breachesYear",
       coalesce(tk.reopened_year, 0) AS "reopenedYear",
       coalesce(msg.n_year, 0) AS "customerMessagesYear", coalesce(msg.negative_year, 0) AS "negativeMessagesYear",
       (extract(epoch FROM $1 - greatest(tk.last_ticket, msg.last_message)) / 86400)::float8 AS "daysSinceContact"
  FROM cust
  CROSS JOIN glob
  LEFT JOIN tk ON tk.customer_id = cust.id
  LEFT JOIN vs_peers ON vs_peers.customer_id = cust.id
  LEFT JOIN open_now ON open_now.customer_id = cust.id
  LEFT JOIN open_then ON open_then.customer_id = cust.id
  LEFT JOIN msg ON msg.customer_id = cust.id
  LEFT JOIN sv ON sv.customer_id = cust.id
  LEFT JOIN nps ON nps.customer_id = cust.id
 ORDER BY cust.id`;

@Injectable()
export class RiskRepository {
  async features(
    tx: Tx,
    asOf: Date,
    customerIds: string[] | null,
    live: boolean,
    globalMedianHours: number | null = null,
    peerMedians: PeerMedian[] | null = null,
  ): Promise<RawFeatures[]> {
    if (customerIds === null) {
      // Everyone at once (the full rescore, a backtest, a fit): no JIT. At full size PostgreSQL
      // compiled this query for 17 s of its 77 s at load 24 (EXPLAIN ANALYZE, 2026-11-30:
      // inlining 1.9 s, optimization 9.1 s, emission 6.2 s), more than the expressions it
      // evaluates could ever save; the single-customer query is too cheap to be compiled.
      await tx.query(`SET LOCAL jit = off`);
    }
    if (live && customerIds === null) {
      await tx.query(`SET LOCAL work_mem = '256MB'`);
      // the full run is a batch job (nightly, at boot): the interactive statement timeout
      // (DATABASE_STATEMENT_TIMEOUT_MS) is not its budget; a year of tickets and messages at 2M
      // tickets takes tens of seconds on a busy machine
      await tx.query(`SET LOCAL statement_timeout = '10min'`);
    }
    return tx.query(FEATURES_SQL, [
      asOf,
      customerIds,
      live,
      globalMedianHours,
      peerMedians === null ? null : JSON.stringify(peerMedians),
    ]);
  }

  /** Median resolution hours per team and priority, tickets solved in the 90 days before `asOf`. */
  async peerMedians(tx: Tx, asOf: Date): Promise<PeerMedian[]> {
    return tx.query(
      `SELECT team_id::text AS "teamId", priority::text AS priority,
              (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM solved_at - created_at) / 3600))::float8 AS hours
         FROM tickets WHERE solved_at > $1::timestamptz - interval '90 days' AND solved_at <= $1::timestamptz
        GROUP BY team_id, priority`,
      [asOf],
    );
  }

  /** Median hours from creation to (last) solve of tickets solved in the 90 days before `asOf`, all customers. */
  async globalMedianHours(tx: Tx, asOf: Date): Promise<number | null> {
    const rows: { h: number | null }[] = await tx.query(
      `SELECT (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM solved_at - created_at) / 3600))::float8 AS h
         FROM tickets WHERE solved_at > $1::timestamptz - interval '90 days' AND solved_at <= $1::timestamptz`,
      [asOf],
    );
    return rows[0]?.h ?? null;
  }

  /**
   * Materializes each customer's score at the start of the UTC day `days` ago into
   * `risk_scores.base_score` (the last history entry at or before that moment, else the first
   * after it: the base of the risk list's score change), set-based, and records the window in
   * `risk_score_base`. Returns the rows whose base changed.
   */
  async refreshChangeBase(tx: Tx, days: number): Promise<number> {
    await tx.query(`SET LOCAL statement_timeout = '5min'`); // a batch step of the full rescore
    const at = `(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - make_interval(days => $1::int))`;
    const rows: unknown[] = await tx.query(
      `WITH b1 AS (
         SELECT DISTINCT ON (customer_id) customer_id, score FROM risk_score_history
          WHERE computed_at <= ${at} ORDER BY customer_id, computed_at DESC),
       b2 AS (
         SELECT DISTINCT ON (customer_id) customer_id, score FROM risk_score_history
          WHERE computed_at > ${at} ORDER BY customer_id, computed_at ASC),
       x AS (
         SELECT r.customer_id, coalesce(b1.score, b2.score) AS score FROM risk_scores r
           LEFT JOIN b1 ON b1.customer_id = r.customer_id LEFT JOIN b2 ON b2.customer_id = r.customer_id)
       UPDATE risk_scores r SET base_score = x.score FROM x
        WHERE x.customer_id = r.customer_id AND r.base_score IS DISTINCT FROM x.score
       RETURNING 1`,
      [days],
    );
    await tx.query(
      `INSERT INTO risk_score_base (id, days, base_at, computed_at) VALUES (1, $1, ${at}, now())
       ON CONFLICT (id) DO UPDATE SET days = EXCLUDED.days, base_at = EXCLUDED.base_at, computed_at = now()`,
      [days],
    );
    return rows.length;
  }

  async currentScores(tx: Tx, customerIds: string[]): Promise<CurrentScore[]> {
    return tx.query(
      `SELECT customer_id::text AS "customerId", score, band FROM risk_scores WHERE customer_id = ANY($1::bigint[])`,
      [customerIds],
    );
  }

  /**
   * Full-run path: streams scores into a transaction-local staging table with COPY (chunks come
   * from an async source, so scoring the next chunk overlaps PostgreSQL parsing this one).
   */
  async stageScores(
    tx: Tx,
    chunks: AsyncIterable<(Score & { customerId: string })[]>,
  ): Promise<void> {
    await tx.query(
      `CREATE TEMP TABLE risk_stage (customer_id bigint PRIMARY KEY, score real, band text,
         factors jsonb, model_version text) ON COMMIT DROP`,
    );
    await copyInto(
      tx,
      `COPY risk_stage (customer_id, score, band, factors, model_version) FROM STDIN`,
      (async function* () {
        for await (const chunk of chunks) {
          yield chunk
            .map((s) =>
              copyLine([s.customerId, s.score, s.band, JSON.stringify(s.factors), s.modelVersion]),
            )
            .join('');
        }
      })(),
    );
    await tx.query(`ANALYZE risk_stage`);
  }

  /**
   * Sets the staged bands from thresholds found after staging (the default model's score
   * distribution). Scores are staged as `real` and thresholds are two-decimal numbers: both are
   * compared as numeric, so a score equal to a threshold is at or above it as in `bandOf`.
   */
  async rebandStaged(tx: Tx, bands: BandThresholds): Promise<void> {
    await tx.query(
      `UPDATE risk_stage s SET band = x.band
         FROM (SELECT customer_id, CASE WHEN score::numeric >= $3::numeric THEN 'critical'
                                        WHEN score::numeric >= $2::numeric THEN 'high'
                                        WHEN score::numeric >= $1::numeric THEN 'medium'
                                        ELSE 'low' END AS band
                 FROM risk_stage) x
        WHERE x.customer_id = s.customer_id AND x.band <> s.band`,
      [bands.medium, bands.high, bands.critical],
    );
  }

  /** Staged customers entering high/critical (call before {@link applyStagedScores}). */
  async enteringHighBands(tx: Tx, high: Band[]): Promise<Entering[]> {
    return tx.query(
      `SELECT s.customer_id::text AS "customerId", s.score, s.band, s.factors
         FROM risk_stage s LEFT JOIN risk_scores r ON r.customer_id = s.customer_id
        WHERE s.band = ANY($1::text[]) AND (r.band IS NULL OR NOT r.band = ANY($1::text[]))`,
      [high],
    );
  }

  /**
   * History for band changes, first scores and moves of at least `step` points, then one upsert
   * from the staging table. Returns how many customers changed band.
   */
  async applyStagedScores(tx: Tx, step: number): Promise<number> {
    const rows: { changes: number }[] = await tx.query(
      `WITH h AS (
         INSERT INTO risk_score_history (customer_id, score, band, previous_band, model_version)
         SELECT s.customer_id, s.score, s.band, r.band, s.model_version
           FROM risk_stage s LEFT JOIN risk_scores r ON r.customer_id = s.customer_id
          WHERE r.customer_id IS NULL OR r.band <> s.band OR abs(r.score - s.score) >= $1
         RETURNING previous_band, band)
       SELECT count(*) FILTER (WHERE previous_band IS NOT NULL AND previous_band <> band)::int AS changes
         FROM h`,
      [step],
    );
    // revenue at risk from the same join, instead of the per-row trigger (it skips itself)
    await tx.query(`SET LOCAL staydesk.scores_with_revenue = 'on'`);
    await tx.query(
      `INSERT INTO risk_scores (customer_id, score, band, factors, model_version, computed_at, band_since,
                                revenue_at_risk)
       SELECT s.customer_id, s.score, s.band, s.factors, s.model_version, now(), now(),
              s.score::float8 * c.mrr::float8 / 100
         FROM risk_stage s JOIN customers c ON c.id = s.customer_id
       ON CONFLICT (customer_id) DO UPDATE SET
         score = EXCLUDED.score, factors = EXCLUDED.factors, model_version = EXCLUDED.model_version,
         computed_at = EXCLUDED.computed_at, revenue_at_risk = EXCLUDED.revenue_at_risk,
         band_since = CASE WHEN risk_scores.band = EXCLUDED.band THEN risk_scores.band_since ELSE now() END,
         band = EXCLUDED.band`,
    );
    await tx.query(`SET LOCAL staydesk.scores_with_revenue = 'off'`);
    return rows[0].changes;
  }

  /** Bulk upsert of scores; band_since moves only when the band changes. */
  async upsertScores(tx: Tx, rows: ScoreWrite[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO risk_scores (customer_id, score, band, factors, model_version, computed_at, band_since)
       SELECT v.customer_id, v.score, v.band, v.factors, v.model_version, now(), now()
         FROM unnest($1::bigint[], $2::real[], $3::text[], $4::jsonb[], $5::text[])
              AS v(customer_id, score, band, factors, model_version)
       ON CONFLICT (customer_id) DO UPDATE SET
         score = EXCLUDED.score, factors = EXCLUDED.factors, model_version = EXCLUDED.model_version,
         computed_at = EXCLUDED.computed_at,
         band_since = CASE WHEN risk_scores.band = EXCLUDED.band THEN risk_scores.band_since ELSE now() END,
         band = EXCLUDED.band`,
      [
        rows.map((r) => r.customerId),
        rows.map((r) => r.score),
        rows.map((r) => r.band),
        rows.map((r) => JSON.stringify(r.factors)),
        rows.map((r) => r.modelVersion),
      ],
    );
  }

  async insertHistory(tx: Tx, rows: ScoreWrite[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO risk_score_history (customer_id, score, band, previous_band, model_version)
       SELECT * FROM unnest($1::bigint[], $2::real[], $3::text[], $4::text[], $5::text[])`,
      [
        rows.map((r) => r.customerId),
        rows.map((r) => r.score),
        rows.map((r) => r.band),
        rows.map((r) => r.previousBand),
        rows.map((r) => r.modelVersion),
      ],
    );
  }

  /** Account managers (or an admin) for customers entering a high band. */
  async owners(
    tx: Tx,
    customerIds: string[],
  ): Promise<{ customerId: string; ownerId: string | null }[]> {
    return tx.query(
      `SELECT c.id::text AS "customerId",
              coalesce(am.id, (SELECT id FROM users WHERE role = 'admin' AND active ORDER BY id LIMIT 1))::text AS "ownerId"
         FROM customers c LEFT JOIN users am ON am.id = c.account_manager_id AND am.active
        WHERE c.id = ANY($1::bigint[])`,
      [customerIds],
    );
  }

  async activeCustomerIds(tx: Tx): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(
      `SELECT id::text FROM customers WHERE status = 'active' ORDER BY customers.id`,
    );
    return rows.map((r) => r.id);
  }

  async byCustomerIds(tx: Tx, ids: readonly string[]): Promise<RiskRow[]> {
    return tx.query(
      `SELECT customer_id::text AS "customerId", score, band, factors, model_version AS "modelVersion",
              computed_at AS "computedAt", band_since AS "bandSince"
         FROM risk_scores WHERE customer_id = ANY($1::bigint[])`,
      [ids],
    );
  }

  async history(tx: Tx, customerIds: readonly string[], since: Date): Promise<HistoryRow[]> {
    return tx.query(
      `SELECT customer_id::text AS "customerId", score, band, previous_band AS "previousBand",
              model_version AS "modelVersion", computed_at AS "computedAt"
         FROM risk_score_history WHERE customer_id = ANY($1::bigint[]) AND computed_at >= $2
        ORDER BY customer_id, computed_at`,
      [customerIds, since],
    );
  }

  /** Score change over `days`: now minus the last recorded score before the window (per customer). */
  async trends(
    tx: Tx,
    customerIds: readonly string[],
    days: number,
  ): Promise<{ customerId: string; trend: number | null }[]> {
    return tx.query(
      `SELECT r.customer_id::text AS "customerId", (r.score - h.score)::float8 AS trend
         FROM risk_scores r
         LEFT JOIN LATERAL (
           SELECT score FROM risk_score_history x
            WHERE x.customer_id = r.customer_id AND x.computed_at <= now() - make_interval(days => $2)
            ORDER BY x.computed_at DESC LIMIT 1) h ON true
        WHERE r.customer_id = ANY($1::bigint[])`,
      [customerIds, days],
    );
  }

  async activeModel(tx: Tx): Promise<StoredModelRow | null> {
    const rows: StoredModelRow[] = await tx.query(
      `SELECT version, intercept, weights, bands FROM risk_models WHERE active`,
    );
    return rows[0] ?? null;
  }

  /** The default model's distribution bands as of the last full rescore (null: none yet). */
  async distributionBands(tx: Tx, modelVersion: string): Promise<BandThresholds | null> {
    const rows: { bands: BandThresholds }[] = await tx.query(
      `SELECT bands FROM risk_distribution_bands WHERE model_version = $1`,
      [modelVersion],
    );
    return rows[0]?.bands ?? null;
  }

  async saveDistributionBands(
    tx: Tx,
    modelVersion: string,
    bands: BandThresholds,
    customers: number,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO risk_distribution_bands (model_version, bands, customers) VALUES ($1, $2, $3)
       ON CONFLICT (model_version) DO UPDATE SET bands = EXCLUDED.bands,
         customers = EXCLUDED.customers, computed_at = now()`,
      [modelVersion, JSON.stringify(bands), customers],
    );
  }

  async modelByVersion(tx: Tx, version: string): Promise<StoredModelRow | null> {
    const rows: StoredModelRow[] = await tx.query(
      `SELECT version, intercept, weights, bands FROM risk_models WHERE version = $1`,
      [version],
    );
    return rows[0] ?? null;
  }

  /**
   * Makes `version` the active model (null: none, the default weights) and records the
   * activation with the model it replaced, so {@link restorePrevious} can undo it.
   */
  async activate(tx: Tx, version: string | null): Promise<{ previous: string | null }> {
    const before: { version: string }[] = await tx.query(
      `SELECT version FROM risk_models WHERE active FOR UPDATE`,
    );
    const previous = before[0]?.version ?? null;
    await tx.query(`UPDATE risk_models SET active = false WHERE active`);
    if (version !== null) {
      await tx.query(`UPDATE risk_models SET active = true WHERE version = $1`, [version]);
    }
    if (previous !== version) {
      await tx.query(
        `INSERT INTO risk_model_activations (version, previous_version) VALUES ($1, $2)`,
        [version, previous],
      );
    }
    return { previous };
  }

  /** The model that was active before the current one (undefined: no activation recorded). */
  async previousModel(
    tx: Tx,
  ): Promise<{ current: string | null; previous: string | null } | undefined> {
    const rows: { version: string | null; previous: string | null }[] = await tx.query(
      `SELECT version, previous_version AS previous FROM risk_model_activations ORDER BY id DESC LIMIT 1`,
    );
    return rows[0] ? { current: rows[0].version, previous: rows[0].previous } : undefined;
  }

  /** Models stored, newest first, with whether each is active. */
  async models(tx: Tx): Promise<{ version: string; active: boolean; createdAt: Date }[]> {
    return tx.query(
      `SELECT version, active, created_at AS "createdAt" FROM risk_models ORDER BY created_at DESC, version`,
    );
  }

  async saveModel(
    tx: Tx,
    m: {
      version: string;
      source: 'default' | 'fitted';
      intercept: number;
      weights: Record<string, number>;
      bands?: BandThresholds | null;
      metrics: unknown;
      activate: boolean;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO risk_models (version, source, intercept, weights, bands, metrics, active)
       VALUES ($1, $2, $3, $4, $5, $6, false)
       ON CONFLICT (version) DO UPDATE SET intercept = EXCLUDED.intercept, weights = EXCLUDED.weights,
         bands = EXCLUDED.bands, metrics = EXCLUDED.metrics`,
      [
        m.version,
        m.source,
        m.intercept,
        m.weights,
        m.bands ? JSON.stringify(m.bands) : null,
        m.metrics ?? null,
      ],
    );
    if (m.activate) await this.activate(tx, m.version);
  }

  /**
   * Contact (a ticket created or a customer message) per customer in the `days` before `cutoff`
   * and in (cutoff, end]: the ground truth of churn by dormancy, for histories without churn marks.
   */
  async contactAround(
    tx: Tx,
    cutoff: Date,
    end: Date,
    days: number,
  ): Promise<Map<string, { before: boolean; after: boolean }>> {
    const rows: { id: string; before: boolean; after: boolean }[] = await tx.query(
      `WITH contact AS (
         SELECT customer_id, created_at AS at FROM tickets
          WHERE created_at > $1::timestamptz - make_interval(days => $3) AND created_at <= $2
         UNION ALL
         SELECT t.customer_id, m.created_at FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
          WHERE m.kind = 'customer_message'
            AND m.created_at > $1::timestamptz - make_interval(days => $3) AND m.created_at <= $2)
       SELECT customer_id::text AS id, bool_or(at <= $1) AS before, bool_or(at > $1) AS after
         FROM contact GROUP BY customer_id`,
      [cutoff, end, days],
    );
    return new Map(rows.map((r) => [r.id, { before: r.before, after: r.after }]));
  }

  /** Customers who churned in (from, to], from customer_status_changes (the ground truth). */
  async churnedBetween(tx: Tx, from: Date, to: Date): Promise<Set<string>> {
    const rows: { id: string }[] = await tx.query(
      `SELECT DISTINCT customer_id::text AS id FROM customer_status_changes
        WHERE to_status = 'churned' AND changed_at > $1 AND changed_at <= $2`,
      [from, to],
    );
    return new Set(rows.map((r) => r.id));
  }
}
