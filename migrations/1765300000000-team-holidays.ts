import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Holidays on a team's business-hours calendar (issue 17, admin screens): a list of
 * `{ "date": "YYYY-MM-DD", "name": "…" }` in the team's time zone. A holiday is a closed day:
 * SLA due times in business hours skip it.
 */
export class TeamHolidays1765300000000 implements MigrationInterface {
  name = 'TeamHolidays1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE teams ADD COLUMN holidays jsonb NOT NULL DEFAULT '[]'::jsonb
         CHECK (jsonb_typeof(holidays) = 'array')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE teams DROP COLUMN holidays`);
  }
}
