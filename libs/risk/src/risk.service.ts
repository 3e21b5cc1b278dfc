import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, AppConfig, TransactionRunner, Tx, notFound } from '@staydesk/core';
import { FollowUpsService } from '@staydesk/followups';
import { validateId } from '@staydesk/identity';
import {
  Band,
  BandThresholds,
  DEFAULT_MODEL,
  DISTRIBUTION_BANDS_MIN_CUSTOMERS,
  RiskModel,
  Score,
  bandsInForce,
  quantileBands,
  scoreCustomer,
  withOverrides,
} from './risk-model';
import { joinMessageFeatures } from './risk-features';
import { Entering, PeerMedian, RawFeatures, RiskRepository, ScoreWrite } from './risk.repository';

/**
 * Customers scored per COPY chunk of the full rescore: small enough that a chunk's scores and
 * factor objects die young (~0.7 MB of COPY text at 250), large enough that the per-chunk turn
 * of the event loop costs nothing.
 */
const CHUNK = 250;
const HIGH: Band[] = ['high', 'critical'];
/** A history point is kept when the band changes or the score moves at least this much. */
const HISTORY_STEP = 5;
/**
 * The score-change window whose base the full rescore materializes (the risk list's default
 * `changeDays`, DEFAULT_CHANGE_DAYS in libs/retention); other windows read the history.
 */
export const SCORE_CHANGE_BASE_DAYS = 30;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface RescoreResult {
  customers: number;
  bandChanges: number;
  followUps: number;
  /** Customers whose materialized score-change base moved (risk_scores.base_score). */
  baseChanged: number;
  /** The model that scored (a fitted model's version, or default-v2). */
  modelVersion: string;
  featureMs: number;
  /** Scoring and streaming the scores into the staging table (COPY), after the features. */
  stageMs: number;
  /** History, follow-ups for customers entering high/critical, and the upsert. */
  applyMs: number;
  /** The score-change base (a second transaction). */
  baseMs: number;
  totalMs: number;
}

/** What {@link RiskService.rescoreCustomers} did: the scores of the customers scored (active ones). */
export interface CustomersRescored {
  scores: Map<string, Score>;
  bandChanges: number;
  followUps: number;
}

/**
 * Churn risk: features (SQL) → score (pure function) → bulk upsert, history on band changes and
 * big moves, and an `at_risk_outreach` follow-up for the account manager whenever a customer
 * enters high/critical from a lower band (once per entry, not per rescore).
 */
@Injectable()
export class RiskService implements OnModuleInit {
  private model: RiskModel = DEFAULT_MODEL;
  /** The default model's bands from the tenant's score distribution (see bandsInForce). */
  private distribution: BandThresholds | null = null;
  private median: { hours: number | null; at: number } | null = null;
  private peers: { rows: PeerMedian[]; at: number } | null = null;

  constructor(
    private readonly repo: RiskRepository,
    private readonly tx: TransactionRunner,
    private readonly followUps: FollowUpsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(RiskService.name) private readonly logger: PinoLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reloadModel();
  }

  /** The active model: a fitted one activated in `risk_models`, else the defaults, plus config overrides. */
  async reloadModel(): Promise<RiskModel> {
    const stored = await this.repo.activeModel(this.tx.db).catch(() => null);
    const base: RiskModel = stored
      ? {
          version: stored.version,
          intercept: stored.intercept,
          weights: { ...DEFAULT_MODEL.weights, ...stored.weights },
          bands: stored.bands ?? null,
        }
      : DEFAULT_MODEL;
    const { intercept, ...weights } = this.config.risk.weights;
    this.model = withOverrides(base, weights, intercept);
    this.distribution = await this.repo
      .distributionBands(this.tx.db, this.model.version)
      .catch(() => null);
    return this.model;
  }

  get activeModel(): RiskModel {
    return this.model;
  }

  /** The band thresholds in force for the active model (docs/risk-model.md, "Bands"). */
  get bands(): BandThresholds {
    const { bands, bandsFixed } = this.config.risk;
    return bandsInForce(this.model, bands, bandsFixed, this.distribution);
  }

  score(features: RawFeatures): Score {
    return scoreCustomer(features, this.model, this.bands);
  }

  /** Rescore one customer (scripts, tests; the relay's jobs rescore windows). Churned customers are left alone. */
  async rescoreCustomer(customerId: string): Promise<Score | null> {
    validateId(customerId, 'customerId');
    return (await this.rescoreCustomers([customerId])).scores.get(customerId) ?? null;
  }

  /**
   * Rescore some customers together, in one transaction (the debounced window job hands in a
   * chunk of its window's customers): one feature query for all of them (the feature SQL's
   * customer subset, with the cached overall and peer medians), then the same set-based writes
   * as a single customer's rescore: score, band, factors, history, and an outreach follow-up for
   * each customer entering high/critical. Customers not active are skipped.
   */
  async rescoreCustomers(customerIds: readonly string[]): Promise<CustomersRescored> {
    for (const id of customerIds) validateId(id, 'customerId');
    const ids = [...new Set(customerIds)];
    if (ids.length === 0) return { scores: new Map(), bandChanges: 0, followUps: 0 };
    return this.tx.run(async (tx) => {
      // One rescore of a customer at a time: two at once (two window jobs on two workers, a
      // direct call) both saw the old band and both opened an outreach follow-up. The second
      // now waits, then reads what the first wrote. (Locks taken in one order: no deadlock.)
      await this.repo.lockRescores(tx, ids);
      const features = await this.repo.features(
        tx,
        new Date(),
        ids,
        true,
        await this.globalMedian(tx),
        await this.peerMedians(tx),
      );
      const scores = features.map((f) => ({ customerId: f.customerId, ...this.score(f) }));
      const written = await this.write(tx, scores);
      return {
        scores: new Map(scores.map(({ customerId, ...s }) => [customerId, s])),
        ...written,
      };
    });
  }

  /**
   * Rescore every active customer in one transaction: one set-based feature query; scores streamed
   * into a staging table with COPY while the next chunk is scored (node and PostgreSQL work side
   * by side); then set-based history, follow-ups for customers entering high/critical, and one
   * upsert. (Chunked `INSERT … unnest` of the factor JSON took ~25 s for 94k customers; see
   * docs/benchmarks.md.)
   */
  async rescoreAll(): Promise<RescoreResult> {
    const started = performance.now();
    let featureMs = 0;
    let stageMs = 0;
    let applyMs = 0;
    const modelVersion = this.model.version;
    const result = await this.tx.run(async (tx) => {
      const features = await this.featuresOfEveryone(tx, new Date());
      featureMs = Math.round(performance.now() - started);
      // One scoring pass: scores are streamed with the bands in force; when the bands follow
      // this run's distribution they are set afterwards in the staging table (a second pass
      // over 75k customers cost seconds).
      const score = (f: RawFeatures) => this.score(f);
      const scores: number[] = new Array<number>(features.length);
      await this.repo.stageScores(
        tx,
        (async function* () {
          for (let i = 0; i < features.length; i += CHUNK) {
            const chunk = features.slice(i, i + CHUNK).map((f, k) => {
              const s = score(f);
              scores[i + k] = s.score;
              return { customerId: f.customerId, ...s };
            });
            features.fill(null as unknown as RawFeatures, i, i + CHUNK); // let them go
            yield chunk;
            await yieldToLoop(); // keep the job's lock renewed on big runs
          }
        })(),
      );
      await this.refreshDistributionBands(tx, scores);
      stageMs = Math.round(performance.now() - started) - featureMs;
      const entering = await this.repo.enteringHighBands(tx, HIGH);
      await this.openOutreach(tx, entering);
      const bandChanges = await this.repo.applyStagedScores(tx, HISTORY_STEP);
      applyMs = Math.round(performance.now() - started) - featureMs - stageMs;
      return { customers: features.length, bandChanges, followUps: entering.length };
    });
    // the risk list's score change reads the base of the default window from risk_scores
    const baseStarted = performance.now();
    const baseChanged = await this.tx.run((tx) =>
      this.repo.refreshChangeBase(tx, SCORE_CHANGE_BASE_DAYS),
    );
    const done = {
      ...result,
      baseChanged,
      modelVersion,
      featureMs,
      stageMs,
      applyMs,
      baseMs: Math.round(performance.now() - baseStarted),
      totalMs: Math.round(performance.now() - started),
    };
    this.logger.info(done, 'full risk rescoring done');
    return done;
  }

  /**
   * Every active customer's features as of `asOf` for the full rescore: the feature query in two
   * halves on two more connections at once, both in the snapshot of `tx` (so they see the same
   * data, as the one query did): the customer messages' and the surveys' features on one,
   * everything else on the other, joined here (rows as {@link RiskRepository.features} returns them). PostgreSQL runs
   * the one query on one core; the messages' half reads the year's tickets again (more CPU in
   * all) but runs beside the other. With fewer than three pooled connections, the one query.
   */
  private async featuresOfEveryone(tx: Tx, asOf: Date): Promise<RawFeatures[]> {
    if (this.config.database.poolSize < 3) return this.repo.features(tx, asOf, null, true);
    // no JIT, work_mem and the batch statement timeout for this transaction's COPY and apply too
    await this.repo.everyoneSettings(tx);
    const snapshot = await this.repo.exportSnapshot(tx);
    const inSnapshot = <T>(work: (side: Tx) => Promise<T>) =>
      this.tx.run(async (side) => {
        await this.repo.readInSnapshot(side, snapshot);
        return work(side);
      });
    // settled, not Promise.all: neither half is left running on its connection after a failure
    const [facts, others] = await Promise.allSettled([
      inSnapshot((side) => this.repo.featuresWithoutMessages(side, asOf)),
      inSnapshot(async (side) => ({
        messages: await this.repo.messageFeatures(side, asOf),
        surveys: await this.repo.surveyFeatures(side, asOf),
      })),
    ]);
    if (facts.status === 'rejected') throw facts.reason;
    if (others.status === 'rejected') throw others.reason;
    return joinMessageFeatures(facts.value, others.value.messages, others.value.surveys);
  }

  /**
   * Default model, RISK_BANDS unset, 200+ customers: the bands follow this run's score
   * distribution (the riskiest 30 / 10 / 3 %), kept for single-customer rescores until the next
   * full run: computed from the staged scores, which are then re-banded in the staging table.
   */
  private async refreshDistributionBands(tx: Tx, scores: number[]): Promise<void> {
    if (this.model.bands || this.config.risk.bandsFixed) return;
    if (scores.length < DISTRIBUTION_BANDS_MIN_CUSTOMERS) return;
    const bands = quantileBands(scores);
    if (!bands) return;
    await this.repo.saveDistributionBands(tx, this.model.version, bands, scores.length);
    await this.repo.rebandStaged(tx, bands);
    this.distribution = bands;
  }

  private async write(
    tx: Tx,
    scores: (Score & { customerId: string })[],
  ): Promise<{ bandChanges: number; followUps: number }> {
    const current = new Map(
      (
        await this.repo.currentScores(
          tx,
          scores.map((s) => s.customerId),
        )
      ).map((c) => [c.customerId, c]),
    );
    const writes: ScoreWrite[] = scores.map((s) => {
      const before = current.get(s.customerId);
      return {
        customerId: s.customerId,
        score: s.score,
        band: s.band,
        factors: s.factors,
        modelVersion: s.modelVersion,
        previousBand: before?.band ?? null,
        previousScore: before?.score ?? null,
      };
    });
    await this.repo.upsertScores(tx, writes);
    const history = writes.filter(
      (w) =>
        w.previousBand !== w.band ||
        w.previousScore === null ||
        Math.abs(w.score - w.previousScore) >= HISTORY_STEP,
    );
    await this.repo.insertHistory(tx, history);
    const entering = writes.filter(
      (w) => HIGH.includes(w.band) && !(w.previousBand && HIGH.includes(w.previousBand)),
    );
    await this.openOutreach(tx, entering);
    return {
      bandChanges: writes.filter((w) => w.previousBand !== null && w.previousBand !== w.band)
        .length,
      followUps: entering.length,
    };
  }

  /** An `at_risk_outreach` follow-up for the owner of each customer that entered high/critical. */
  private async openOutreach(tx: Tx, entering: Entering[]): Promise<void> {
    if (entering.length === 0) return;
    const owners = new Map(
      (
        await this.repo.owners(
          tx,
          entering.map((w) => w.customerId),
        )
      ).map((o) => [o.customerId, o.ownerId]),
    );
    for (const w of entering) {
      const ownerId = owners.get(w.customerId);
      if (!ownerId) continue;
      const reasons = w.factors
        .filter((f) => f.contribution > 0)
        .slice(0, 3)
        .map((f) => f.label);
      await this.followUps.openForOwner(tx, {
        customerId: w.customerId,
        ownerId,
        kind: 'at_risk_outreach',
        dueAt: new Date(Date.now() + 2 * 86_400_000),
        note: `Churn risk ${Math.round(w.score)} (${w.band}). Why: ${reasons.join('; ') || 'see the risk factors'}.`,
        createdById: null,
      });
    }
  }

  /** Median resolution times per team and priority, cached for an hour. */
  private async peerMedians(tx: Tx): Promise<PeerMedian[]> {
    if (!this.peers || Date.now() - this.peers.at > 3600_000) {
      this.peers = { rows: await this.repo.peerMedians(tx, new Date()), at: Date.now() };
    }
    return this.peers.rows;
  }

  /** The overall median resolution time, cached for an hour (the full run refreshes it too). */
  private async globalMedian(tx: Tx): Promise<number | null> {
    if (!this.median || Date.now() - this.median.at > 3600_000) {
      this.median = { hours: await this.repo.globalMedianHours(tx, new Date()), at: Date.now() };
    }
    return this.median.hours;
  }

  /**
   * Expected value at risk of every scored customer from the lifetime values just recomputed
   * (libs/value's nightly run), in the caller's transaction.
   */
  refreshExpectedValueAtRisk(tx: Tx): Promise<void> {
    return this.repo.refreshExpectedValueAtRisk(tx);
  }

  byCustomerIds(ids: readonly string[]) {
    return this.repo.byCustomerIds(this.tx.db, ids);
  }

  trends(ids: readonly string[], days = 30) {
    return this.repo.trends(this.tx.db, ids, days);
  }

  async history(customerId: string, days: number) {
    validateId(customerId, 'customerId');
    if (!Number.isInteger(days) || days < 1 || days > 3650)
      throw notFound('history window', String(days));
    return this.repo.history(this.tx.db, [customerId], new Date(Date.now() - days * 86_400_000));
  }
}
