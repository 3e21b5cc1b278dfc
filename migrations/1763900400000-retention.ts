import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention lists and support KPIs.
 *
 * - `kpi_calendar_spans`: every opening interval of each team calendar (2000–2060), with the
 *   open seconds before it, so "business seconds between a and b" is two index probes
 *   (position(b) − position(a)), DST included. `kpi_calendars` remembers which calendar version
 *   the spans were built from.
 * - `kpi_ticket_facts`: one row per ticket with every per-ticket KPI input (first-response,
 *   resolution and requester wait times in the hours that apply, SLA outcomes, reopen, one touch,
 *   the periods the ticket was unsolved). Maintained by the worker from ticket changes; rebuilt
 *   set-based by `npm run kpi:rebuild`.
 * - `kpi_cells`: exact KPI figures per day/week/month bucket, for everyone and per team, agent,
 *   channel, priority and tier (the cube that answers aligned queries without touching facts).
 * - `retention_snoozes`: customers an account manager put aside until a date.
 * See docs/kpis.md.
 */
export class Retention1763900400000 implements MigrationInterface {
  name = 'Retention1763900400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE kpi_calendars (
        team_id     bigint PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
        fingerprint text NOT NULL,
        built_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE kpi_calendar_spans (
        team_id    bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        starts_at  timestamptz NOT NULL,
        seconds    double precision NOT NULL,
        cum_before double precision NOT NULL,
        PRIMARY KEY (team_id, starts_at)
      )`);
    // open seconds of the team's calendar before `at` (since 2000): business time between a and b
    // is position(b) - position(a)
    await q.query(`
      CREATE FUNCTION kpi_business_position(p_team bigint, p_at timestamptz) RETURNS double precision
      LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT coalesce((
          SELECT s.cum_before + least(greatest(extract(epoch FROM p_at - s.starts_at)::float8, 0), s.seconds)
            FROM kpi_calendar_spans s
           WHERE s.team_id = p_team AND s.starts_at <= p_at
           ORDER BY s.starts_at DESC LIMIT 1), 0)
      $$`);

    await q.query(`
      CREATE TABLE kpi_ticket_facts (
        ticket_id    bigint PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
        team_id      bigint,
        agent_id     bigint,
        channel      text NOT NULL,
        priority     text NOT NULL,
        tier         text NOT NULL,
        business     boolean NOT NULL,
        created_at   timestamptz NOT NULL,
        frt_s        double precision,
        resolved_at  timestamptz,
        resolution_s double precision,
        wait_s       double precision,
        reopened     boolean NOT NULL,
        one_touch    boolean NOT NULL,
        fr_due_at    timestamptz,
        fr_met       boolean,
        res_due_at   timestamptz,
        res_met      boolean,
        unsolved     tstzmultirange NOT NULL,
        refreshed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX kpi_facts_created_idx ON kpi_ticket_facts (created_at)`);
    await q.query(
      `CREATE INDEX kpi_facts_resolved_idx ON kpi_ticket_facts (resolved_at) WHERE resolved_at IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX kpi_facts_fr_due_idx ON kpi_ticket_facts (fr_due_at) WHERE fr_due_at IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX kpi_facts_res_due_idx ON kpi_ticket_facts (res_due_at) WHERE res_due_at IS NOT NULL`,
    );
    await q.query(`CREATE INDEX kpi_facts_unsolved_idx ON kpi_ticket_facts USING gist (unsolved)`);
    await q.query(`CREATE INDEX kpi_facts_team_idx ON kpi_ticket_facts (team_id)`);

    await q.query(`
      CREATE TABLE kpi_cells (
        grain             text NOT NULL CHECK (grain IN ('day', 'week', 'month')),
        bucket_start      timestamptz NOT NULL,
        dim               text NOT NULL CHECK (dim IN ('all', 'team', 'agent', 'channel', 'priority', 'tier')),
        dim_value         text NOT NULL,
        tickets_created   integer NOT NULL DEFAULT 0,
        tickets_solved    integer NOT NULL DEFAULT 0,
        frt_n             integer NOT NULL DEFAULT 0,
        frt_business_n    integer NOT NULL DEFAULT 0,
        frt_mean          double precision,
        frt_p50           double precision,
        frt_p90           double precision,
        res_n             integer NOT NULL DEFAULT 0,
        res_business_n    integer NOT NULL DEFAULT 0,
        res_mean          double precision,
        res_p50           double precision,
        res_p90           double precision,
        wait_n            integer NOT NULL DEFAULT 0,
        wait_business_n   integer NOT NULL DEFAULT 0,
        wait_mean         double precision,
        wait_p50          double precision,
        wait_p90          double precision,
        reopened          integer NOT NULL DEFAULT 0,
        one_touch         integer NOT NULL DEFAULT 0,
        fr_sla_due        integer NOT NULL DEFAULT 0,
        fr_sla_met        integer NOT NULL DEFAULT 0,
        res_sla_due       integer NOT NULL DEFAULT 0,
        res_sla_met       integer NOT NULL DEFAULT 0,
        backlog           integer NOT NULL DEFAULT 0,
        csat_ratings      integer NOT NULL DEFAULT 0,
        csat_good         integer NOT NULL DEFAULT 0,
        surveys_sent      integer NOT NULL DEFAULT 0,
        surveys_responded integer NOT NULL DEFAULT 0,
        computed_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (grain, dim, dim_value, bucket_start)
      )`);
    await q.query(`CREATE INDEX kpi_cells_bucket_idx ON kpi_cells (grain, bucket_start)`);

    await q.query(`
      CREATE TABLE kpi_state (
        id          integer PRIMARY KEY CHECK (id = 1),
        watermark   timestamptz,
        last_run_at timestamptz,
        rebuilt_at  timestamptz
      )`);
    await q.query(`INSERT INTO kpi_state (id) VALUES (1)`);

    // KPI maintenance reads what changed since the last run
    await q.query(`CREATE INDEX customers_updated_idx ON customers (updated_at)`);
    await q.query(
      `CREATE INDEX surveys_responded_at_idx ON surveys (responded_at) WHERE responded_at IS NOT NULL`,
    );
    await q.query(`CREATE INDEX surveys_ticket_idx ON surveys (ticket_id) WHERE kind = 'csat'`);

    await q.query(`
      CREATE TABLE retention_snoozes (
        customer_id bigint PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
        until       timestamptz NOT NULL,
        reason      text NOT NULL,
        actor_id    bigint REFERENCES users (id),
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX retention_snoozes_until_idx ON retention_snoozes (until)`);
    // the risk list's default order (score desc, customer desc) as an index walk
    await q.query(
      `CREATE INDEX risk_scores_list_idx ON risk_scores (score DESC, customer_id DESC)`,
    );
    await q.query(
      `CREATE INDEX follow_ups_open_customer_kind_idx ON follow_ups (customer_id, kind) WHERE status = 'open'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX follow_ups_open_customer_kind_idx`);
    await q.query(`DROP INDEX risk_scores_list_idx`);
    await q.query(`DROP TABLE retention_snoozes`);
    await q.query(`DROP INDEX surveys_ticket_idx`);
    await q.query(`DROP INDEX surveys_responded_at_idx`);
    await q.query(`DROP INDEX customers_updated_idx`);
    await q.query(`DROP TABLE kpi_state`);
    await q.query(`DROP TABLE kpi_cells`);
    await q.query(`DROP TABLE kpi_ticket_facts`);
    await q.query(`DROP FUNCTION kpi_business_position(bigint, timestamptz)`);
    await q.query(`DROP TABLE kpi_calendar_spans`);
    await q.query(`DROP TABLE kpi_calendars`);
  }
}
