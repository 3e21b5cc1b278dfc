import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The risk list by score change (issue #19): each customer's score `changeDays` ago is two
 * index probes of its history (the last entry at or before the moment, else the first after it).
 * Covering the score makes them index-only, so 100k customers read no history heap pages.
 */
export class RiskHistoryCovering1765700100000 implements MigrationInterface {
  name = 'RiskHistoryCovering1765700100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX risk_score_history_customer_score_idx
         ON risk_score_history (customer_id, computed_at) INCLUDE (score)`,
    );
    // the older index on the same key without the score is now redundant
    await q.query(`DROP INDEX IF EXISTS risk_score_history_customer_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX risk_score_history_customer_idx ON risk_score_history (customer_id, computed_at)`,
    );
    await q.query(`DROP INDEX risk_score_history_customer_score_idx`);
  }
}
