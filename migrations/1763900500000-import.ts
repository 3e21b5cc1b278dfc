import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * History import: external ids per source on customers and tickets (a re-run updates instead of
 * duplicating), ticket custom fields, a flag on the ticket events an import rebuilt (a re-import
 * replaces those and nothing else), import runs with their progress and counters (resume
 * point), rejected rows, and an UNLOGGED staging table for event logs (rows are re-staged if
 * PostgreSQL crashes; the run records how many it expects).
 */
export class Import1763900500000 implements MigrationInterface {
  name = 'Import1763900500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customers ADD COLUMN external_source text, ADD COLUMN external_id text,
      ADD CONSTRAINT customers_external_check CHECK ((external_source IS NULL) = (external_id IS NULL))`);
    await q.query(
      `CREATE UNIQUE INDEX customers_external_key ON customers (external_source, external_id) WHERE external_id IS NOT NULL`,
    );
    await q.query(`ALTER TABLE tickets ADD COLUMN external_source text, ADD COLUMN external_id text,
      ADD COLUMN import_hash text,
      ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}',
      ADD CONSTRAINT tickets_external_check CHECK ((external_source IS NULL) = (external_id IS NULL))`);
    await q.query(
      `CREATE UNIQUE INDEX tickets_external_key ON tickets (external_source, external_id) WHERE external_id IS NOT NULL`,
    );
    // PostgreSQL ≥ 11 adds a column with a constant default without rewriting the table.
    await q.query(`ALTER TABLE ticket_events ADD COLUMN imported boolean NOT NULL DEFAULT false`);

    await q.query(`
      CREATE TABLE import_runs (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind          text NOT NULL CHECK (kind IN ('customers', 'tickets', 'events')),
        source        text NOT NULL,
        file_name     text NOT NULL,
        fingerprint   text NOT NULL,
        options       jsonb NOT NULL,
        dry_run       boolean NOT NULL DEFAULT false,
        status        text NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        phase         text NOT NULL DEFAULT 'reading' CHECK (phase IN ('reading', 'merging', 'done')),
        content       text,
        total_bytes   bigint,
        bytes_read    bigint NOT NULL DEFAULT 0,
        lines_done    integer NOT NULL DEFAULT 0,
        rows_read     integer NOT NULL DEFAULT 0,
        created       integer NOT NULL DEFAULT 0,
        updated       integer NOT NULL DEFAULT 0,
        skipped       integer NOT NULL DEFAULT 0,
        rejected      integer NOT NULL DEFAULT 0,
        staged        integer NOT NULL DEFAULT 0,
        cases_total   integer,
        cases_done    integer NOT NULL DEFAULT 0,
        merge_cursor  text,
        entities      jsonb NOT NULL DEFAULT '{}',
        error         text,
        rejects_file  text,
        created_by_id bigint REFERENCES users (id),
        created_at    timestamptz NOT NULL DEFAULT now(),
        started_at    timestamptz,
        finished_at   timestamptz,
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX import_runs_fingerprint_idx ON import_runs (fingerprint, id DESC)`);
    await q.query(`CREATE INDEX import_runs_created_idx ON import_runs (created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE import_rejects (
        run_id bigint NOT NULL REFERENCES import_runs (id) ON DELETE CASCADE,
        line   integer NOT NULL,
        reason text NOT NULL,
        fields text[] NOT NULL,
        PRIMARY KEY (run_id, line)
      )`);

    await q.query(`
      CREATE UNLOGGED TABLE import_event_rows (
        run_id        bigint NOT NULL,
        line          integer NOT NULL,
        case_id       text COLLATE "C" NOT NULL,
        kind          text NOT NULL,
        at            timestamptz NOT NULL,
        actor         text,
        customer      text NOT NULL,
        customer_name text,
        subject       text,
        channel       text,
        priority      text,
        requester     text,
        extra         jsonb
      )`);
    await q.query(
      `CREATE INDEX import_event_rows_case_idx ON import_event_rows (run_id, case_id, at, line)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_event_rows`);
    await q.query(`DROP TABLE import_rejects`);
    await q.query(`DROP TABLE import_runs`);
    await q.query(`ALTER TABLE ticket_events DROP COLUMN imported`);
    await q.query(`ALTER TABLE tickets DROP CONSTRAINT tickets_external_check,
      DROP COLUMN custom_fields, DROP COLUMN import_hash, DROP COLUMN external_id, DROP COLUMN external_source`);
    await q.query(`ALTER TABLE customers DROP CONSTRAINT customers_external_check,
      DROP COLUMN external_id, DROP COLUMN external_source`);
  }
}
