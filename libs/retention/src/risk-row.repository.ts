import { Injectable } from '@nestjs/common';
import { Tx } from '@staydesk/core';

/** A recorded score of one customer (risk_score_history), for the risk list's sparklines. */
export interface RowHistoryPoint {
  customerId: string;
  score: number;
  band: string;
  previousBand: string | null;
  modelVersion: string;
  computedAt: Date;
}

/**
 * Batch reads behind the risk list's per-row extras (sparkline history, last contact): one query
 * per page of rows, each keyed by customer id (risk-row.loaders.ts).
 */
@Injectable()
export class RiskRowRepository {
  /** Recorded scores since `since` of the given customers, oldest first per customer. */
  async history(tx: Tx, customerIds: readonly string[], since: Date): Promise<RowHistoryPoint[]> {
    return tx.query(
      `SELECT customer_id::text AS "customerId", score::float8 AS score, band,
              previous_band AS "previousBand", model_version AS "modelVersion",
              computed_at AS "computedAt"
         FROM risk_score_history
        WHERE customer_id = ANY($1::bigint[]) AND computed_at >= $2
        ORDER BY customer_id, computed_at`,
      [customerIds, since],
    );
  }

  /**
   * Last contact per customer: the latest of a ticket opened, a message on one of its tickets
   * (tickets.last_message_at, either direction) and a completed follow-up (an outreach logged).
   */
  async lastContact(
    tx: Tx,
    customerIds: readonly string[],
  ): Promise<{ customerId: string; at: Date | null }[]> {
    return tx.query(
      `SELECT c.id::text AS "customerId",
              greatest(
                (SELECT max(greatest(t.created_at, t.last_message_at)) FROM tickets t WHERE t.customer_id = c.id),
                (SELECT max(f.completed_at) FROM follow_ups f WHERE f.customer_id = c.id AND f.status = 'done')
              ) AS at
         FROM customers c WHERE c.id = ANY($1::bigint[])`,
      [customerIds],
    );
  }
}
