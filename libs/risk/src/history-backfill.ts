import type { Tx } from '@staydesk/core';
import { storedModel } from './backtest';
import {
  DEFAULT_BANDS,
  DEFAULT_MODEL,
  DISTRIBUTION_BANDS_MIN_CUSTOMERS,
  quantileBands,
  scoreCustomer,
  type Band,
  type RiskModel,
} from './risk-model';
import { RiskRepository } from './risk.repository';

const DAY_MS = 86_400_000;
/** The live scorer's rule (risk.service.ts): a point when the band changes or the score moves 5+. */
const HISTORY_STEP = 5;
const INSERT_CHUNK = 5000;

export interface HistoryBackfillOptions {
  /** How far back, in weeks (default 26: about six months). */
  weeks?: number;
  /** Days between cut-offs (default 14: one features query each, ~0.5 s on the demo). */
  stepDays?: number;
  now?: Date;
}

export interface HistoryBackfillResult {
  cutoffs: number;
  /** Scores computed (customers × cut-offs). */
  scored: number;
  /** History rows written. */
  points: number;
  ms: number;
}

/** A history point with its own time, as the repository writes it. */
type Point = Parameters<RiskRepository['insertHistoryAt']>[1][number];

/**
 * Demo data: the risk history a desk would have recorded had the scorer run every week. Scores
 * every customer active at each cut-off (every `stepDays` days) over the last `weeks` weeks with the features as
 * known then (the backtests' `features(…, cutoff, …, live = false)`), the active model (a stored
 * fitted one, else the defaults) and the bands of that cut-off's score distribution (the default
 * model's rule for 200+ customers, else the default thresholds), and writes risk_score_history
 * with `computed_at` = the cut-off under the live scorer's rule (first score, band change, or a
 * move of 5+ points). Sparklines, score change, the "rising" filter and the retention summary's
 * revenue at risk as of past dates (band as of a date, from this table) then have something to
 * read. The present score is the worker's (its rescore at boot); nothing here touches
 * risk_scores. Refuses to run when the table already has history older than the first cut-off's
 * week, so a rerun does not double it.
 */
export async function backfillRiskHistory(
  tx: Tx,
  options: HistoryBackfillOptions = {},
): Promise<HistoryBackfillResult> {
  const started = performance.now();
  const weeks = options.weeks ?? 26;
  if (!Number.isInteger(weeks) || weeks < 1 || weeks > 260)
    throw new Error(`weeks must be a whole number from 1 to 260 (got ${weeks})`);
  if (!Number.isInteger(options.stepDays ?? 14) || (options.stepDays ?? 14) < 1)
    throw new Error(`stepDays must be a whole number of days, at least 1`);
  const now = options.now ?? new Date();
  const repo = new RiskRepository();
  const existing = await repo.historyBefore(tx, new Date(now.getTime() - DAY_MS));
  if (existing > 0) return { cutoffs: 0, scored: 0, points: 0, ms: 0 };

  const stored = await repo.activeModel(tx).catch(() => null);
  const model: RiskModel = stored ? storedModel(stored) : DEFAULT_MODEL;
  const last = new Map<string, { score: number; band: Band }>();
  const points: Point[] = [];
  let scored = 0;
  const step = options.stepDays ?? 14;
  let cutoffs = 0;
  for (let d = weeks * 7; d >= step; d -= step) {
    cutoffs++;
    const at = new Date(now.getTime() - d * DAY_MS);
    const features = await repo.features(tx, at, null, false);
    const raw = features.map((f) => ({ id: f.customerId, s: scoreCustomer(f, model) }));
    const bands =
      model.bands ??
      (raw.length >= DISTRIBUTION_BANDS_MIN_CUSTOMERS
        ? (quantileBands(raw.map((r) => r.s.score)) ?? DEFAULT_BANDS)
        : DEFAULT_BANDS);
    for (const f of features) {
      const s = scoreCustomer(f, model, bands);
      scored++;
      const before = last.get(f.customerId);
      if (before && before.band === s.band && Math.abs(s.score - before.score) < HISTORY_STEP)
        continue;
      points.push({
        customerId: f.customerId,
        score: s.score,
        band: s.band,
        previousBand: before?.band ?? null,
        modelVersion: s.modelVersion,
        at,
      });
      last.set(f.customerId, { score: s.score, band: s.band });
    }
  }
  for (let i = 0; i < points.length; i += INSERT_CHUNK) {
    await repo.insertHistoryAt(tx, points.slice(i, i + INSERT_CHUNK));
  }
  return {
    cutoffs,
    scored,
    points: points.length,
    ms: Math.round(performance.now() - started),
  };
}
