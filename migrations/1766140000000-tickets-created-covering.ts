import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The full risk rescore computes the customer messages' features on a second connection from
 * the year's tickets and their messages (docs/benchmarks.md, issue 19, helper "rescore"). It needs
 * only `id` and `customer_id` of the year's tickets: with them in the index on `created_at`, that
 * read is an index-only scan of ~77 MB instead of a sequential scan of the 1.8 GB heap at 2M
 * tickets (PostgreSQL CPU of that half −25 %). It replaces `tickets_created_idx` (same key, so
 * every range scan on `created_at` can use it as before; one index per ticket insert, as
 * before). Built CONCURRENTLY (2M tickets: seconds), so the migration runs outside a
 * transaction and ticket writes go on meanwhile; a leftover invalid index of a failed run is
 * dropped first.
 */
export class TicketsCreatedCovering1766140000000 implements MigrationInterface {
  name = 'TicketsCreatedCovering1766140000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS tickets_created_cover_idx`);
    await q.query(
      `CREATE INDEX CONCURRENTLY tickets_created_cover_idx ON tickets (created_at) INCLUDE (id, customer_id)`,
    );
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS tickets_created_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS tickets_created_idx`);
    await q.query(`CREATE INDEX CONCURRENTLY tickets_created_idx ON tickets (created_at)`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS tickets_created_cover_idx`);
  }
}
