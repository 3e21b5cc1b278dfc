import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The default model's bands when they follow the tenant's own score distribution (RISK_BANDS
 * unset, 200+ customers): the thresholds of the riskiest 30 / 10 / 3 % as of the last full
 * rescore, per model version, so a single-customer rescore bands the same way until the next
 * full one (docs/risk-model.md, "Bands").
 */
export class RiskDistributionBands1764800100000 implements MigrationInterface {
  name = 'RiskDistributionBands1764800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE risk_distribution_bands (
        model_version text PRIMARY KEY,
        bands         jsonb NOT NULL,
        customers     integer NOT NULL,
        computed_at   timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE risk_distribution_bands`);
  }
}
