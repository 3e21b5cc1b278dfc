import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search must not reveal the words of internal notes to people who may not read them
 * (notes of a private team). `tickets.search` now holds the subject and the public conversation
 * only; `tickets.note_search` holds the internal notes, searched only for readers of those notes.
 * Both have a GIN index, so a search is a BitmapOr of two index scans.
 *
 * Only tickets that have notes are rewritten (the others' vectors are already right).
 */
export class NoteSearch1764100000000 implements MigrationInterface {
  name = 'NoteSearch1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE tickets ADD COLUMN note_search tsvector NOT NULL DEFAULT ''::tsvector`,
    );
    await q.query(`
      UPDATE tickets t
         SET search = to_tsvector('english', t.subject) ||
               coalesce((SELECT to_tsvector('english', string_agg(m.body, ' ' ORDER BY m.id))
                           FROM ticket_messages m
                          WHERE m.ticket_id = t.id AND m.kind <> 'internal_note'), ''),
             note_search =
               coalesce((SELECT to_tsvector('english', string_agg(m.body, ' ' ORDER BY m.id))
                           FROM ticket_messages m
                          WHERE m.ticket_id = t.id AND m.kind = 'internal_note'), '')
       WHERE EXISTS (SELECT 1 FROM ticket_messages m WHERE m.ticket_id = t.id AND m.kind = 'internal_note')`);
    await q.query(`CREATE INDEX tickets_note_search_idx ON tickets USING gin (note_search)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tickets_note_search_idx`);
    await q.query(`ALTER TABLE tickets DROP COLUMN note_search`);
  }
}
