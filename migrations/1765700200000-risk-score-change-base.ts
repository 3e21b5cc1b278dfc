import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The risk list by score change over all customers (issue #19), without reading every
 * customer's history per request:
 * - `risk_scores.base_score`: the customer's score at the start of the UTC day `days` ago (the
 *   last history entry at or before it, else the first after it), materialized once a day by the
 *   full rescore for the default window (30 days); a customer scored for the first time after
 *   that keeps its first score as base (set on insert);
 * - `risk_score_base`: which window and moment the column holds (one row);
 * - an index on the change itself, so the first page is an index scan.
 */
export class RiskScoreChangeBase1765700200000 implements MigrationInterface {
  name = 'RiskScoreChangeBase1765700200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE risk_scores ADD COLUMN base_score real`);
    await q.query(`
      CREATE TABLE risk_score_base (
        id          int PRIMARY KEY CHECK (id = 1),
        days        int NOT NULL,
        base_at     timestamptz NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE FUNCTION risk_scores_first_base() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.base_score := coalesce(NEW.base_score, NEW.score);
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER risk_scores_first_base BEFORE INSERT ON risk_scores
         FOR EACH ROW EXECUTE FUNCTION risk_scores_first_base()`,
    );
    await q.query(
      `CREATE INDEX risk_scores_change_idx ON risk_scores
         ((coalesce(score::float8 - base_score::float8, -1000)) DESC, customer_id DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX risk_scores_change_idx`);
    await q.query(`DROP TRIGGER risk_scores_first_base ON risk_scores`);
    await q.query(`DROP FUNCTION risk_scores_first_base()`);
    await q.query(`DROP TABLE risk_score_base`);
    await q.query(`ALTER TABLE risk_scores DROP COLUMN base_score`);
  }
}
