import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erasure of a contact (right to be forgotten): the contact row stays as an anonymous stub (so
 * tickets, messages and KPIs keep their shape) marked `erased_at`; surveys are detached from it.
 */
export class Privacy1763900600000 implements MigrationInterface {
  name = 'Privacy1763900600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE contacts ADD COLUMN erased_at timestamptz`);
    await q.query(`ALTER TABLE surveys ALTER COLUMN contact_id DROP NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM surveys WHERE contact_id IS NULL`);
    await q.query(`ALTER TABLE surveys ALTER COLUMN contact_id SET NOT NULL`);
    await q.query(`ALTER TABLE contacts DROP COLUMN erased_at`);
  }
}
