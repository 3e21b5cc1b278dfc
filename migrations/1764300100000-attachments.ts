import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attachments: metadata rows pointing at content-addressed blobs (sha256) in the attachment
 * store. An agent's upload has no message until a reply references it; inbound mail's
 * attachments belong to their message at once.
 */
export class Attachments1764300100000 implements MigrationInterface {
  name = 'Attachments1764300100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attachments (
        id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        sha256            text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        size              integer NOT NULL CHECK (size >= 0),
        content_type      text NOT NULL,
        declared_type     text,
        filename          text NOT NULL,
        ticket_message_id bigint REFERENCES ticket_messages (id),
        uploaded_by_id    bigint REFERENCES users (id),
        created_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX attachments_message_idx ON attachments (ticket_message_id) WHERE ticket_message_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX attachments_unlinked_idx ON attachments (uploaded_by_id, created_at) WHERE ticket_message_id IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attachments`);
  }
}
