import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox (domain events written with the change that causes them, relayed to
 * BullMQ by the worker) and surveys (CSAT/CES per solve cycle, NPS per contact and period).
 */
export class OutboxSurveys1763900200000 implements MigrationInterface {
  name = 'OutboxSurveys1763900200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        type         text NOT NULL,
        payload      jsonb NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts     integer NOT NULL DEFAULT 0,
        last_error   text
      )`);
    await q.query(`CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL`);
    await q.query(
      `CREATE INDEX outbox_published_idx ON outbox (published_at) WHERE published_at IS NOT NULL`,
    );
    // wake the relay at commit time (NOTIFY is delivered only when the transaction commits)
    await q.query(`
      CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('staydesk_outbox', NEW.id::text);
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
      FOR EACH ROW EXECUTE FUNCTION outbox_notify()`);

    await q.query(`
      CREATE TABLE surveys (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind          text NOT NULL CHECK (kind IN ('csat', 'nps')),
        ticket_id     bigint REFERENCES tickets (id),
        solve_cycle   integer,
        contact_id    bigint NOT NULL REFERENCES contacts (id),
        customer_id   bigint NOT NULL REFERENCES customers (id),
        team_id       bigint REFERENCES teams (id),
        agent_id      bigint REFERENCES users (id),
        period        text,
        token_salt    text NOT NULL,
        token_hash    text NOT NULL,
        form_nonce    text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        sent_at       timestamptz,
        reminded_at   timestamptz,
        expires_at    timestamptz NOT NULL,
        responded_at  timestamptz,
        score         smallint,
        ces_score     smallint CHECK (ces_score BETWEEN 1 AND 7),
        comment       text,
        CHECK ((kind = 'csat' AND score BETWEEN 1 AND 5) OR (kind = 'nps' AND score BETWEEN 0 AND 10) OR score IS NULL),
        CHECK (kind <> 'csat' OR (ticket_id IS NOT NULL AND solve_cycle IS NOT NULL)),
        CHECK (kind <> 'nps' OR period IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX surveys_token_key ON surveys (token_hash)`);
    await q.query(
      `CREATE UNIQUE INDEX surveys_csat_cycle_key ON surveys (ticket_id, solve_cycle) WHERE kind = 'csat'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX surveys_nps_period_key ON surveys (contact_id, period) WHERE kind = 'nps'`,
    );
    await q.query(`CREATE INDEX surveys_contact_idx ON surveys (contact_id, created_at)`);
    await q.query(`CREATE INDEX surveys_customer_idx ON surveys (customer_id, created_at)`);
    await q.query(`CREATE INDEX surveys_sent_idx ON surveys (sent_at) WHERE sent_at IS NOT NULL`);

    await q.query(`ALTER TABLE follow_ups ADD COLUMN survey_id bigint REFERENCES surveys (id)`);
    await q.query(
      `CREATE UNIQUE INDEX follow_ups_survey_key ON follow_ups (survey_id) WHERE survey_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE follow_ups DROP COLUMN survey_id`);
    await q.query(`DROP TABLE surveys`);
    await q.query(`DROP TRIGGER outbox_notify ON outbox`);
    await q.query(`DROP FUNCTION outbox_notify()`);
    await q.query(`DROP TABLE outbox`);
  }
}
