import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Next-reply SLA target (issue #18): time to answer each new customer message.
 * - `sla_policies.next_reply_minutes`: the target (optional; null = no next-reply target);
 * - `tickets.next_reply_started_at` / `next_reply_due_at`: the running clock (both null when
 *   none runs), started by a customer message once the first response was sent, cleared by a
 *   public reply (which records `next_reply_met` / `next_reply_breached`);
 * - `tickets.next_reply_breached`: flag of the current (or last) clock, set by the SLA scan.
 * The scan reads `next_due_at`, which now includes the next-reply due time.
 * The two new event types are allowed, and a small partial index on their time serves the
 * next-reply KPIs (answers in a period).
 */
export class NextReplySla1765800000000 implements MigrationInterface {
  name = 'NextReplySla1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE sla_policies ADD COLUMN next_reply_minutes int CHECK (next_reply_minutes > 0)`,
    );
    await q.query(`
      ALTER TABLE tickets
        ADD COLUMN next_reply_started_at timestamptz,
        ADD COLUMN next_reply_due_at timestamptz,
        ADD COLUMN next_reply_breached boolean NOT NULL DEFAULT false`);
    await setEventTypes(q, (types) => [...new Set([...types, ...NEW_EVENT_TYPES])]);
    await q.query(
      `CREATE INDEX ticket_events_next_reply_idx ON ticket_events (created_at)
        WHERE type IN ('next_reply_met', 'next_reply_breached')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ticket_events_next_reply_idx`);
    await q.query(`DELETE FROM ticket_events WHERE type = ANY($1::text[])`, [NEW_EVENT_TYPES]);
    await setEventTypes(q, (types) => types.filter((t) => !NEW_EVENT_TYPES.includes(t)));
    await q.query(`
      ALTER TABLE tickets DROP COLUMN next_reply_breached, DROP COLUMN next_reply_due_at,
        DROP COLUMN next_reply_started_at`);
    await q.query(`ALTER TABLE sla_policies DROP COLUMN next_reply_minutes`);
  }
}

const NEW_EVENT_TYPES = ['next_reply_met', 'next_reply_breached'];

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
