import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A value-segment shift over many customers is applied to the KPIs in bounded steps, each its
 * own transaction (docs/kpis.md, "Segment shifts"), instead of inside one refresh:
 * - `kpi_segment_queue`: customers whose facts' `segment` column is still to be rewritten from
 *   `customer_values` (filled by the refresh that saw the shift; emptied a chunk at a time);
 * - `kpi_segment_buckets`: buckets whose segment cells are still to be recomputed after the
 *   facts are done; while any remain, `kpi_state.segment_cells_at` is null and segment questions
 *   are answered from the facts (as before the first rebuild filled the segment cells);
 * - `kpi_state.segments_at`: when the facts' segments last moved, part of the api's cache key
 *   for fact-computed segment questions (the day cells' stamps do not move with them).
 */
export class KpiSegmentBackfill1766200000000 implements MigrationInterface {
  name = 'KpiSegmentBackfill1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE kpi_segment_queue (customer_id bigint PRIMARY KEY)`);
    await q.query(
      `CREATE TABLE kpi_segment_buckets (
         grain text NOT NULL CHECK (grain IN ('day', 'week', 'month')),
         bucket_start timestamptz NOT NULL,
         PRIMARY KEY (grain, bucket_start))`,
    );
    await q.query(`ALTER TABLE kpi_state ADD COLUMN segments_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE kpi_state DROP COLUMN segments_at`);
    await q.query(`DROP TABLE kpi_segment_buckets`);
    await q.query(`DROP TABLE kpi_segment_queue`);
  }
}
