import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Import fixes from real logs (issues #24 and #13):
 * - `import_event_rows.opened_at`: a log's creation-time column (logs that start after a case
 *   was opened), staged with each event.
 * - Queue search finds a ticket by its external id (e.g. "INC0027139", any case): an expression
 *   index on `lower(external_id)`, so the `OR` beside the full-text match stays an index scan.
 * - "Customer since" was taken from the first import batch that named the customer: move it back
 *   to the customer's earliest imported ticket where that is earlier (later runs keep it so).
 */
export class ImportLateLogs1764200000000 implements MigrationInterface {
  name = 'ImportLateLogs1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_event_rows ADD COLUMN opened_at timestamptz`);
    await q.query(
      `CREATE INDEX tickets_external_id_lower_idx ON tickets (lower(external_id)) WHERE external_id IS NOT NULL`,
    );
    await q.query(`
      UPDATE customers c SET customer_since = m.first, updated_at = now()
        FROM (SELECT customer_id, min(created_at) AS first FROM tickets
               WHERE external_id IS NOT NULL GROUP BY customer_id) m
       WHERE m.customer_id = c.id AND c.external_id IS NOT NULL AND m.first < c.customer_since`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tickets_external_id_lower_idx`);
    await q.query(`ALTER TABLE import_event_rows DROP COLUMN opened_at`);
  }
}
