import type { Tx } from '@staydesk/core';
import { churnProbability } from '@staydesk/simulation';
import { BacktestInputError, parseWindow } from '@staydesk/risk';
import type { BacktestWindow } from '@staydesk/risk';
import type { RawFeatures } from '@staydesk/risk';
import { RiskRepository } from '@staydesk/risk';

/**
 * What counts as churn in a backtest or a fit:
 * - `status`: a change to "churned" in customer_status_changes within the window (the default);
 * - `dormant`: for histories without churn marks (an imported helpdesk log): among the customers
 *   in touch (a ticket or a customer message) in the `dormantDays` before the cut-off, those with
 *   no ticket and no message in the `dormantDays` after it. The window is then (cut-off,
 *   cut-off + dormantDays].
 */
export type ChurnDefinition = { kind: 'status' } | { kind: 'dormant'; dormantDays: number };

/** `--churn status|dormant` and `--dormant-days N` (default 180) → a ChurnDefinition. */
export function parseChurn(kind: string | undefined, days: string | undefined): ChurnDefinition {
  if (kind === undefined || kind === 'status') {
    if (days !== undefined) throw new BacktestInputError('--dormant-days needs --churn dormant');
    return { kind: 'status' };
  }
  if (kind !== 'dormant') {
    throw new BacktestInputError(`--churn needs "status" or "dormant" (got "${kind}")`);
  }
  const text = days ?? '180';
  if (!/^\d+$/.test(text) || Number(text) < 7 || Number(text) > 3650) {
    throw new BacktestInputError(
      `--dormant-days needs a whole number of days from 7 to 3650 (got "${text}")`,
    );
  }
  return { kind: 'dormant', dormantDays: Number(text) };
}

/** The flags of the window and the churn definition (risk:backtest, risk:fit), for `cliArgs`. */
export const WINDOW_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  cutoff: { type: 'string' },
  horizon: { type: 'string' },
  churn: { type: 'string' },
  'dormant-days': { type: 'string' },
} as const;

/**
 * The churn definition and the window of a backtest or a fit, from their flags: with `--churn
 * dormant` the window is the dormant days after the cut-off (so no `--horizon`).
 */
export function churnAndWindow(
  flags: { cutoff?: string; horizon?: string; churn?: string; 'dormant-days'?: string },
  now: Date,
): { churn: ChurnDefinition; window: BacktestWindow } {
  const churn = parseChurn(flags.churn, flags['dormant-days']);
  if (churn.kind === 'dormant' && flags.horizon !== undefined) {
    throw new BacktestInputError(
      '--churn dormant sets the window to --dormant-days; drop --horizon',
    );
  }
  const days = churn.kind === 'dormant' ? String(churn.dormantDays) : flags.horizon;
  return { churn, window: parseWindow(flags.cutoff, days, now) };
}

export const describeChurn = (c: ChurnDefinition) =>
  c.kind === 'status'
    ? 'churn = marked churned in the window'
    : `churn = in touch in the ${c.dormantDays} days before the cut-off, silent (no ticket, no message) in the ${c.dormantDays} days after`;

/** The customers to score at the cut-off (features as known then) and who of them churned. */
export async function cohort(
  tx: Tx,
  window: BacktestWindow,
  churn: ChurnDefinition,
): Promise<{ features: RawFeatures[]; churned: Set<string> }> {
  const repo = new RiskRepository();
  let features = await repo.features(tx, window.cutoff, null, false);
  let churned: Set<string>;
  if (churn.kind === 'status') {
    churned = await repo.churnedBetween(tx, window.cutoff, window.end);
  } else {
    const contact = await repo.contactAround(tx, window.cutoff, window.end, churn.dormantDays);
    features = features.filter((f) => contact.get(f.customerId)?.before === true);
    churned = new Set(
      features.filter((f) => !contact.get(f.customerId)!.after).map((f) => f.customerId),
    );
  }
  if (features.length === 0) {
    throw new BacktestInputError(
      `no customers were active at ${window.cutoff.toISOString()}${churn.kind === 'dormant' ? ` with contact in the ${churn.dormantDays} days before` : ''}: nothing to evaluate; pick a later --cutoff`,
    );
  }
  return { features, churned };
}

/**
 * The simulation's oracle (libs/simulation writes simulation_oracle; no production code reads
 * it): each customer's true probability of churning in the window, or null when the database
 * holds no oracle for every customer scored (a real tenant's history).
 */
export async function oracleProbabilities(
  tx: Tx,
  window: BacktestWindow,
  customerIds: readonly string[],
): Promise<Map<string, number> | null> {
  const exists: { t: string | null }[] = await tx.query(
    `SELECT to_regclass('simulation_oracle')::text AS t`,
  );
  if (!exists[0]?.t) return null;
  const rows: { id: string; h: number; from: Date }[] = await tx.query(
    `SELECT customer_id::text AS id, monthly_hazard AS h, hazard_from AS "from"
       FROM simulation_oracle WHERE customer_id = ANY($1::bigint[])`,
    [customerIds],
  );
  if (rows.length < customerIds.length) return null;
  return new Map(
    rows.map((r) => [
      r.id,
      churnProbability(r.h, r.from.getTime(), window.cutoff.getTime(), window.end.getTime()),
    ]),
  );
}
