import { Client } from 'pg';
import type { Tx } from '@staydesk/core';

/**
 * What the risk CLIs (risk:backtest, risk:fit) share: one client on the database, for one
 * snapshot transaction, and the `Tx` the risk library's queries run on over it.
 */
export async function connectSnapshot(url: string): Promise<{ client: Client; tx: Tx }> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  const tx: Tx = {
    query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows,
  } as Tx;
  return { client, tx };
}
