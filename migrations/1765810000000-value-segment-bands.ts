import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Value segments (issue #23, docs/kpis.md "Lifetime value"):
 * - `value_segment_bands`: admin-set bands (segment name and lower bound in money); no rows =
 *   quartiles of the active customers (the default);
 * - `value_segments.scheme`: which scheme the last computation used;
 * - `customer_values.segment_value` / `segment_basis`: the value a customer was placed by, and
 *   whether it was the lifetime value to date or the run rate (MRR × 6) of a short history.
 */
export class ValueSegmentBands1765810000000 implements MigrationInterface {
  name = 'ValueSegmentBands1765810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE value_segment_bands (
        segment   text PRIMARY KEY CHECK (segment IN ('top', 'high', 'mid', 'low')),
        min_value numeric(16, 2) NOT NULL CHECK (min_value >= 0),
        set_at    timestamptz NOT NULL DEFAULT now(),
        set_by    bigint REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(
      `ALTER TABLE value_segments ADD COLUMN scheme text NOT NULL DEFAULT 'quartiles' CHECK (scheme IN ('quartiles', 'bands'))`,
    );
    await q.query(`ALTER TABLE customer_values ADD COLUMN segment_value numeric(16, 2)`);
    await q.query(
      `ALTER TABLE customer_values ADD COLUMN segment_basis text CHECK (segment_basis IN ('to_date', 'run_rate'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_values DROP COLUMN segment_basis`);
    await q.query(`ALTER TABLE customer_values DROP COLUMN segment_value`);
    await q.query(`ALTER TABLE value_segments DROP COLUMN scheme`);
    await q.query(`DROP TABLE value_segment_bands`);
  }
}
