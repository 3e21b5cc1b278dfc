import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SLA clocks that pause (issue 18): the resolution clock stops while a ticket is pending or on
 * hold. `sla_paused_at` is when the current pause began (null: running); `sla_paused_seconds`
 * the paused time so far. On resume the resolution due time moves by the pause's length.
 */
export class SlaPause1764900100000 implements MigrationInterface {
  name = 'SlaPause1764900100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE tickets ADD COLUMN sla_paused_at timestamptz,
         ADD COLUMN sla_paused_seconds integer NOT NULL DEFAULT 0 CHECK (sla_paused_seconds >= 0)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets DROP COLUMN sla_paused_at, DROP COLUMN sla_paused_seconds`);
  }
}
