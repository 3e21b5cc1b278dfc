import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The e-mail channel: human ticket numbers (a sequence, backfilled in id order from 1001), the
 * raw inbound mail (stored before the receiver answers 250, unique per Message-ID), the mail
 * envelope of each conversation message (Message-ID, threading headers, send status), per-team
 * sender identity, bouncing contact addresses, per-user notification switches, and the history
 * event types of the channel (auto-close, bounces, linked tickets).
 */
export class EmailChannel1764300000000 implements MigrationInterface {
  name = 'EmailChannel1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE ticket_number_seq AS integer START 1001`);
    await q.query(`ALTER TABLE tickets ADD COLUMN number integer`);
    await q.query(`
      UPDATE tickets t SET number = 1000 + s.n
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM tickets) s
       WHERE t.id = s.id`);
    await q.query(
      `SELECT setval('ticket_number_seq', coalesce((SELECT max(number) FROM tickets), 1000) + 1, false)`,
    );
    await q.query(`
      ALTER TABLE tickets
        ALTER COLUMN number SET DEFAULT nextval('ticket_number_seq'),
        ALTER COLUMN number SET NOT NULL`);
    await q.query(`ALTER SEQUENCE ticket_number_seq OWNED BY tickets.number`);
    await q.query(`CREATE UNIQUE INDEX tickets_number_key ON tickets (number)`);

    await q.query(`
      ALTER TABLE ticket_events DROP CONSTRAINT ticket_events_type_check,
        ADD CONSTRAINT ticket_events_type_check CHECK (type IN (
          'created', 'status_changed', 'assignee_changed', 'team_changed', 'priority_changed',
          'subject_changed', 'tags_changed', 'first_response', 'sla_breached',
          'auto_closed', 'mail_bounced', 'mail_failed', 'linked_from'))`);

    await q.query(`
      CREATE TABLE inbound_mails (
        id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        message_id        text NOT NULL,
        source            text NOT NULL CHECK (source IN ('smtp', 'imap')),
        mail_from         text,
        rcpt_to           text[] NOT NULL DEFAULT '{}',
        raw               bytea NOT NULL,
        size              integer NOT NULL,
        status            text NOT NULL DEFAULT 'received'
                            CHECK (status IN ('received', 'processed', 'ignored', 'failed')),
        outcome           text,
        ticket_id         bigint REFERENCES tickets (id),
        ticket_message_id bigint REFERENCES ticket_messages (id),
        error             text,
        received_at       timestamptz NOT NULL DEFAULT now(),
        processed_at      timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX inbound_mails_message_id_key ON inbound_mails (message_id)`);
    await q.query(
      `CREATE INDEX inbound_mails_pending_idx ON inbound_mails (received_at) WHERE status = 'received'`,
    );
    await q.query(`CREATE INDEX inbound_mails_ticket_idx ON inbound_mails (ticket_id)`);

    await q.query(`
      CREATE TABLE message_mail (
        ticket_message_id bigint PRIMARY KEY REFERENCES ticket_messages (id),
        direction         text NOT NULL CHECK (direction IN ('in', 'out')),
        message_id        text NOT NULL,
        in_reply_to       text,
        refs              text[] NOT NULL DEFAULT '{}',
        from_address      text,
        to_addresses      text[] NOT NULL DEFAULT '{}',
        cc_addresses      text[] NOT NULL DEFAULT '{}',
        status            text NOT NULL CHECK (status IN ('received', 'queued', 'sent', 'failed')),
        error             text,
        sent_at           timestamptz,
        html              text,
        full_text         text,
        inbound_mail_id   bigint REFERENCES inbound_mails (id)
      )`);
    await q.query(`CREATE UNIQUE INDEX message_mail_message_id_key ON message_mail (message_id)`);

    await q.query(`
      ALTER TABLE contacts ADD COLUMN email_bouncing_at timestamptz,
        ADD COLUMN email_bounce_reason text`);
    await q.query(`
      ALTER TABLE teams ADD COLUMN mail_from_name text, ADD COLUMN mail_from_address text,
        ADD COLUMN mail_signature text`);
    await q.query(`
      ALTER TABLE users ADD COLUMN notify_assigned boolean NOT NULL DEFAULT true,
        ADD COLUMN notify_customer_reply boolean NOT NULL DEFAULT true,
        ADD COLUMN notify_sla_warning boolean NOT NULL DEFAULT true`);
    await q.query(`
      CREATE TABLE mail_notifications (
        key       text PRIMARY KEY,
        recipient text NOT NULL,
        sent_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX mail_notifications_recipient_idx ON mail_notifications (lower(recipient), sent_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mail_notifications`);
    await q.query(`
      ALTER TABLE users DROP COLUMN notify_assigned, DROP COLUMN notify_customer_reply,
        DROP COLUMN notify_sla_warning`);
    await q.query(
      `ALTER TABLE teams DROP COLUMN mail_from_name, DROP COLUMN mail_from_address, DROP COLUMN mail_signature`,
    );
    await q.query(
      `ALTER TABLE contacts DROP COLUMN email_bouncing_at, DROP COLUMN email_bounce_reason`,
    );
    await q.query(`DROP TABLE message_mail`);
    await q.query(`DROP TABLE inbound_mails`);
    await q.query(
      `DELETE FROM ticket_events WHERE type IN ('auto_closed', 'mail_bounced', 'mail_failed', 'linked_from')`,
    );
    await q.query(`
      ALTER TABLE ticket_events DROP CONSTRAINT ticket_events_type_check,
        ADD CONSTRAINT ticket_events_type_check CHECK (type IN (
          'created', 'status_changed', 'assignee_changed', 'team_changed', 'priority_changed',
          'subject_changed', 'tags_changed', 'first_response', 'sla_breached'))`);
    await q.query(`DROP INDEX tickets_number_key`);
    await q.query(`ALTER TABLE tickets DROP COLUMN number`);
  }
}
