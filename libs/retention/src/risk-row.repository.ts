import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Tx, db } from '@staydesk/core';

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
 * per page of rows, each keyed by customer id (risk-row.loaders.ts). Written with the typed query
 * builder over `db(tx)` (decision 46).
 */
@Injectable()
export class RiskRowRepository {
  /** Recorded scores since `since` of the given customers, oldest first per customer. */
  async history(tx: Tx, customerIds: readonly string[], since: Date): Promise<RowHistoryPoint[]> {
    return db(tx)
      .selectFrom('riskScoreHistory')
      .select((eb) => [
        'riskScoreHistory.customerId',
        // float8 as before: the real column would read back with float4's shortest digits
        sql<number>`${eb.ref('riskScoreHistory.score')}::float8`.as('score'),
        'riskScoreHistory.band',
        'riskScoreHistory.previousBand',
        'riskScoreHistory.modelVersion',
        'riskScoreHistory.computedAt',
      ])
      .where('riskScoreHistory.customerId', '=', sql<string>`any(${[...customerIds]}::bigint[])`)
      .where('riskScoreHistory.computedAt', '>=', since)
      .orderBy('riskScoreHistory.customerId')
      .orderBy('riskScoreHistory.computedAt')
      .execute();
  }

  /**
   * Last contact per customer: the latest of a ticket opened, a message on one of its tickets
   * (tickets.last_message_at, either direction) and a completed follow-up (an outreach logged).
   */
  async lastContact(
    tx: Tx,
    customerIds: readonly string[],
  ): Promise<{ customerId: string; at: Date | null }[]> {
    return db(tx)
      .selectFrom('customers')
      .select((eb) => [
        'customers.id as customerId',
        eb
          .fn<Date | null>('greatest', [
            eb
              .selectFrom('tickets')
              .select((t) =>
                t.fn
                  .max<Date | null>(
                    t.fn('greatest', ['tickets.createdAt', 'tickets.lastMessageAt']),
                  )
                  .as('at'),
              )
              .whereRef('tickets.customerId', '=', 'customers.id'),
            eb
              .selectFrom('followUps')
              .select((f) => f.fn.max('followUps.completedAt').as('at'))
              .whereRef('followUps.customerId', '=', 'customers.id')
              .where('followUps.status', '=', 'done'),
          ])
          .as('at'),
      ])
      .where('customers.id', '=', sql<string>`any(${[...customerIds]}::bigint[])`)
      .execute();
  }
}
