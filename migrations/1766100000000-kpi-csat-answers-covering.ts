import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * KPI buckets computed from the facts weigh each CSAT answer by its customer's MRR at the time
 * (revenue-weighted CSAT): with `customer_id` outside the covering index of the answers, every
 * answer was a heap fetch of `surveys` (a bitmap heap scan over ~3.7k pages for a 4-day bucket
 * at 2M tickets). With it the answers are an index-only scan. Built CONCURRENTLY (878k surveys
 * at full size: ~24 MB, seconds), so the migration runs outside a transaction and writes to
 * `surveys` go on meanwhile; a leftover invalid index of a failed run is dropped first.
 * Issue 19.
 */
export class KpiCsatAnswersCovering1766100000000 implements MigrationInterface {
  name = 'KpiCsatAnswersCovering1766100000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS surveys_csat_answers_cover_idx`);
    await q.query(
      `CREATE INDEX CONCURRENTLY surveys_csat_answers_cover_idx ON surveys (responded_at)
         INCLUDE (ticket_id, score, customer_id) WHERE kind = 'csat' AND score IS NOT NULL`,
    );
    // the older index on the same key and condition without customer_id is now redundant
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS surveys_csat_responded_cover_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS surveys_csat_responded_cover_idx`);
    await q.query(
      `CREATE INDEX CONCURRENTLY surveys_csat_responded_cover_idx ON surveys (responded_at)
         INCLUDE (ticket_id, score) WHERE kind = 'csat' AND score IS NOT NULL`,
    );
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS surveys_csat_answers_cover_idx`);
  }
}
