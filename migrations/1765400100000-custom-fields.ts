import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom fields (issue 18): admin-defined ticket and customer fields whose values live in the
 * existing `custom_fields` jsonb columns, validated on set; a GIN index lets queue filters and
 * saved views match them (`custom_fields @> {...}`).
 */
export class CustomFields1765400100000 implements MigrationInterface {
  name = 'CustomFields1765400100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE custom_field_definitions (
        id          bigserial PRIMARY KEY,
        entity      text NOT NULL CHECK (entity IN ('ticket', 'customer')),
        key         text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
        label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
        type        text NOT NULL CHECK (type IN ('text', 'number', 'date', 'dropdown', 'checkbox')),
        options     text[] NOT NULL DEFAULT '{}',
        position    integer NOT NULL DEFAULT 0,
        active      boolean NOT NULL DEFAULT true,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (entity, key)
      )`);
    await q.query(
      `CREATE INDEX tickets_custom_fields_idx ON tickets USING gin (custom_fields jsonb_path_ops)`,
    );
    const rows: { def: string }[] = await q.query(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'ticket_events_type_check'`,
    );
    const types = [...(rows[0]?.def ?? '').matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    await setTypes(q, [...new Set([...types, 'custom_fields_changed'])]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM ticket_events WHERE type = 'custom_fields_changed'`);
    const rows: { def: string }[] = await q.query(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'ticket_events_type_check'`,
    );
    const types = [...(rows[0]?.def ?? '').matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    await setTypes(
      q,
      types.filter((t) => t !== 'custom_fields_changed'),
    );
    await q.query(`DROP INDEX tickets_custom_fields_idx`);
    await q.query(`DROP TABLE custom_field_definitions`);
  }
}

async function setTypes(q: QueryRunner, types: string[]) {
  await q.query(`ALTER TABLE ticket_events DROP CONSTRAINT IF EXISTS ticket_events_type_check`);
  await q.query(
    `ALTER TABLE ticket_events ADD CONSTRAINT ticket_events_type_check CHECK (type IN (${types
      .map((t) => `'${t}'`)
      .join(', ')}))`,
  );
}
