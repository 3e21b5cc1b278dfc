import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * IMAP mailboxes the worker polls: connection settings (the password encrypted with
 * MAILBOX_SECRET_KEY), and the UIDVALIDITY/UID reached, so a message is never imported twice.
 */
export class ImapMailboxes1764300200000 implements MigrationInterface {
  name = 'ImapMailboxes1764300200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mail_mailboxes (
        id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name              text NOT NULL,
        host              text NOT NULL,
        port              integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
        tls               boolean NOT NULL DEFAULT true,
        username          text NOT NULL,
        password_enc      text NOT NULL,
        folder            text NOT NULL DEFAULT 'INBOX',
        move_to           text,
        active            boolean NOT NULL DEFAULT true,
        uid_validity      text,
        last_uid          bigint NOT NULL DEFAULT 0,
        last_polled_at    timestamptz,
        last_error        text,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX mail_mailboxes_name_key ON mail_mailboxes (lower(name))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mail_mailboxes`);
  }
}
