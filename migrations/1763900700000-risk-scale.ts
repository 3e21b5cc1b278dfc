import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full risk rescoring at 2M tickets: the sentiment feature reads the last 90 days of customer
 * messages. This partial covering index turns a sequential scan of every message (8M rows,
 * ~1.4 GB at bench size) into an index-only range scan of the recent customer messages.
 */
export class RiskScale1763900700000 implements MigrationInterface {
  name = 'RiskScale1763900700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX ticket_messages_customer_recent_idx ON ticket_messages (created_at)
         INCLUDE (ticket_id, sentiment) WHERE kind = 'customer_message'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ticket_messages_customer_recent_idx`);
  }
}
