// Over 400 lines on purpose: the scoring pipeline's SQL (features, staging, history, trends) read together with docs/risk-model.md; the models' own table is in risk-models.repository.ts.
import { Injectable } from '@nestjs/common';
import { CompiledQuery, sql } from 'kysely';
import { Tx, copyInto, copyValue, db } from '@staydesk/core';
import {
  FEATURES_SQL,
  FEATURES_WITHOUT_MESSAGES_SQL,
  FEATURE_BOUNDS_SQL,
  MESSAGE_FEATURES_SQL,
  SURVEY_FEATURES_SQL,
  type MessagesRow,
  type SurveysRow,
  type PeerMedian,
  type RawFeatures,
} from './risk-features';
import { RiskModelsRepository, parseJson } from './risk-models.repository';
import type { Band, BandThresholds, FactorValue, Score } from './risk-model';

export type { PeerMedian, RawFeatures } from './risk-features';
export type { StoredModelRow } from './risk-models.repository';

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

/**
 * The risk scores, their history and the models. SQL typing (decision 46): CRUD and lookups are
 * the typed builder over `db(tx)`; set-based statements (the staging table, COPY, `unnest`
 * upserts, windows) are `sql<Row>` templates on `db(tx)` with their result rows typed. The
 * feature query (risk-features.ts) is benchmarked at full size and uses its as-of time `$1` some
 * forty times: it runs with its text unchanged as a `CompiledQuery` on `db(tx)`, without the
 * CamelCasePlugin (its columns are aliased camelCase already; mapping 75k rows' keys is wasted
 * CPU in the full rescore). jsonb whose keys matter (factors, weights, bands) is read as text.
 * The models' SQL is in its base class (risk-models.repository.ts, a pure move).
 */
@Injectable()
export class RiskRepository extends RiskModelsRepository {
  async features(
    tx: Tx,
    asOf: Date,
    customerIds: string[] | null,
    live: boolean,
    globalMedianHours: number | null = null,
    peerMedians: PeerMedian[] | null = null,
  ): Promise<RawFeatures[]> {
    const k = db(tx);
    if (customerIds === null) {
      // Everyone at once (the full rescore, a backtest, a fit): no JIT. At full size PostgreSQL
      // compiled this query for 17 s of its 77 s at load 24 (EXPLAIN ANALYZE, 2026-11-30:
      // inlining 1.9 s, optimization 9.1 s, emission 6.2 s), more than the expressions it
      // evaluates could ever save; the single-customer query is too cheap to be compiled.
      await sql`SET LOCAL jit = off`.execute(k);
    }
    if (customerIds !== null) {
      // A few customers (a window job's chunk, one customer): the plan must follow their tickets
      // through the indexes. At the default random_page_cost (4) PostgreSQL switched, between 75
      // and 100 customers at full size, to hashing the year's 2.4M customer messages (the `msg`
      // CTE) for them: 13–18 ms of PostgreSQL per customer at 200 instead of ~0.5. At 1.1 (the
      // usual figure for SSDs) the switch comes beyond 200 (EXPLAIN ANALYZE on the full-size
      // world, docs/benchmarks.md, issue 19 "batch").
      await sql`SET LOCAL random_page_cost = 1.1`.execute(k);
    }
    if (live && customerIds === null) {
      await sql`SET LOCAL work_mem = '256MB'`.execute(k);
      // the full run is a batch job (nightly, at boot): the interactive statement timeout
      // (DATABASE_STATEMENT_TIMEOUT_MS) is not its budget; a year of tickets and messages at 2M
      // tickets takes tens of seconds on a busy machine
      await sql`SET LOCAL statement_timeout = '10min'`.execute(k);
    }
    const b = await this.windowStarts(tx, asOf);
    const query = CompiledQuery.raw(FEATURES_SQL, [
      asOf,
      customerIds,
      live,
      globalMedianHours,
      peerMedians === null ? null : JSON.stringify(peerMedians),
      ...b,
    ]);
    return (await k.withoutPlugins().executeQuery<RawFeatures>(query)).rows;
  }

  /** The window starts `asOf` − 30 / 90 / 120 / 365 days, once (see FEATURES_SQL: inline they were evaluated per row). */
  private async windowStarts(tx: Tx, asOf: Date): Promise<[string, string, string, string]> {
    const {
      rows: [b],
    } = await db(tx)
      .withoutPlugins()
      .executeQuery<{ d30: string; d90: string; d120: string; d365: string }>(
        CompiledQuery.raw(FEATURE_BOUNDS_SQL, [asOf]),
      );
    return [b.d30, b.d90, b.d120, b.d365];
  }

  /**
   * The settings of a query over everyone (see {@link features}), for the rest of `tx`: the full
   * rescore's transaction keeps them for its COPY and apply too, as when the one query set them.
   */
  async everyoneSettings(tx: Tx): Promise<void> {
    const k = db(tx);
    await sql`SET LOCAL jit = off`.execute(k);
    await sql`SET LOCAL work_mem = '256MB'`.execute(k);
    await sql`SET LOCAL statement_timeout = '10min'`.execute(k);
  }

  /**
   * The snapshot of `tx`, for other connections to read in ({@link readInSnapshot}): the full
   * rescore's two feature halves see the same data, as the one query did.
   */
  async exportSnapshot(tx: Tx): Promise<string> {
    const { rows } = await sql<{ id: string }>`SELECT pg_export_snapshot() AS id`.execute(db(tx));
    return rows[0].id;
  }

  /** Makes `tx` (just begun, nothing read yet) a read-only transaction in the snapshot `id`. */
  async readInSnapshot(tx: Tx, id: string): Promise<void> {
    const k = db(tx);
    await sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`.execute(k);
    await sql`SET TRANSACTION SNAPSHOT ${sql.lit(id)}`.execute(k);
  }

  /**
   * The full live run's first half: every active customer's features but the customer
   * messages' and the surveys' (FEATURES_WITHOUT_MESSAGES_SQL: 0 or null, the days since the last
   * recent ticket).
   */
  async featuresWithoutMessages(tx: Tx, asOf: Date): Promise<RawFeatures[]> {
    await this.everyoneSettings(tx);
    const query = CompiledQuery.raw(FEATURES_WITHOUT_MESSAGES_SQL, [
      asOf,
      null,
      true,
      null,
      null,
      ...(await this.windowStarts(tx, asOf)),
    ]);
    return (await db(tx).withoutPlugins().executeQuery<RawFeatures>(query)).rows;
  }

  /** The full live run's second half: the customer messages' features (MESSAGE_FEATURES_SQL). */
  async messageFeatures(tx: Tx, asOf: Date): Promise<MessagesRow[]> {
    await this.everyoneSettings(tx);
    // one process: the other half already has the second core
    await sql`SET LOCAL max_parallel_workers_per_gather = 0`.execute(db(tx));
    const query = CompiledQuery.raw(MESSAGE_FEATURES_SQL, [
      asOf,
      ...(await this.windowStarts(tx, asOf)),
    ]);
    return (await db(tx).withoutPlugins().executeQuery<MessagesRow>(query)).rows;
  }

  /** The full live run's survey features (SURVEY_FEATURES_SQL), beside the messages'. */
  async surveyFeatures(tx: Tx, asOf: Date): Promise<SurveysRow[]> {
    const [, d90] = await this.windowStarts(tx, asOf);
    const query = CompiledQuery.raw(SURVEY_FEATURES_SQL, [asOf, null, d90]);
    return (await db(tx).withoutPlugins().executeQuery<SurveysRow>(query)).rows;
  }

  /** Median resolution hours per team and priority, tickets solved in the 90 days before `asOf`. */
  async peerMedians(tx: Tx, asOf: Date): Promise<PeerMedian[]> {
    const { rows } = await sql<PeerMedian>`
      SELECT team_id::text AS "teamId", priority::text AS priority,
             (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM solved_at - created_at) / 3600))::float8 AS hours
        FROM tickets WHERE solved_at > ${asOf}::timestamptz - interval '90 days' AND solved_at <= ${asOf}::timestamptz
       GROUP BY team_id, priority`.execute(db(tx));
    return rows;
  }

  /** Median hours from creation to (last) solve of tickets solved in the 90 days before `asOf`, all customers. */
  async globalMedianHours(tx: Tx, asOf: Date): Promise<number | null> {
    const { rows } = await sql<{ h: number | null }>`
      SELECT (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM solved_at - created_at) / 3600))::float8 AS h
        FROM tickets WHERE solved_at > ${asOf}::timestamptz - interval '90 days' AND solved_at <= ${asOf}::timestamptz`.execute(
      db(tx),
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
    const k = db(tx);
    await sql`SET LOCAL statement_timeout = '5min'`.execute(k); // a batch step of the full rescore
    const at = sql`(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - make_interval(days => ${days}::int))`;
    const { rows } = await sql<{ one: number }>`
      WITH b1 AS (
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
      RETURNING 1 AS one`.execute(k);
    await sql`
      INSERT INTO risk_score_base (id, days, base_at, computed_at) VALUES (1, ${days}, ${at}, now())
      ON CONFLICT (id) DO UPDATE SET days = EXCLUDED.days, base_at = EXCLUDED.base_at, computed_at = now()`.execute(
      k,
    );
    return rows.length;
  }

  async currentScores(tx: Tx, customerIds: string[]): Promise<CurrentScore[]> {
    return db(tx)
      .selectFrom('riskScores')
      .select(['riskScores.customerId', 'riskScores.score', 'riskScores.band'])
      .where('riskScores.customerId', '=', sql<string>`any(${customerIds}::bigint[])`)
      .execute();
  }

  /**
   * Full-run path: streams scores into a transaction-local staging table with COPY (chunks come
   * from an async source, so scoring the next chunk overlaps PostgreSQL parsing this one).
   */
  async stageScores(
    tx: Tx,
    chunks: AsyncIterable<(Score & { customerId: string })[]>,
  ): Promise<void> {
    const k = db(tx);
    // lz4 where the server has it: the factors (~2.6 KB of JSON a customer) are compressed once,
    // here, and the upsert copies the compressed value into risk_scores as it is; pglz cost
    // PostgreSQL about as much CPU as parsing the JSON
    const { rows: lz4 } = await sql<{ ok: boolean }>`
      SELECT 'lz4' = ANY(enumvals) AS ok FROM pg_settings WHERE name = 'default_toast_compression'`.execute(
      k,
    );
    const compression = lz4[0]?.ok ? sql` COMPRESSION lz4` : sql``;
    await sql`
      CREATE TEMP TABLE risk_stage (customer_id bigint PRIMARY KEY, score real, band text,
        factors jsonb${compression}, model_version text) ON COMMIT DROP`.execute(k);
    await copyInto(
      tx,
      `COPY risk_stage (customer_id, score, band, factors, model_version) FROM STDIN`,
      (async function* () {
        for await (const chunk of chunks) {
          // each chunk's lines written into one Buffer (outside the heap, freed with its young
          // wrapper) rather than joined into one string: a chunk's text (~1.4 M characters,
          // two-byte because of the labels' × and –) went to V8's large-object space and stayed
          // there until a full collection; ~400 MB of such text a run lifted the worker's peak
          const lines = new Array<string>(chunk.length);
          let bytes = 0;
          for (let i = 0; i < chunk.length; i++) {
            const s = chunk[i];
            // ids are digits, scores numbers, bands words: only the JSON and the version need
            // COPY's escapes, and JSON holds no raw tab, newline or CR, so only its backslashes
            const json = JSON.stringify(s.factors);
            lines[i] =
              `${s.customerId}\t${s.score}\t${s.band}\t${json.includes('\\') ? json.replace(/\\/g, '\\\\') : json}\t${copyValue(s.modelVersion)}\n`;
            bytes += Buffer.byteLength(lines[i]);
          }
          const buf = Buffer.allocUnsafe(bytes);
          let at = 0;
          for (const line of lines) at += buf.write(line, at);
          yield buf;
        }
      })(),
      // one chunk waits while PostgreSQL parses the last (Node's default read-ahead of 16 chunks
      // kept up to 16 of them in memory when scoring ran ahead of the COPY)
      1,
    );
    await sql`ANALYZE risk_stage`.execute(k);
  }

  /**
   * Sets the staged bands from thresholds found after staging (the default model's score
   * distribution). Scores are staged as `real` and thresholds are two-decimal numbers: both are
   * compared as numeric, so a score equal to a threshold is at or above it as in `bandOf`.
   */
  async rebandStaged(tx: Tx, bands: BandThresholds): Promise<void> {
    await sql`
      UPDATE risk_stage s SET band = x.band
        FROM (SELECT customer_id, CASE WHEN score::numeric >= ${bands.critical}::numeric THEN 'critical'
                                       WHEN score::numeric >= ${bands.high}::numeric THEN 'high'
                                       WHEN score::numeric >= ${bands.medium}::numeric THEN 'medium'
                                       ELSE 'low' END AS band
                FROM risk_stage) x
       WHERE x.customer_id = s.customer_id AND x.band <> s.band`.execute(db(tx));
  }

  /** Staged customers entering high/critical (call before {@link applyStagedScores}). */
  async enteringHighBands(tx: Tx, high: Band[]): Promise<Entering[]> {
    const { rows } = await sql<Omit<Entering, 'factors'> & { factorsText: string }>`
      SELECT s.customer_id::text AS "customerId", s.score, s.band, s.factors::text AS "factorsText"
        FROM risk_stage s LEFT JOIN risk_scores r ON r.customer_id = s.customer_id
       WHERE s.band = ANY(${high}::text[]) AND (r.band IS NULL OR NOT r.band = ANY(${high}::text[]))`.execute(
      db(tx),
    );
    return rows.map(({ factorsText, ...r }) => ({
      ...r,
      factors: parseJson<FactorValue[]>(factorsText),
    }));
  }

  /**
   * History for band changes, first scores and moves of at least `step` points, then one upsert
   * from the staging table. Returns how many customers changed band.
   */
  async applyStagedScores(tx: Tx, step: number): Promise<number> {
    const k = db(tx);
    const { rows } = await sql<{ changes: number }>`
      WITH h AS (
        INSERT INTO risk_score_history (customer_id, score, band, previous_band, model_version)
        SELECT s.customer_id, s.score, s.band, r.band, s.model_version
          FROM risk_stage s LEFT JOIN risk_scores r ON r.customer_id = s.customer_id
         WHERE r.customer_id IS NULL OR r.band <> s.band OR abs(r.score - s.score) >= ${step}
        RETURNING previous_band, band)
      SELECT count(*) FILTER (WHERE previous_band IS NOT NULL AND previous_band <> band)::int AS changes
        FROM h`.execute(k);
    // revenue at risk and expected value at risk from the same joins, instead of the per-row
    // triggers (both skip themselves under this setting, so both columns are written here)
    await sql`SET LOCAL staydesk.scores_with_revenue = 'on'`.execute(k);
    // customers already scored by an UPDATE, the new ones by the upsert: an INSERT … ON CONFLICT
    // of everyone ran the insert trigger (risk_scores_first_base, PL/pgSQL) and a conflict check
    // for each of the 75k rows (−25 % PostgreSQL CPU for this statement)
    await sql`
      WITH u AS (
        UPDATE risk_scores r SET
          score = s.score, factors = s.factors, model_version = s.model_version, computed_at = now(),
          revenue_at_risk = s.score::float8 * c.mrr::float8 / 100,
          expected_value_at_risk = s.score::float8 * v.expected::float8 / 100,
          band_since = CASE WHEN r.band = s.band THEN r.band_since ELSE now() END, band = s.band
          FROM risk_stage s JOIN customers c ON c.id = s.customer_id
          LEFT JOIN customer_values v ON v.customer_id = s.customer_id
         WHERE r.customer_id = s.customer_id
        RETURNING r.customer_id)
      INSERT INTO risk_scores (customer_id, score, band, factors, model_version, computed_at, band_since,
                               revenue_at_risk, expected_value_at_risk)
      SELECT s.customer_id, s.score, s.band, s.factors, s.model_version, now(), now(),
             s.score::float8 * c.mrr::float8 / 100, s.score::float8 * v.expected::float8 / 100
        FROM risk_stage s JOIN customers c ON c.id = s.customer_id
        LEFT JOIN customer_values v ON v.customer_id = s.customer_id
       WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.customer_id = s.customer_id)
      ON CONFLICT (customer_id) DO UPDATE SET
        score = EXCLUDED.score, factors = EXCLUDED.factors, model_version = EXCLUDED.model_version,
        computed_at = EXCLUDED.computed_at, revenue_at_risk = EXCLUDED.revenue_at_risk,
        expected_value_at_risk = EXCLUDED.expected_value_at_risk,
        band_since = CASE WHEN risk_scores.band = EXCLUDED.band THEN risk_scores.band_since ELSE now() END,
        band = EXCLUDED.band`.execute(k);
    await sql`SET LOCAL staydesk.scores_with_revenue = 'off'`.execute(k);
    return rows[0].changes;
  }

  /** Bulk upsert of scores; band_since moves only when the band changes. */
  async upsertScores(tx: Tx, rows: ScoreWrite[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      INSERT INTO risk_scores (customer_id, score, band, factors, model_version, computed_at, band_since)
      SELECT v.customer_id, v.score, v.band, v.factors, v.model_version, now(), now()
        FROM unnest(${rows.map((r) => r.customerId)}::bigint[], ${rows.map((r) => r.score)}::real[],
                    ${rows.map((r) => r.band)}::text[], ${rows.map((r) => JSON.stringify(r.factors))}::jsonb[],
                    ${rows.map((r) => r.modelVersion)}::text[])
             AS v(customer_id, score, band, factors, model_version)
      ON CONFLICT (customer_id) DO UPDATE SET
        score = EXCLUDED.score, factors = EXCLUDED.factors, model_version = EXCLUDED.model_version,
        computed_at = EXCLUDED.computed_at,
        band_since = CASE WHEN risk_scores.band = EXCLUDED.band THEN risk_scores.band_since ELSE now() END,
        band = EXCLUDED.band`.execute(db(tx));
  }

  /**
   * Expected value at risk (expected lifetime value × score ÷ 100) of every scored customer with
   * a stored value, after the value job recomputed them (libs/value), in one statement in the
   * caller's transaction; rows already right are left alone.
   */
  async refreshExpectedValueAtRisk(tx: Tx): Promise<void> {
    await sql`
      UPDATE risk_scores r SET expected_value_at_risk = r.score::float8 * v.expected::float8 / 100
        FROM customer_values v
       WHERE v.customer_id = r.customer_id
         AND r.expected_value_at_risk IS DISTINCT FROM r.score::float8 * v.expected::float8 / 100`.execute(
      db(tx),
    );
  }

  async insertHistory(tx: Tx, rows: ScoreWrite[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      INSERT INTO risk_score_history (customer_id, score, band, previous_band, model_version)
      SELECT * FROM unnest(${rows.map((r) => r.customerId)}::bigint[], ${rows.map((r) => r.score)}::real[],
                           ${rows.map((r) => r.band)}::text[], ${rows.map((r) => r.previousBand)}::text[],
                           ${rows.map((r) => r.modelVersion)}::text[])`.execute(db(tx));
  }

  /** History points recorded before `at` (the backfill refuses to run over existing history). */
  async historyBefore(tx: Tx, at: Date): Promise<number> {
    const r = await db(tx)
      .selectFrom('riskScoreHistory')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('riskScoreHistory.computedAt', '<', at)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** History points with their own times (the demo backfill), one `unnest` insert. */
  async insertHistoryAt(
    tx: Tx,
    points: {
      customerId: string;
      score: number;
      band: Band;
      previousBand: Band | null;
      modelVersion: string;
      at: Date;
    }[],
  ): Promise<void> {
    if (points.length === 0) return;
    await sql`
      INSERT INTO risk_score_history (customer_id, score, band, previous_band, model_version, computed_at)
      SELECT * FROM unnest(${points.map((p) => p.customerId)}::bigint[], ${points.map((p) => p.score)}::real[],
                           ${points.map((p) => p.band)}::text[], ${points.map((p) => p.previousBand)}::text[],
                           ${points.map((p) => p.modelVersion)}::text[], ${points.map((p) => p.at)}::timestamptz[])`.execute(
      db(tx),
    );
  }

  /** Account managers (or an admin) for customers entering a high band. */
  async owners(
    tx: Tx,
    customerIds: string[],
  ): Promise<{ customerId: string; ownerId: string | null }[]> {
    const { rows } = await sql<{ customerId: string; ownerId: string | null }>`
      SELECT c.id::text AS "customerId",
             coalesce(am.id, (SELECT id FROM users WHERE role = 'admin' AND active ORDER BY id LIMIT 1))::text AS "ownerId"
        FROM customers c LEFT JOIN users am ON am.id = c.account_manager_id AND am.active
       WHERE c.id = ANY(${customerIds}::bigint[])`.execute(db(tx));
    return rows;
  }

  async activeCustomerIds(tx: Tx): Promise<string[]> {
    const rows = await db(tx)
      .selectFrom('customers')
      .select('customers.id')
      .where('customers.status', '=', 'active')
      .orderBy('customers.id')
      .execute();
    return rows.map((r) => r.id);
  }

  async byCustomerIds(tx: Tx, ids: readonly string[]): Promise<RiskRow[]> {
    const { rows } = await sql<Omit<RiskRow, 'factors'> & { factorsText: string }>`
      SELECT customer_id::text AS "customerId", score, band, factors::text AS "factorsText",
             model_version AS "modelVersion", computed_at AS "computedAt", band_since AS "bandSince"
        FROM risk_scores WHERE customer_id = ANY(${ids}::bigint[])`.execute(db(tx));
    return rows.map(({ factorsText, ...r }) => ({
      ...r,
      factors: parseJson<FactorValue[]>(factorsText),
    }));
  }

  async history(tx: Tx, customerIds: readonly string[], since: Date): Promise<HistoryRow[]> {
    const { rows } = await sql<HistoryRow>`
      SELECT customer_id::text AS "customerId", score, band, previous_band AS "previousBand",
             model_version AS "modelVersion", computed_at AS "computedAt"
        FROM risk_score_history WHERE customer_id = ANY(${customerIds}::bigint[]) AND computed_at >= ${since}
       ORDER BY customer_id, computed_at`.execute(db(tx));
    return rows;
  }

  /** Score change over `days`: now minus the last recorded score before the window (per customer). */
  async trends(
    tx: Tx,
    customerIds: readonly string[],
    days: number,
  ): Promise<{ customerId: string; trend: number | null }[]> {
    const { rows } = await sql<{ customerId: string; trend: number | null }>`
      SELECT r.customer_id::text AS "customerId", (r.score - h.score)::float8 AS trend
        FROM risk_scores r
        LEFT JOIN LATERAL (
          SELECT score FROM risk_score_history x
           WHERE x.customer_id = r.customer_id AND x.computed_at <= now() - make_interval(days => ${days})
           ORDER BY x.computed_at DESC LIMIT 1) h ON true
       WHERE r.customer_id = ANY(${customerIds}::bigint[])`.execute(db(tx));
    return rows;
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
    const { rows } = await sql<{ id: string; before: boolean; after: boolean }>`
      WITH contact AS (
        SELECT customer_id, created_at AS at FROM tickets
         WHERE created_at > ${cutoff}::timestamptz - make_interval(days => ${days}) AND created_at <= ${end}::timestamptz
        UNION ALL
        SELECT t.customer_id, m.created_at FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
         WHERE m.kind = 'customer_message'
           AND m.created_at > ${cutoff}::timestamptz - make_interval(days => ${days}) AND m.created_at <= ${end}::timestamptz)
      SELECT customer_id::text AS id, bool_or(at <= ${cutoff}::timestamptz) AS before,
             bool_or(at > ${cutoff}::timestamptz) AS after
        FROM contact GROUP BY customer_id`.execute(db(tx));
    return new Map(rows.map((r) => [r.id, { before: r.before, after: r.after }]));
  }

  /** Customers who churned in (from, to], from customer_status_changes (the ground truth). */
  async churnedBetween(tx: Tx, from: Date, to: Date): Promise<Set<string>> {
    const rows = await db(tx)
      .selectFrom('customerStatusChanges')
      .select('customerStatusChanges.customerId')
      .distinct()
      .where('customerStatusChanges.toStatus', '=', 'churned')
      .where('customerStatusChanges.changedAt', '>', from)
      .where('customerStatusChanges.changedAt', '<=', to)
      .execute();
    return new Set(rows.map((r) => r.customerId));
  }

  /**
   * One rescore of each customer at a time (transaction-scoped advisory locks, waits), taken in
   * one order whoever asks, so two rescores of overlapping sets cannot deadlock.
   */
  async lockRescores(tx: Tx, customerIds: readonly string[]): Promise<void> {
    await sql`
      SELECT count(pg_advisory_xact_lock(hashtextextended('risk.rescore:' || id, 0)))
        FROM (SELECT DISTINCT id FROM unnest(${customerIds}::text[]) id ORDER BY id) ids`.execute(
      db(tx),
    );
  }
}
