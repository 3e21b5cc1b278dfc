import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delivery states of outgoing mail: a reply is `queued`, `sending` (the worker holds it in an
 * SMTP transaction), `sent`, `failed` (the server refused it), `bounced` (a DSN came back) or
 * `suppressed` (not sent: the address is bouncing); `status_at` says when it got there.
 * `data_sent_at` (message_mail and surveys) records that the whole message, final dot included,
 * was written to the SMTP server: a worker killed before the server's 250 is reconciled as sent
 * instead of mailing it again. `lease_until`: a worker's claim on a batch of replies (renewed
 * while it sends; an expired claim is taken over), or when a retry may start. `sending_at` on
 * surveys marks a delivery in progress.
 */
export class MailDelivery1765500000000 implements MigrationInterface {
  name = 'MailDelivery1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE message_mail DROP CONSTRAINT message_mail_status_check,
        ADD CONSTRAINT message_mail_status_check CHECK (status IN
          ('received', 'queued', 'sending', 'sent', 'failed', 'bounced', 'suppressed')),
        ADD COLUMN status_at timestamptz,
        ADD COLUMN data_sent_at timestamptz,
        ADD COLUMN lease_until timestamptz`);
    // the worker claims waiting replies in batches: only the few pending rows are indexed
    await q.query(`
      CREATE INDEX message_mail_pending_idx ON message_mail (ticket_message_id)
        WHERE status IN ('queued', 'sending')`);
    await q.query(`
      UPDATE message_mail mm SET status_at = coalesce(mm.sent_at, m.created_at)
        FROM ticket_messages m WHERE m.id = mm.ticket_message_id`);
    await q.query(`ALTER TABLE message_mail ALTER COLUMN status_at SET DEFAULT now()`);
    await q.query(`
      ALTER TABLE surveys ADD COLUMN sending_at timestamptz, ADD COLUMN data_sent_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX message_mail_pending_idx`);
    await q.query(`ALTER TABLE surveys DROP COLUMN sending_at, DROP COLUMN data_sent_at`);
    await q.query(`
      UPDATE message_mail SET status = CASE WHEN status = 'sending' THEN 'queued'
        WHEN status IN ('bounced', 'suppressed') THEN 'failed' ELSE status END`);
    await q.query(`
      ALTER TABLE message_mail DROP CONSTRAINT message_mail_status_check,
        ADD CONSTRAINT message_mail_status_check CHECK (status IN ('received', 'queued', 'sent', 'failed')),
        DROP COLUMN status_at, DROP COLUMN data_sent_at, DROP COLUMN lease_until`);
  }
}
