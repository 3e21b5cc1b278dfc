import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer lifetime value (issue 23, docs/kpis.md "Lifetime value").
 *
 * - `customer_mrr_history`: every MRR a customer had and since when; `mrr` NULL = not known
 *   (an import without an MRR column, a customer created without one). Written by
 *   `createCustomer`/`updateCustomer` and the importer; existing customers get one row
 *   (their MRR since `customer_since`).
 * - `customer_values`: lifetime value to date, value segment and expected remaining months per
 *   customer, computed by the worker (`value.recompute`, after the nightly rescore), for sorting
 *   and grouping. `expected` (MRR × expected months) follows MRR changes at once (trigger on the
 *   history).
 * - `value_segments`: the quartile bounds and each segment's observed monthly churn rate.
 * - `risk_scores.expected_value_at_risk` = expected lifetime value × score ÷ 100, indexed like
 *   revenue at risk, kept by a trigger on score writes (skipped by the full rescore, after which
 *   the value job writes it for everyone) and by the value computation.
 */
export class LifetimeValue1764700000000 implements MigrationInterface {
  name = 'LifetimeValue1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customer_mrr_history (
        id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id    bigint NOT NULL REFERENCES customers (id),
        mrr            numeric(12, 2) CHECK (mrr >= 0),
        effective_from timestamptz NOT NULL,
        source         text NOT NULL CHECK (source IN ('backfill', 'app', 'import')),
        actor_id       bigint REFERENCES users (id),
        recorded_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX customer_mrr_history_customer_idx ON customer_mrr_history (customer_id, effective_from, id)`,
    );
    await q.query(`
      INSERT INTO customer_mrr_history (customer_id, mrr, effective_from, source)
      SELECT id, mrr, customer_since, 'backfill' FROM customers`);

    await q.query(`
      CREATE TABLE value_segments (
        segment             text PRIMARY KEY CHECK (segment IN ('top', 'high', 'mid', 'low')),
        min_to_date         numeric(16, 2) NOT NULL,
        active_customers    int NOT NULL,
        churned_12m         int NOT NULL,
        customer_months_12m double precision NOT NULL,
        monthly_churn_rate  double precision,
        computed_at         timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE customer_values (
        customer_id     bigint PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
        to_date         numeric(16, 2),
        segment         text CHECK (segment IN ('top', 'high', 'mid', 'low')),
        mrr_known       boolean NOT NULL,
        expected_months double precision,
        expected        numeric(16, 2),
        basis           text NOT NULL,
        basis_detail    text NOT NULL,
        computed_at     timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX customer_values_to_date_idx ON customer_values ((coalesce(to_date, -1)) DESC, customer_id DESC)`,
    );
    await q.query(
      `CREATE INDEX customer_values_expected_idx ON customer_values ((coalesce(expected, -1)) DESC, customer_id DESC)`,
    );
    await q.query(`CREATE INDEX customer_values_segment_idx ON customer_values (segment)`);

    await q.query(`ALTER TABLE risk_scores ADD COLUMN expected_value_at_risk double precision`);
    await q.query(
      `CREATE INDEX risk_scores_evar_idx ON risk_scores ((coalesce(expected_value_at_risk, -1)) DESC, customer_id DESC)`,
    );
    await q.query(`
      CREATE FUNCTION risk_scores_evar() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.expected_value_at_risk := NEW.score::float8 *
          (SELECT v.expected::float8 FROM customer_values v WHERE v.customer_id = NEW.customer_id) / 100;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER risk_scores_evar BEFORE INSERT OR UPDATE OF score ON risk_scores
      FOR EACH ROW
      WHEN (current_setting('staydesk.scores_with_revenue', true) IS DISTINCT FROM 'on')
      EXECUTE FUNCTION risk_scores_evar()`);
    // a new MRR: expected value (and value at risk) follow at once; the segment waits for the night
    await q.query(`
      CREATE FUNCTION customer_mrr_history_value() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE latest numeric;
      DECLARE known boolean;
      BEGIN
        SELECT h.mrr, h.mrr IS NOT NULL INTO latest, known FROM customer_mrr_history h
         WHERE h.customer_id = NEW.customer_id ORDER BY h.effective_from DESC, h.id DESC LIMIT 1;
        UPDATE customer_values v
           SET mrr_known = known,
               expected = CASE WHEN known AND v.expected_months IS NOT NULL THEN round(latest * v.expected_months::numeric, 2) END
         WHERE v.customer_id = NEW.customer_id;
        UPDATE risk_scores r SET expected_value_at_risk = r.score::float8 * v.expected::float8 / 100
          FROM customer_values v WHERE v.customer_id = r.customer_id AND r.customer_id = NEW.customer_id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER customer_mrr_history_value AFTER INSERT ON customer_mrr_history
      FOR EACH ROW EXECUTE FUNCTION customer_mrr_history_value()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER customer_mrr_history_value ON customer_mrr_history`);
    await q.query(`DROP FUNCTION customer_mrr_history_value()`);
    await q.query(`DROP TRIGGER risk_scores_evar ON risk_scores`);
    await q.query(`DROP FUNCTION risk_scores_evar()`);
    await q.query(`ALTER TABLE risk_scores DROP COLUMN expected_value_at_risk`);
    await q.query(`DROP TABLE customer_values`);
    await q.query(`DROP TABLE value_segments`);
    await q.query(`DROP TABLE customer_mrr_history`);
  }
}
