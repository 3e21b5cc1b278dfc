import { sql } from 'kysely';
import { Tx, db } from '@staydesk/core';

/** One MRR to record for a customer; null = not known (e.g. an import without an MRR column). */
export interface MrrEntry {
  customerId: string;
  mrr: number | null;
}

export interface MrrHistoryRow {
  id: string;
  customerId: string;
  mrr: number | null;
  effectiveFrom: Date;
  source: 'backfill' | 'app' | 'import';
  actorId: string | null;
}

/**
 * Appends to `customer_mrr_history` every entry whose MRR differs from the customer's latest
 * recorded one (or that has none yet). The first row of a customer takes effect at
 * `customer_since`, later ones now. Used by createCustomer/updateCustomer and the importer,
 * inside their transaction. A trigger then refreshes the stored expected value.
 */
export async function recordMrrHistory(
  tx: Tx,
  entries: MrrEntry[],
  source: 'app' | 'import',
  actorId: string | null,
): Promise<number> {
  if (entries.length === 0) return 0;
  // set-based (unnest): a typed SQL template (decision 46)
  const { rows } = await sql<{ one: number }>`
    INSERT INTO customer_mrr_history (customer_id, mrr, effective_from, source, actor_id)
    SELECT c.id, i.mrr, CASE WHEN last.id IS NULL THEN c.customer_since ELSE now() END, ${source}, ${actorId}::bigint
      FROM unnest(${entries.map((e) => e.customerId)}::bigint[], ${entries.map((e) => e.mrr)}::numeric[]) AS i(id, mrr)
      JOIN customers c ON c.id = i.id
      LEFT JOIN LATERAL (
        SELECT h.id, h.mrr FROM customer_mrr_history h WHERE h.customer_id = c.id
         ORDER BY h.effective_from DESC, h.id DESC LIMIT 1) last ON true
     WHERE last.id IS NULL OR last.mrr IS DISTINCT FROM i.mrr
    RETURNING 1 AS one`.execute(db(tx));
  return rows.length;
}

/** The MRR history of customers, oldest first. */
export async function mrrHistoryOf(tx: Tx, ids: readonly string[]): Promise<MrrHistoryRow[]> {
  return db(tx)
    .selectFrom('customerMrrHistory as h')
    .select((eb) => [
      'h.id',
      'h.customerId',
      sql<number | null>`${eb.ref('h.mrr')}::float8`.as('mrr'),
      'h.effectiveFrom',
      'h.source',
      'h.actorId',
    ])
    .where('h.customerId', '=', sql<string>`any(${[...ids]}::bigint[])`)
    .orderBy('h.customerId')
    .orderBy('h.effectiveFrom')
    .orderBy('h.id')
    .execute();
}

/**
 * SQL for a customer's MRR at an instant, as a number (revenue-weighted CSAT): the MRR history
 * entry in effect then, else the first entry, else the current MRR (no history); an unknown MRR
 * weighs 0. `customer` and `at` are SQL expressions.
 */
export function mrrAtSql(customer: string, at: string): string {
  return `coalesce(
  (SELECT h.mrr::float8 FROM customer_mrr_history h WHERE h.customer_id = ${customer}
    ORDER BY (h.effective_from <= ${at}) DESC,
             CASE WHEN h.effective_from <= ${at} THEN h.effective_from END DESC NULLS LAST,
             h.effective_from ASC, h.id DESC LIMIT 1),
  CASE WHEN NOT EXISTS (SELECT 1 FROM customer_mrr_history h WHERE h.customer_id = ${customer})
       THEN (SELECT cu.mrr::float8 FROM customers cu WHERE cu.id = ${customer}) END,
  0)`;
}
