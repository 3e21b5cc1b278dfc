import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search must not reveal the words of internal notes to people who may not read them
 * (notes of a private team). `tickets.search` keeps everything (subject, conversation and notes:
 * the one GIN index every search walks, as fast as before); `tickets.public_search` holds the
 * subject and the public conversation only, and only on tickets that have internal notes (NULL:
 * no notes, so `search` is public). A caller who may not read a ticket's notes must also match
 * its public vector, a filter on the few rows of private teams that the index found.
 */
export class NoteSearch1764100000000 implements MigrationInterface {
  name = 'NoteSearch1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets ADD COLUMN public_search tsvector`);
    await q.query(`
      UPDATE tickets t
         SET public_search = to_tsvector('english', t.subject) ||
               coalesce((SELECT to_tsvector('english', string_agg(m.body, ' ' ORDER BY m.id))
                           FROM ticket_messages m
                          WHERE m.ticket_id = t.id AND m.kind <> 'internal_note'), '')
       WHERE EXISTS (SELECT 1 FROM ticket_messages m WHERE m.ticket_id = t.id AND m.kind = 'internal_note')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets DROP COLUMN public_search`);
  }
}
