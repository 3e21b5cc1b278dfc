import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Automation rules (issue 18): rules with conditions and actions run on ticket changes or by the
 * worker's clock, every saved version kept; the once-per-period record of time-based rules;
 * automatic e-mails (rule mails, merge notices) queued through the outbox; merge/split links on
 * messages; and the history event types they write.
 */
export class AutomationRules1765400000000 implements MigrationInterface {
  name = 'AutomationRules1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await setEventTypes(q, (types) => [...new Set([...types, ...NEW_EVENT_TYPES])]);
    await q.query(`
      CREATE TABLE automation_rules (
        id              bigserial PRIMARY KEY,
        name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        trigger         text NOT NULL
                          CHECK (trigger IN ('ticket_created', 'ticket_updated', 'customer_message', 'time')),
        conditions      jsonb NOT NULL DEFAULT '[]'::jsonb,
        actions         jsonb NOT NULL DEFAULT '{}'::jsonb,
        position        integer NOT NULL DEFAULT 0,
        active          boolean NOT NULL DEFAULT true,
        stop_processing boolean NOT NULL DEFAULT false,
        version         integer NOT NULL DEFAULT 1,
        deleted_at      timestamptz,
        created_by_id   bigint REFERENCES users (id) ON DELETE SET NULL,
        updated_by_id   bigint REFERENCES users (id) ON DELETE SET NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX automation_rules_run_idx ON automation_rules (trigger, position, id)
        WHERE active AND deleted_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE automation_rule_versions (
        rule_id       bigint NOT NULL REFERENCES automation_rules (id) ON DELETE CASCADE,
        version       integer NOT NULL,
        snapshot      jsonb NOT NULL,
        changed_by_id bigint REFERENCES users (id) ON DELETE SET NULL,
        changed_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (rule_id, version)
      )`);
    // a time-based rule fires once per ticket per condition period (e.g. one pending spell)
    await q.query(`
      CREATE TABLE automation_rule_firings (
        rule_id   bigint NOT NULL REFERENCES automation_rules (id) ON DELETE CASCADE,
        ticket_id bigint NOT NULL REFERENCES tickets (id),
        period    text NOT NULL,
        fired_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (rule_id, ticket_id, period)
      )`);
    await q.query(`
      CREATE TABLE automation_mails (
        id          bigserial PRIMARY KEY,
        ticket_id   bigint NOT NULL REFERENCES tickets (id),
        rule_id     bigint REFERENCES automation_rules (id) ON DELETE SET NULL,
        kind        text NOT NULL CHECK (kind IN ('rule', 'merge_notice')),
        recipient   text NOT NULL,
        subject     text NOT NULL,
        body        text NOT NULL,
        status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
        error       text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        sent_at     timestamptz
      )`);
    await q.query(`CREATE INDEX automation_mails_ticket_idx ON automation_mails (ticket_id, id)`);
    // merge and split move messages between tickets; where a message came from stays known
    await q.query(`ALTER TABLE ticket_messages ADD COLUMN moved_from_ticket_id bigint`);
    await q.query(`ALTER TABLE tickets ADD COLUMN merged_into_id bigint REFERENCES tickets (id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets DROP COLUMN merged_into_id`);
    await q.query(`ALTER TABLE ticket_messages DROP COLUMN moved_from_ticket_id`);
    await q.query(`DROP TABLE automation_mails`);
    await q.query(`DROP TABLE automation_rule_firings`);
    await q.query(`DROP TABLE automation_rule_versions`);
    await q.query(`DROP TABLE automation_rules`);
    await q.query(`DELETE FROM ticket_events WHERE type = ANY($1::text[])`, [NEW_EVENT_TYPES]);
    await setEventTypes(q, (types) => types.filter((t) => !NEW_EVENT_TYPES.includes(t)));
  }
}

const NEW_EVENT_TYPES = [
  'rule_applied',
  'rules_loop_stopped',
  'merged_into',
  'merged_from',
  'split_into',
  'split_from',
];

async function setEventTypes(q: QueryRunner, change: (types: string[]) => string[]) {
  const rows: { def: string }[] = await q.query(
    `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'ticket_events_type_check'`,
  );
  const current = [...(rows[0]?.def ?? '').matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
  const types = change(current);
  await q.query(`ALTER TABLE ticket_events DROP CONSTRAINT IF EXISTS ticket_events_type_check`);
  await q.query(
    `ALTER TABLE ticket_events ADD CONSTRAINT ticket_events_type_check CHECK (type IN (${types
      .map((t) => `'${t}'`)
      .join(', ')}))`,
  );
}
