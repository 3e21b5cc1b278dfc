import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The churn-risk list ordered by revenue at risk (score × MRR) at 100k customers: the product of
 * two tables' columns cannot be indexed, so every first page sorted all customers (~1 s at bench
 * size). `risk_scores.revenue_at_risk` keeps score × MRR ÷ 100 next to the score, kept right by
 * two triggers (any write of a score; any change of a customer's MRR), and is indexed like score.
 * The full rescore writes the column itself from a join and sets `staydesk.scores_with_revenue`
 * for its transaction, which skips the per-row trigger (~2 s at 94k customers).
 */
export class RevenueAtRisk1763900800000 implements MigrationInterface {
  name = 'RevenueAtRisk1763900800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE risk_scores ADD COLUMN revenue_at_risk double precision NOT NULL DEFAULT 0`,
    );
    await q.query(`
      CREATE FUNCTION risk_scores_revenue() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.revenue_at_risk := NEW.score::float8 * coalesce(
          (SELECT c.mrr::float8 FROM customers c WHERE c.id = NEW.customer_id), 0) / 100;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER risk_scores_revenue BEFORE INSERT OR UPDATE OF score ON risk_scores
      FOR EACH ROW
      WHEN (current_setting('staydesk.scores_with_revenue', true) IS DISTINCT FROM 'on')
      EXECUTE FUNCTION risk_scores_revenue()`);
    await q.query(`
      CREATE FUNCTION customers_mrr_revenue() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE risk_scores SET revenue_at_risk = score::float8 * NEW.mrr::float8 / 100
         WHERE customer_id = NEW.id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER customers_mrr_revenue AFTER UPDATE OF mrr ON customers
      FOR EACH ROW WHEN (OLD.mrr IS DISTINCT FROM NEW.mrr) EXECUTE FUNCTION customers_mrr_revenue()`);
    await q.query(`
      UPDATE risk_scores r SET revenue_at_risk = r.score::float8 * c.mrr::float8 / 100
        FROM customers c WHERE c.id = r.customer_id`);
    await q.query(
      `CREATE INDEX risk_scores_revenue_idx ON risk_scores (revenue_at_risk DESC, customer_id DESC)`,
    );
    // every full rescore writes a new version of every row: vacuum this table early and fast
    // (with the default 20 % threshold, repeated runs left it at 2.4 GB for 94k live rows)
    await q.query(
      `ALTER TABLE risk_scores SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_cost_delay = 0)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE risk_scores RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_cost_delay)`,
    );
    await q.query(`DROP TRIGGER customers_mrr_revenue ON customers`);
    await q.query(`DROP FUNCTION customers_mrr_revenue()`);
    await q.query(`DROP TRIGGER risk_scores_revenue ON risk_scores`);
    await q.query(`DROP FUNCTION risk_scores_revenue()`);
    await q.query(`ALTER TABLE risk_scores DROP COLUMN revenue_at_risk`);
  }
}
