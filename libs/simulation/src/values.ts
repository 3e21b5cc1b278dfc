import type { Tx } from '@staydesk/core';
import { RiskRepository } from '@staydesk/risk';
import { ValueRepository } from '@staydesk/value';
import type { Db } from './rows';

/**
 * Lifetime values and value segments of the seeded world, in the seed's transaction: the worker
 * computes them nightly, so without this a fresh demo showed "Unknown" on every customer page
 * until the next night. The expected value at risk on the risk scores follows (as the nightly
 * job does it).
 */
export async function recomputeDemoValues(db: Db, now = new Date()): Promise<void> {
  const tx = {
    query: async (sql: string, params?: unknown[]) => (await db.query(sql, params)).rows,
  } as Tx;
  await new ValueRepository().recomputeAll(tx, now);
  await new RiskRepository().refreshExpectedValueAtRisk(tx);
}
