import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Churn-risk models that mean the same thing whichever is active, and an oracle to judge them by.
 * - `risk_models.bands`: a fitted model's own band thresholds on its score scale (the score
 *   quantiles of the customers it was fitted on; docs/risk-model.md, "Bands"). Null = use
 *   RISK_BANDS (the default model's points).
 * - `risk_model_activations`: every activation (and restore) of a model, newest last, so the
 *   previous model can be restored (`risk:fit --restore`). `version` null = the default model.
 * - `simulation_oracle`: written only by the world simulation (libs/simulation): each simulated
 *   customer's true monthly churn hazard and the moment it starts to apply. The backtest reads it
 *   to report the best AUC the world allows; production code never joins it.
 */
export class RiskBandsOracle1764800000000 implements MigrationInterface {
  name = 'RiskBandsOracle1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE risk_models ADD COLUMN bands jsonb`);
    await q.query(`
      CREATE TABLE risk_model_activations (
        id               bigserial PRIMARY KEY,
        version          text REFERENCES risk_models (version) ON DELETE CASCADE,
        previous_version text,
        activated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE simulation_oracle (
        customer_id    bigint PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
        monthly_hazard double precision NOT NULL CHECK (monthly_hazard >= 0 AND monthly_hazard <= 1),
        hazard_from    timestamptz NOT NULL,
        pain           double precision NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE simulation_oracle`);
    await q.query(`DROP TABLE risk_model_activations`);
    await q.query(`ALTER TABLE risk_models DROP COLUMN bands`);
  }
}
