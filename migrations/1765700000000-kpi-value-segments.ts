import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * KPIs by value segment from precomputed data (issue #23, docs/kpis.md):
 * - `kpi_ticket_facts.segment`: the customer's current value segment (customer_values), kept
 *   on each fact like its tier, so a segment question reads one column instead of joining
 *   tickets and customer_values per fact; filled here for the facts that exist;
 * - `kpi_cells` gains the dimension `segment` (cells per segment like per tier);
 *   `kpi_state.segment_cells_at` says when a rebuild last filled them for every bucket (until
 *   then segment questions are answered from the facts);
 * - `customer_values.segment_changed_at`: when the customer's segment last changed, so the KPI
 *   refresh recomputes only the facts of customers that moved segment;
 */
export class KpiValueSegments1765700000000 implements MigrationInterface {
  name = 'KpiValueSegments1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE kpi_ticket_facts ADD COLUMN segment text`);
    await q.query(
      `UPDATE kpi_ticket_facts f SET segment = v.segment
         FROM tickets t JOIN customer_values v ON v.customer_id = t.customer_id
        WHERE t.id = f.ticket_id AND v.segment IS NOT NULL`,
    );
    await q.query(`ALTER TABLE kpi_cells DROP CONSTRAINT IF EXISTS kpi_cells_dim_check`);
    await q.query(
      `ALTER TABLE kpi_cells ADD CONSTRAINT kpi_cells_dim_check
         CHECK (dim IN ('all', 'team', 'agent', 'channel', 'priority', 'tier', 'segment'))`,
    );
    await q.query(`ALTER TABLE kpi_state ADD COLUMN segment_cells_at timestamptz`);
    await q.query(`ALTER TABLE customer_values ADD COLUMN segment_changed_at timestamptz`);
    await q.query(`UPDATE customer_values SET segment_changed_at = computed_at`);
    await q.query(
      `CREATE INDEX customer_values_segment_changed_idx ON customer_values (segment_changed_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX customer_values_segment_changed_idx`);
    await q.query(`ALTER TABLE customer_values DROP COLUMN segment_changed_at`);
    await q.query(`ALTER TABLE kpi_state DROP COLUMN segment_cells_at`);
    await q.query(`DELETE FROM kpi_cells WHERE dim = 'segment'`);
    await q.query(`ALTER TABLE kpi_cells DROP CONSTRAINT kpi_cells_dim_check`);
    await q.query(
      `ALTER TABLE kpi_cells ADD CONSTRAINT kpi_cells_dim_check
         CHECK (dim IN ('all', 'team', 'agent', 'channel', 'priority', 'tier'))`,
    );
    await q.query(`ALTER TABLE kpi_ticket_facts DROP COLUMN segment`);
  }
}
