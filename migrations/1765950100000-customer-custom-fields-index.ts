import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The customers list filters on custom field values (`custom_fields @> {...}`, issue 18), like
 * the ticket queue: a GIN index with jsonb_path_ops serves containment.
 */
export class CustomerCustomFieldsIndex1765950100000 implements MigrationInterface {
  name = 'CustomerCustomFieldsIndex1765950100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX customers_custom_fields_idx ON customers USING gin (custom_fields jsonb_path_ops)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX customers_custom_fields_idx`);
  }
}
