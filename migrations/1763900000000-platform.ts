import { MigrationInterface, QueryRunner } from 'typeorm';

/** Platform tables: worker heartbeats (which worker processes take jobs, and when they last did). */
export class Platform1763900000000 implements MigrationInterface {
  name = 'Platform1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE worker_heartbeats (
        worker_id  text PRIMARY KEY,
        seen_at    timestamptz NOT NULL,
        started_at timestamptz NOT NULL,
        jobs_done  integer NOT NULL DEFAULT 0
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE worker_heartbeats');
  }
}
