import type { ClientBase, Pool } from 'pg';
import type { Tx } from '@staydesk/core';
import { RebuildResult, rebuildKpiData } from './kpis.service';

/**
 * The `query` calls here are not SQL of the KPIs (decision 46's exception): they are the
 * transaction control (BEGIN/COMMIT/ROLLBACK) of a plain `pg` client and the {@link Tx} adapter
 * over it; every statement of the rebuild goes through the repository on `db(tx)`.
 *
 * Rebuilds every KPI fact and cell from scratch in one transaction, on a plain `pg` pool or
 * client: for bulk loaders (the bench data generator, the CSV importer) that write tickets
 * without going through the api. Set-based; ~minutes at 2M tickets (see docs/kpis.md).
 * `npm run kpi:rebuild` does the same from the command line.
 */
export async function rebuildKpis(db: Pool | ClientBase): Promise<RebuildResult> {
  const client =
    'connect' in db && !('release' in db) && 'totalCount' in db ? await db.connect() : db;
  const tx: Tx = {
    query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows,
  } as Tx;
  try {
    await client.query('BEGIN');
    const r = await rebuildKpiData(tx);
    await client.query('COMMIT');
    return r;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    if (client !== db) (client as { release?: () => void }).release?.();
  }
}
