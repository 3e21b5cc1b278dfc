import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revenue-weighted CSAT in supportKpis (issue 23): each KPI cell keeps Σ MRR behind its CSAT
 * ratings and behind the good ones (MRR at the time of the answer, from customer_mrr_history).
 * Cells computed before this migration have NULL sums (the figure shows as null) until the
 * worker recomputes their bucket or `npm run kpi:rebuild` runs.
 */
export class KpiRevenueWeightedCsat1764700100000 implements MigrationInterface {
  name = 'KpiRevenueWeightedCsat1764700100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE kpi_cells ADD COLUMN csat_weight double precision, ADD COLUMN csat_good_weight double precision`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE kpi_cells DROP COLUMN csat_weight, DROP COLUMN csat_good_weight`);
  }
}
