import { MigrationInterface, QueryRunner } from 'typeorm';

/** Churn risk: the current score per customer, its history (for trends and charts) and model versions. */
export class Risk1763900300000 implements MigrationInterface {
  name = 'Risk1763900300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE risk_models (
        version     text PRIMARY KEY,
        source      text NOT NULL CHECK (source IN ('default', 'fitted')),
        intercept   double precision NOT NULL,
        weights     jsonb NOT NULL,
        metrics     jsonb,
        active      boolean NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX risk_models_one_active ON risk_models (active) WHERE active`,
    );

    await q.query(`
      CREATE TABLE risk_scores (
        customer_id   bigint PRIMARY KEY REFERENCES customers (id),
        score         real NOT NULL CHECK (score >= 0 AND score <= 100),
        band          text NOT NULL CHECK (band IN ('low', 'medium', 'high', 'critical')),
        factors       jsonb NOT NULL,
        model_version text NOT NULL,
        computed_at   timestamptz NOT NULL DEFAULT now(),
        band_since    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX risk_scores_band_score_idx ON risk_scores (band, score DESC, customer_id)`,
    );
    await q.query(`CREATE INDEX risk_scores_score_idx ON risk_scores (score DESC, customer_id)`);

    await q.query(`
      CREATE TABLE risk_score_history (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id   bigint NOT NULL REFERENCES customers (id),
        score         real NOT NULL,
        band          text NOT NULL,
        previous_band text,
        model_version text NOT NULL,
        computed_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX risk_score_history_customer_idx ON risk_score_history (customer_id, computed_at)`,
    );
    await q.query(`CREATE INDEX risk_score_history_at_idx ON risk_score_history (computed_at)`);
    // the open backlog per customer, for live feature extraction
    await q.query(
      `CREATE INDEX tickets_open_customer_idx ON tickets (customer_id, priority) WHERE status NOT IN ('solved', 'closed')`,
    );
    await q.query(
      `CREATE INDEX surveys_responded_idx ON surveys (customer_id, responded_at) WHERE responded_at IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX surveys_responded_idx`);
    await q.query(`DROP INDEX tickets_open_customer_idx`);
    await q.query(`DROP TABLE risk_score_history`);
    await q.query(`DROP TABLE risk_scores`);
    await q.query(`DROP TABLE risk_models`);
  }
}
