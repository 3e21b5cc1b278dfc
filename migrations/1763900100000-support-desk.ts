import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The support desk: teams, users, customers and contacts, tickets with messages and an
 * append-only event history, SLA policies, follow-ups and the audit log.
 * Ids are bigint identities (compact at millions of rows); enums are text with CHECKs so a new
 * value is a one-line migration.
 */
export class SupportDesk1763900100000 implements MigrationInterface {
  name = 'SupportDesk1763900100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    await q.query(`
      CREATE TABLE teams (
        id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name           text NOT NULL,
        timezone       text,
        business_hours jsonb,
        is_private     boolean NOT NULL DEFAULT false,
        lead_id        bigint,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX teams_name_key ON teams (lower(name))`);

    await q.query(`
      CREATE TABLE users (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        email           text NOT NULL,
        name            text NOT NULL,
        password_hash   text NOT NULL,
        role            text NOT NULL CHECK (role IN ('agent', 'team_lead', 'account_manager', 'admin')),
        team_id         bigint REFERENCES teams (id),
        active          boolean NOT NULL DEFAULT true,
        failed_logins   integer NOT NULL DEFAULT 0,
        locked_until    timestamptz,
        last_login_at   timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);
    await q.query(`CREATE INDEX users_team_idx ON users (team_id)`);
    await q.query(
      `ALTER TABLE teams ADD CONSTRAINT teams_lead_fk FOREIGN KEY (lead_id) REFERENCES users (id)`,
    );

    await q.query(`
      CREATE TABLE customers (
        id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name               text NOT NULL,
        domain             text,
        tier               text NOT NULL DEFAULT 'starter' CHECK (tier IN ('free', 'starter', 'pro', 'enterprise')),
        mrr                numeric(12, 2) NOT NULL DEFAULT 0 CHECK (mrr >= 0),
        account_manager_id bigint REFERENCES users (id),
        status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'churned')),
        customer_since     timestamptz NOT NULL DEFAULT now(),
        churned_at         timestamptz,
        renewal_date       date,
        custom_fields      jsonb NOT NULL DEFAULT '{}',
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX customers_name_trgm ON customers USING gin (name gin_trgm_ops)`);
    await q.query(
      `CREATE INDEX customers_domain_trgm ON customers USING gin (domain gin_trgm_ops)`,
    );
    await q.query(`CREATE INDEX customers_name_id_idx ON customers (lower(name), id)`);
    await q.query(`CREATE INDEX customers_am_idx ON customers (account_manager_id, status)`);
    await q.query(`CREATE INDEX customers_status_tier_idx ON customers (status, tier)`);

    await q.query(`
      CREATE TABLE customer_status_changes (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id bigint NOT NULL REFERENCES customers (id),
        from_status text NOT NULL,
        to_status   text NOT NULL,
        reason      text,
        actor_id    bigint REFERENCES users (id),
        changed_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX customer_status_changes_customer_idx ON customer_status_changes (customer_id, changed_at)`,
    );
    await q.query(
      `CREATE INDEX customer_status_changes_at_idx ON customer_status_changes (changed_at)`,
    );

    await q.query(`
      CREATE TABLE contacts (
        id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id    bigint NOT NULL REFERENCES customers (id),
        name           text NOT NULL,
        email          text NOT NULL,
        phone          text,
        survey_opt_out boolean NOT NULL DEFAULT false,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX contacts_customer_email_key ON contacts (customer_id, lower(email))`,
    );
    await q.query(`CREATE INDEX contacts_email_idx ON contacts (lower(email) text_pattern_ops)`);

    await q.query(`
      CREATE TABLE sla_policies (
        id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name                   text NOT NULL,
        priority               text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
        channel                text CHECK (channel IN ('email', 'phone', 'chat', 'web', 'social')),
        tier                   text CHECK (tier IN ('free', 'starter', 'pro', 'enterprise')),
        first_response_minutes integer NOT NULL CHECK (first_response_minutes > 0),
        resolution_minutes     integer NOT NULL CHECK (resolution_minutes > 0),
        business_hours         boolean NOT NULL DEFAULT false,
        active                 boolean NOT NULL DEFAULT true,
        created_at             timestamptz NOT NULL DEFAULT now(),
        updated_at             timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE UNIQUE INDEX sla_policies_scope_key
        ON sla_policies (priority, coalesce(channel, ''), coalesce(tier, '')) WHERE active`);

    await q.query(`
      CREATE TABLE tickets (
        id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id             bigint NOT NULL REFERENCES customers (id),
        requester_id            bigint NOT NULL REFERENCES contacts (id),
        subject                 text NOT NULL,
        channel                 text NOT NULL CHECK (channel IN ('email', 'phone', 'chat', 'web', 'social')),
        priority                text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
        priority_rank           smallint GENERATED ALWAYS AS (
                                  CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END
                                ) STORED,
        status                  text NOT NULL DEFAULT 'new'
                                  CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
        assignee_id             bigint REFERENCES users (id),
        team_id                 bigint REFERENCES teams (id),
        tags                    text[] NOT NULL DEFAULT '{}',
        created_by_id           bigint REFERENCES users (id),
        created_at              timestamptz NOT NULL DEFAULT now(),
        updated_at              timestamptz NOT NULL DEFAULT now(),
        first_response_at       timestamptz,
        solved_at               timestamptz,
        closed_at               timestamptz,
        reopen_count            integer NOT NULL DEFAULT 0,
        solve_count             integer NOT NULL DEFAULT 0,
        sla_policy_id           bigint REFERENCES sla_policies (id),
        first_response_due_at   timestamptz,
        resolution_due_at       timestamptz,
        first_response_breached boolean NOT NULL DEFAULT false,
        resolution_breached     boolean NOT NULL DEFAULT false,
        next_due_at             timestamptz,
        last_message_at         timestamptz,
        version                 integer NOT NULL DEFAULT 1,
        search                  tsvector NOT NULL DEFAULT ''::tsvector
      )`);
    await q.query(`CREATE INDEX tickets_updated_idx ON tickets (updated_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX tickets_status_priority_idx ON tickets (status, priority_rank DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX tickets_assignee_idx ON tickets (assignee_id, status, updated_at DESC)`,
    );
    await q.query(`CREATE INDEX tickets_team_idx ON tickets (team_id, status, updated_at DESC)`);
    await q.query(`CREATE INDEX tickets_customer_idx ON tickets (customer_id, created_at DESC)`);
    await q.query(`CREATE INDEX tickets_requester_idx ON tickets (requester_id)`);
    await q.query(`CREATE INDEX tickets_created_idx ON tickets (created_at)`);
    await q.query(
      `CREATE INDEX tickets_solved_idx ON tickets (solved_at) WHERE solved_at IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX tickets_next_due_idx ON tickets (next_due_at, id) WHERE next_due_at IS NOT NULL`,
    );
    await q.query(`CREATE INDEX tickets_tags_idx ON tickets USING gin (tags)`);
    await q.query(`CREATE INDEX tickets_search_idx ON tickets USING gin (search)`);

    await q.query(`
      CREATE TABLE ticket_messages (
        id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ticket_id         bigint NOT NULL REFERENCES tickets (id),
        kind              text NOT NULL CHECK (kind IN ('public_reply', 'internal_note', 'customer_message')),
        author_user_id    bigint REFERENCES users (id),
        author_contact_id bigint REFERENCES contacts (id),
        body              text NOT NULL,
        sentiment         real,
        created_at        timestamptz NOT NULL DEFAULT now(),
        CHECK ((author_user_id IS NULL) <> (author_contact_id IS NULL))
      )`);
    await q.query(
      `CREATE INDEX ticket_messages_ticket_idx ON ticket_messages (ticket_id, created_at, id)`,
    );

    await q.query(`
      CREATE TABLE ticket_events (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ticket_id  bigint NOT NULL REFERENCES tickets (id),
        actor_id   bigint REFERENCES users (id),
        type       text NOT NULL CHECK (type IN (
                     'created', 'status_changed', 'assignee_changed', 'team_changed', 'priority_changed',
                     'subject_changed', 'tags_changed', 'first_response', 'sla_breached')),
        from_value text,
        to_value   text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, created_at, id)`,
    );
    await q.query(`CREATE INDEX ticket_events_created_idx ON ticket_events (created_at)`);

    await q.query(`
      CREATE TABLE follow_ups (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id   bigint NOT NULL REFERENCES customers (id),
        ticket_id     bigint REFERENCES tickets (id),
        owner_id      bigint NOT NULL REFERENCES users (id),
        kind          text NOT NULL CHECK (kind IN ('check_in', 'bad_csat_recovery', 'at_risk_outreach', 'custom')),
        status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
        due_at        timestamptz NOT NULL,
        note          text,
        outcome       text,
        created_by_id bigint REFERENCES users (id),
        created_at    timestamptz NOT NULL DEFAULT now(),
        completed_at  timestamptz,
        reminded_at   timestamptz
      )`);
    await q.query(`CREATE INDEX follow_ups_owner_idx ON follow_ups (owner_id, status, due_at, id)`);
    await q.query(
      `CREATE INDEX follow_ups_due_idx ON follow_ups (due_at, id) WHERE status = 'open'`,
    );
    await q.query(`CREATE INDEX follow_ups_customer_idx ON follow_ups (customer_id, created_at)`);
    await q.query(
      `CREATE INDEX follow_ups_ticket_idx ON follow_ups (ticket_id) WHERE ticket_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE audit_log (
        id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        actor_id  bigint REFERENCES users (id),
        action    text NOT NULL,
        entity    text NOT NULL,
        entity_id text,
        details   jsonb,
        at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, at)`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at)`);
    await q.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'audit_log',
      'follow_ups',
      'ticket_events',
      'ticket_messages',
      'tickets',
      'sla_policies',
      'contacts',
      'customer_status_changes',
      'customers',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
    await q.query(`ALTER TABLE teams DROP CONSTRAINT teams_lead_fk`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE teams`);
  }
}
