import type { Tx } from '@staydesk/core';
import { backfillRiskHistory, type HistoryBackfillResult } from '@staydesk/risk';
import type { Db } from './rows';

/**
 * seed:demo's risk history: ~six months of fortnightly scores per customer (libs/risk
 * history-backfill.ts), in the seed's transaction, so the risk list's sparklines, score change
 * and "rising" view and the retention summary's past revenue at risk are not empty on a demo.
 */
export function backfillDemoRiskHistory(db: Db, weeks = 26): Promise<HistoryBackfillResult> {
  const tx = {
    query: async (sql: string, params?: unknown[]) => (await db.query(sql, params)).rows,
  } as Tx;
  return backfillRiskHistory(tx, { weeks });
}
