import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Next-reply SLA target (issue #18): time to answer each new customer message.
 * - `sla_policies.next_reply_minutes`: the target (optional; null = no next-reply target);
 * - `tickets.next_reply_started_at` / `next_reply_due_at`: the running clock (both null when
 *   none runs), started by a customer message once the first response was sent, cleared by a
 *   public reply (which records `next_reply_met` / `next_reply_breached`);
 * - `tickets.next_reply_breached`: flag of the current (or last) clock, set by the SLA scan.
 * The scan reads `next_due_at`, which now includes the next-reply due time.
 */
export class NextReplySla1765800000000 implements MigrationInterface {
  name = 'NextReplySla1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE sla_policies ADD COLUMN next_reply_minutes int CHECK (next_reply_minutes > 0)`,
    );
    await q.query(`
      ALTER TABLE tickets
        ADD COLUMN next_reply_started_at timestamptz,
        ADD COLUMN next_reply_due_at timestamptz,
        ADD COLUMN next_reply_breached boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tickets DROP COLUMN next_reply_breached, DROP COLUMN next_reply_due_at,
        DROP COLUMN next_reply_started_at`);
    await q.query(`ALTER TABLE sla_policies DROP COLUMN next_reply_minutes`);
  }
}
