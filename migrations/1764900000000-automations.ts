import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agent tools (issue 18): macros (saved replies with actions and usage counts), agent
 * availability and per-team automatic assignment, saved views of the ticket queue.
 */
export class Automations1764900000000 implements MigrationInterface {
  name = 'Automations1764900000000';

  async up(q: QueryRunner): Promise<void> {
    // history events of macros and automatic assignment; the allowed list is read from the live
    // constraint so types other branches' migrations added are kept whatever the order
    await setEventTypes(q, (types) => [...new Set([...types, ...NEW_EVENT_TYPES])]);
    await q.query(`
      CREATE TABLE macros (
        id bigserial PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        body text,
        actions jsonb NOT NULL DEFAULT '{}'::jsonb,
        scope text NOT NULL CHECK (scope IN ('personal', 'team', 'global')),
        owner_id bigint REFERENCES users(id) ON DELETE CASCADE,
        team_id bigint REFERENCES teams(id) ON DELETE CASCADE,
        usage_count integer NOT NULL DEFAULT 0,
        last_used_at timestamptz,
        created_by_id bigint REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT macros_scope_owner CHECK ((scope = 'personal') = (owner_id IS NOT NULL)),
        CONSTRAINT macros_scope_team CHECK ((scope = 'team') = (team_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX macros_usage_idx ON macros (usage_count DESC, id)`);
    await q.query(`
      ALTER TABLE users
        ADD COLUMN availability text NOT NULL DEFAULT 'available'
          CHECK (availability IN ('available', 'away')),
        ADD COLUMN last_auto_assigned_at timestamptz`);
    await q.query(`
      ALTER TABLE teams
        ADD COLUMN assignment_mode text NOT NULL DEFAULT 'none'
          CHECK (assignment_mode IN ('none', 'round_robin', 'least_open')),
        ADD COLUMN assignment_cap integer NOT NULL DEFAULT 10
          CHECK (assignment_cap BETWEEN 1 AND 1000)`);
    await q.query(`
      CREATE TABLE saved_views (
        id bigserial PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        filter jsonb NOT NULL DEFAULT '{}'::jsonb,
        order_by text NOT NULL DEFAULT 'updated_desc',
        owner_id bigint REFERENCES users(id) ON DELETE CASCADE,
        team_id bigint REFERENCES teams(id) ON DELETE CASCADE,
        position integer NOT NULL DEFAULT 0,
        created_by_id bigint REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT saved_views_one_owner CHECK ((owner_id IS NULL) <> (team_id IS NULL))
      )`);
    await q.query(`CREATE INDEX saved_views_owner_idx ON saved_views (owner_id, position, id)`);
    await q.query(`CREATE INDEX saved_views_team_idx ON saved_views (team_id, position, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE saved_views`);
    await q.query(`ALTER TABLE teams DROP COLUMN assignment_mode, DROP COLUMN assignment_cap`);
    await q.query(`ALTER TABLE users DROP COLUMN availability, DROP COLUMN last_auto_assigned_at`);
    await q.query(`DROP TABLE macros`);
    await q.query(`DELETE FROM ticket_events WHERE type = ANY($1::text[])`, [NEW_EVENT_TYPES]);
    await setEventTypes(q, (types) => types.filter((t) => !NEW_EVENT_TYPES.includes(t)));
  }
}

const NEW_EVENT_TYPES = ['macro_applied', 'auto_assigned'];

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
