import { Injectable } from '@nestjs/common';
import { Tx, returnedRows } from '@staydesk/core';
import { recordMrrHistory } from '@staydesk/customers';
import type { ImportKind } from './import-mapping';
import type { CustomerRecord, EventRecord, TicketImport } from './import-rows';

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const RUN_PHASES = ['reading', 'merging', 'done'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export interface ImportRunRow {
  id: string;
  kind: ImportKind;
  source: string;
  fileName: string;
  fingerprint: string;
  options: Record<string, unknown>;
  dryRun: boolean;
  status: RunStatus;
  phase: RunPhase;
  totalBytes: number | null;
  bytesRead: number;
  linesDone: number;
  rowsRead: number;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  staged: number;
  casesTotal: number | null;
  casesDone: number;
  mergeCursor: string | null;
  entities: Record<string, number>;
  error: string | null;
  rejectsFile: string | null;
  createdById: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

export interface RejectRow {
  line: number;
  reason: string;
  fields: string[];
}

/** Counter increments of one committed batch. */
export interface Counts {
  rowsRead?: number;
  created?: number;
  updated?: number;
  skipped?: number;
  rejected?: number;
  staged?: number;
  casesDone?: number;
}

const RUN_COLUMNS = `id::text, kind, source, file_name AS "fileName", fingerprint, options, dry_run AS "dryRun",
  status, phase, total_bytes::float8 AS "totalBytes", bytes_read::float8 AS "bytesRead",
  lines_done AS "linesDone", rows_read AS "rowsRead", created, updated, skipped, rejected, staged,
  cases_total AS "casesTotal", cases_done AS "casesDone", merge_cursor AS "mergeCursor", entities, error,
  rejects_file AS "rejectsFile", created_by_id::text AS "createdById", created_at AS "createdAt",
  started_at AS "startedAt", finished_at AS "finishedAt", updated_at AS "updatedAt"`;

/** A ticket row as written (ids resolved). */
export interface TicketWrite extends TicketImport {
  customerId: string;
  requesterId: string;
}

const PLACEHOLDER_NAME = 'Unknown requester (imported)';
export const placeholderEmail = (source: string) => `unknown-requester@${source}.import.invalid`;

/** Import runs, rejects, the event staging table, and the set-based upserts of imported data. */
@Injectable()
export class ImportRepository {
  // ---- runs -------------------------------------------------------------------------------

  async createRun(
    tx: Tx,
    r: {
      kind: ImportKind;
      source: string;
      fileName: string;
      fingerprint: string;
      options: Record<string, unknown>;
      dryRun: boolean;
      totalBytes: number | null;
      content: string | null;
      createdById: string | null;
      status: RunStatus;
    },
  ): Promise<ImportRunRow> {
    const rows = await tx.query(
      `INSERT INTO import_runs (kind, source, file_name, fingerprint, options, dry_run, total_bytes, content, created_by_id, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${RUN_COLUMNS}`,
      [
        r.kind,
        r.source,
        r.fileName,
        r.fingerprint,
        r.options,
        r.dryRun,
        r.totalBytes,
        r.content,
        r.createdById,
        r.status,
      ],
    );
    return rows[0];
  }

  /** The latest unfinished (resumable) run of the same input and options, if any. */
  async resumable(tx: Tx, fingerprint: string): Promise<ImportRunRow | null> {
    const rows = await tx.query(
      `SELECT ${RUN_COLUMNS} FROM import_runs
        WHERE fingerprint = $1 AND NOT dry_run AND status IN ('queued', 'running', 'failed')
        ORDER BY import_runs.id DESC LIMIT 1`,
      [fingerprint],
    );
    return rows[0] ?? null;
  }

  async byId(tx: Tx, id: string): Promise<ImportRunRow | null> {
    const rows = await tx.query(`SELECT ${RUN_COLUMNS} FROM import_runs WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async content(tx: Tx, id: string): Promise<string | null> {
    const rows = await tx.query(`SELECT content FROM import_runs WHERE id = $1`, [id]);
    return rows[0]?.content ?? null;
  }

  async recent(tx: Tx, limit: number): Promise<ImportRunRow[]> {
    return tx.query(
      `SELECT ${RUN_COLUMNS} FROM import_runs ORDER BY created_at DESC, id DESC LIMIT $1`,
      [limit],
    );
  }

  /**
   * Takes the run for this session's transaction (released when it ends, also when the process
   * dies): two processes never work one run at once.
   */
  async tryLock(tx: Tx, runId: string): Promise<boolean> {
    const rows = await tx.query(`SELECT pg_try_advisory_xact_lock(7422008, $1::int) AS ok`, [
      Number(runId) % 2_147_483_647,
    ]);
    return rows[0].ok === true;
  }

  async start(tx: Tx, id: string): Promise<ImportRunRow> {
    const rows = returnedRows<ImportRunRow>(
      await tx.query(
        `UPDATE import_runs SET status = 'running', error = NULL, started_at = coalesce(started_at, now()),
                updated_at = now()
          WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
        [id],
      ),
    );
    return rows[0];
  }

  /** Adds a batch's counts and moves the resume point, in the batch's own transaction. */
  async progress(
    tx: Tx,
    id: string,
    c: Counts,
    at: { linesDone?: number; bytesRead?: number; mergeCursor?: string },
  ): Promise<void> {
    await tx.query(
      `UPDATE import_runs SET rows_read = rows_read + $2, created = created + $3, updated = updated + $4,
              skipped = skipped + $5, rejected = rejected + $6, staged = staged + $7,
              cases_done = cases_done + $8,
              lines_done = coalesce($9, lines_done), bytes_read = coalesce($10, bytes_read),
              merge_cursor = coalesce($11, merge_cursor), updated_at = now()
        WHERE id = $1`,
      [
        id,
        c.rowsRead ?? 0,
        c.created ?? 0,
        c.updated ?? 0,
        c.skipped ?? 0,
        c.rejected ?? 0,
        c.staged ?? 0,
        c.casesDone ?? 0,
        at.linesDone ?? null,
        at.bytesRead ?? null,
        at.mergeCursor ?? null,
      ],
    );
  }

  async addEntities(tx: Tx, id: string, entities: Record<string, number>): Promise<void> {
    const keys = Object.keys(entities).filter((k) => entities[k] !== 0);
    if (!keys.length) return;
    // jsonb counters: add each key's increment to what is there
    await tx.query(
      `UPDATE import_runs r SET entities = r.entities || (
         SELECT jsonb_object_agg(k, coalesce((r.entities ->> k)::int, 0) + v)
           FROM unnest($2::text[], $3::int[]) AS x(k, v))
        WHERE id = $1`,
      [id, keys, keys.map((k) => entities[k])],
    );
  }

  async setPhase(
    tx: Tx,
    id: string,
    phase: RunPhase,
    extra: { casesTotal?: number } = {},
  ): Promise<void> {
    await tx.query(
      `UPDATE import_runs SET phase = $2, cases_total = coalesce($3, cases_total), updated_at = now() WHERE id = $1`,
      [id, phase, extra.casesTotal ?? null],
    );
  }

  /** Forgets what was read (the staged rows were lost, e.g. PostgreSQL restarted): read again. */
  async restartReading(tx: Tx, id: string): Promise<void> {
    await tx.query(`DELETE FROM import_event_rows WHERE run_id = $1`, [id]);
    await tx.query(`DELETE FROM import_rejects WHERE run_id = $1`, [id]);
    await tx.query(
      `UPDATE import_runs SET phase = 'reading', lines_done = 0, bytes_read = 0, rows_read = 0, created = 0,
              updated = 0, skipped = 0, rejected = 0, staged = 0, cases_total = NULL, cases_done = 0,
              merge_cursor = NULL, entities = '{}', updated_at = now()
        WHERE id = $1`,
      [id],
    );
  }

  async finish(tx: Tx, id: string, rejectsFile: string | null): Promise<ImportRunRow> {
    const rows = returnedRows<ImportRunRow>(
      await tx.query(
        `UPDATE import_runs SET status = 'completed', phase = 'done', finished_at = now(), updated_at = now(),
                content = NULL, rejects_file = $2
          WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
        [id, rejectsFile],
      ),
    );
    return rows[0];
  }

  async fail(tx: Tx, id: string, error: string): Promise<void> {
    await tx.query(
      `UPDATE import_runs SET status = 'failed', error = $2, updated_at = now() WHERE id = $1`,
      [id, error.slice(0, 2000)],
    );
  }

  // ---- rejects ----------------------------------------------------------------------------

  async insertRejects(tx: Tx, runId: string, rejects: RejectRow[]): Promise<void> {
    if (!rejects.length) return;
    await tx.query(
      `INSERT INTO import_rejects (run_id, line, reason, fields)
       SELECT $1, line, reason, ARRAY(SELECT jsonb_array_elements_text(f))
         FROM unnest($2::int[], $3::text[], $4::jsonb[]) AS x(line, reason, f)
       ON CONFLICT (run_id, line) DO NOTHING`,
      [
        runId,
        rejects.map((r) => r.line),
        rejects.map((r) => r.reason),
        rejects.map((r) => JSON.stringify(r.fields)),
      ],
    );
  }

  async rejects(tx: Tx, runId: string, afterLine: number, limit: number): Promise<RejectRow[]> {
    return tx.query(
      `SELECT line, reason, fields FROM import_rejects WHERE run_id = $1 AND line > $2 ORDER BY line LIMIT $3`,
      [runId, afterLine, limit],
    );
  }

  // ---- reference data ---------------------------------------------------------------------

  /** Users by lower-cased e-mail and by lower-cased name (a name shared by two users matches neither). */
  async userDirectory(tx: Tx): Promise<Map<string, string>> {
    const rows: { id: string; email: string; name: string }[] = await tx.query(
      `SELECT id::text, lower(email) AS email, lower(name) AS name FROM users`,
    );
    const out = new Map<string, string>();
    const names = new Map<string, number>();
    for (const r of rows) names.set(r.name, (names.get(r.name) ?? 0) + 1);
    for (const r of rows) {
      if (names.get(r.name) === 1) out.set(r.name, r.id);
    }
    for (const r of rows) out.set(r.email, r.id);
    return out;
  }

  // ---- customers --------------------------------------------------------------------------

  /**
   * Upserts customers by (source, external id). Unchanged rows are left alone (skipped); a
   * status that changes is recorded in customer_status_changes like a churn made in the app.
   */
  async upsertCustomers(
    tx: Tx,
    source: string,
    records: CustomerRecord[],
  ): Promise<{ created: number; updated: number; skipped: number; statusChanges: number }> {
    const ids = records.map((r) => r.externalId);
    const before: { externalId: string; status: string }[] = await tx.query(
      `SELECT external_id AS "externalId", status FROM customers
        WHERE external_source = $1 AND external_id = ANY($2::text[])`,
      [source, ids],
    );
    const prior = new Map(before.map((b) => [b.externalId, b.status]));
    const changed: { id: string; externalId: string; inserted: boolean }[] = await tx.query(
      `INSERT INTO customers AS c (external_source, external_id, name, domain, tier, mrr, status, customer_since,
                                   churned_at, renewal_date, account_manager_id, custom_fields)
       SELECT $1, i.external_id, i.name, i.domain, i.tier, i.mrr, i.status,
              least(coalesce(i.customer_since, e.customer_since, now()),
                    (SELECT min(t.created_at) FROM tickets t
                      WHERE t.customer_id = e.id AND t.external_id IS NOT NULL)),
              i.churned_at, i.renewal_date,
              coalesce(i.am, e.account_manager_id), coalesce(e.custom_fields, '{}') || i.custom
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::text[],
                     $8::timestamptz[], $9::timestamptz[], $10::date[], $11::bigint[], $12::jsonb[])
              AS i(external_id, name, domain, tier, mrr, status, customer_since, churned_at, renewal_date, am, custom)
         LEFT JOIN customers e ON e.external_source = $1 AND e.external_id = i.external_id
       ON CONFLICT (external_source, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
         name = EXCLUDED.name, domain = EXCLUDED.domain, tier = EXCLUDED.tier, mrr = EXCLUDED.mrr,
         status = EXCLUDED.status, customer_since = EXCLUDED.customer_since, churned_at = EXCLUDED.churned_at,
         renewal_date = EXCLUDED.renewal_date, account_manager_id = EXCLUDED.account_manager_id,
         custom_fields = EXCLUDED.custom_fields, updated_at = now()
       WHERE (c.name, c.domain, c.tier, c.mrr, c.status, c.customer_since, c.churned_at, c.renewal_date,
              c.account_manager_id, c.custom_fields)
             IS DISTINCT FROM
             (EXCLUDED.name, EXCLUDED.domain, EXCLUDED.tier, EXCLUDED.mrr, EXCLUDED.status, EXCLUDED.customer_since,
              EXCLUDED.churned_at, EXCLUDED.renewal_date, EXCLUDED.account_manager_id, EXCLUDED.custom_fields)
       RETURNING c.id::text, c.external_id AS "externalId", (xmax = 0) AS inserted`,
      [
        source,
        ids,
        records.map((r) => r.name),
        records.map((r) => r.domain),
        records.map((r) => r.tier),
        records.map((r) => r.mrr),
        records.map((r) => r.status),
        records.map((r) => r.customerSince),
        records.map((r) => r.churnedAt),
        records.map((r) => r.renewalDate),
        records.map((r) => r.accountManagerId),
        records.map((r) => JSON.stringify(r.customFields)),
      ],
    );
    const byExt = new Map(records.map((r) => [r.externalId, r]));
    const changes = changed.flatMap((c) => {
      const r = byExt.get(c.externalId)!;
      const from = c.inserted ? 'active' : prior.get(c.externalId);
      if (from === r.status) return [];
      return [
        {
          customerId: c.id,
          from,
          to: r.status,
          at: r.status === 'churned' ? r.churnedAt! : new Date(),
        },
      ];
    });
    if (changes.length) {
      await tx.query(
        `INSERT INTO customer_status_changes (customer_id, from_status, to_status, reason, changed_at)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])`,
        [
          changes.map((c) => c.customerId),
          changes.map((c) => c.from),
          changes.map((c) => c.to),
          changes.map(() => 'imported'),
          changes.map((c) => c.at),
        ],
      );
    }
    // MRR history for lifetime value (a row without MRR is recorded as unknown)
    await recordMrrHistory(
      tx,
      changed.map((c) => {
        const r = byExt.get(c.externalId)!;
        return { customerId: c.id, mrr: r.mrrKnown === false ? null : r.mrr };
      }),
      'import',
      null,
    );
    const created = changed.filter((c) => c.inserted).length;
    return {
      created,
      updated: changed.length - created,
      skipped: records.length - changed.length,
      statusChanges: changes.length,
    };
  }

  /**
   * Customers referenced by tickets or events, by external id: created when missing (named
   * after the row, or the id), never renamed. "Customer since" is the earliest of everything
   * imported for the customer: a ticket older than it moves it back (across batches and
   * re-runs), so a customer is never dated after its own first ticket.
   */
  async ensureCustomers(
    tx: Tx,
    source: string,
    wanted: { externalId: string; name: string | null; since: Date }[],
  ): Promise<{ ids: Map<string, string>; created: number; sinceMoved: number }> {
    const rows: { id: string; externalId: string; inserted: boolean }[] = await tx.query(
      `INSERT INTO customers AS c (external_source, external_id, name, customer_since)
       SELECT $1, x.e, coalesce(x.n, x.e),
              -- this batch's earliest ticket, or an earlier one imported before (by an earlier
              -- batch, file or run): tickets_customer_idx, one lookup per customer
              least(x.s, (SELECT min(t.created_at) FROM tickets t
                           WHERE t.external_id IS NOT NULL AND t.customer_id =
                                 (SELECT o.id FROM customers o WHERE o.external_source = $1 AND o.external_id = x.e)))
         FROM unnest($2::text[], $3::text[], $4::timestamptz[]) AS x(e, n, s)
       ON CONFLICT (external_source, external_id) WHERE external_id IS NOT NULL DO UPDATE
         SET customer_since = EXCLUDED.customer_since, updated_at = now()
         WHERE EXCLUDED.customer_since < c.customer_since
       RETURNING c.id::text, c.external_id AS "externalId", (xmax = 0) AS inserted`,
      [
        source,
        wanted.map((w) => w.externalId),
        wanted.map((w) => w.name),
        wanted.map((w) => w.since),
      ],
    );
    const ids = new Map(rows.map((r) => [r.externalId, r.id]));
    const missing = wanted.filter((w) => !ids.has(w.externalId)).map((w) => w.externalId);
    if (missing.length) {
      const rest: { id: string; externalId: string }[] = await tx.query(
        `SELECT id::text, external_id AS "externalId" FROM customers
          WHERE external_source = $1 AND external_id = ANY($2::text[])`,
        [source, missing],
      );
      for (const r of rest) ids.set(r.externalId, r.id);
    }
    // new customers' MRR is not known (lifetime value says unknown rather than 0)
    await recordMrrHistory(
      tx,
      rows.filter((r) => r.inserted).map((r) => ({ customerId: r.id, mrr: null })),
      'import',
      null,
    );
    const created = rows.filter((r) => r.inserted).length;
    return { ids, created, sinceMoved: rows.length - created };
  }

  /**
   * Requesters by (customer, e-mail), created when missing; tickets without one get the
   * customer's "unknown requester" contact, opted out of surveys.
   */
  async ensureContacts(
    tx: Tx,
    source: string,
    wanted: { customerId: string; email: string | null; name: string | null }[],
  ): Promise<{ id: (customerId: string, email: string | null) => string; created: number }> {
    const key = (c: string, e: string | null) => `${c} ${e ?? placeholderEmail(source)}`;
    const unique = new Map<
      string,
      { customerId: string; email: string; name: string; optOut: boolean }
    >();
    for (const w of wanted) {
      const email = w.email ?? placeholderEmail(source);
      unique.set(key(w.customerId, w.email), {
        customerId: w.customerId,
        email,
        name: w.email ? (w.name ?? email.split('@')[0]) : PLACEHOLDER_NAME,
        optOut: !w.email,
      });
    }
    const list = [...unique.values()];
    const inserted = await tx.query(
      `INSERT INTO contacts (customer_id, name, email, survey_opt_out)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bool[])
       ON CONFLICT (customer_id, lower(email)) DO NOTHING RETURNING id`,
      [
        list.map((c) => c.customerId),
        list.map((c) => c.name),
        list.map((c) => c.email),
        list.map((c) => c.optOut),
      ],
    );
    const rows: { id: string; customerId: string; email: string }[] = await tx.query(
      `SELECT c.id::text, c.customer_id::text AS "customerId", lower(c.email) AS email
         FROM contacts c JOIN unnest($1::bigint[], $2::text[]) AS x(cid, email)
           ON c.customer_id = x.cid AND lower(c.email) = lower(x.email)`,
      [list.map((c) => c.customerId), list.map((c) => c.email)],
    );
    const ids = new Map(rows.map((r) => [`${r.customerId} ${r.email}`, r.id]));
    return {
      id: (customerId, email) => {
        const id = ids.get(key(customerId, email));
        if (!id) throw new Error(`contact for customer ${customerId} missing after upsert`);
        return id;
      },
      created: inserted.length,
    };
  }

  // ---- tickets ----------------------------------------------------------------------------

  /**
   * Upserts tickets by (source, external id). A ticket whose import digest is unchanged is not
   * touched; for the others the imported history is replaced (events an agent made in
   * Staydesk since are kept) and a satisfaction rating becomes an answered CSAT survey.
   */
  async upsertTickets(
    tx: Tx,
    source: string,
    tickets: TicketWrite[],
  ): Promise<{ created: TicketWrite[]; updated: TicketWrite[]; events: number }> {
    if (!tickets.length) return { created: [], updated: [], events: 0 };
    const lastAt = (t: TicketWrite) =>
      t.events.reduce((m, e) => (e.at > m ? e.at : m), t.createdAt);
    const rows: { id: string; externalId: string; inserted: boolean }[] = await tx.query(
      `INSERT INTO tickets AS t (external_source, external_id, import_hash, customer_id, requester_id, subject,
                                 channel, priority, status, assignee_id, tags, created_at, updated_at,
                                 first_response_at, solved_at, closed_at, reopen_count, solve_count,
                                 custom_fields, search)
       SELECT $1, i.external_id, i.hash, i.customer_id, i.requester_id, i.subject, i.channel, i.priority,
              i.status, i.assignee_id, coalesce(string_to_array(nullif(i.tags, ''), ' '), '{}'),
              i.created_at, i.updated_at, i.first_response_at, i.solved_at, i.closed_at, i.reopen_count,
              i.solve_count, i.custom, to_tsvector('english', i.subject)
         FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::bigint[], $11::text[], $12::timestamptz[], $13::timestamptz[],
                     $14::timestamptz[], $15::timestamptz[], $16::timestamptz[], $17::int[], $18::int[],
                     $19::jsonb[])
              AS i(external_id, hash, customer_id, requester_id, subject, channel, priority, status, assignee_id,
                   tags, created_at, updated_at, first_response_at, solved_at, closed_at, reopen_count,
                   solve_count, custom)
       ON CONFLICT (external_source, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
         import_hash = EXCLUDED.import_hash, customer_id = EXCLUDED.customer_id,
         requester_id = EXCLUDED.requester_id, subject = EXCLUDED.subject, channel = EXCLUDED.channel,
         priority = EXCLUDED.priority, status = EXCLUDED.status,
         assignee_id = coalesce(EXCLUDED.assignee_id, t.assignee_id), tags = EXCLUDED.tags,
         created_at = EXCLUDED.created_at, updated_at = now(), first_response_at = EXCLUDED.first_response_at,
         solved_at = EXCLUDED.solved_at, closed_at = EXCLUDED.closed_at, reopen_count = EXCLUDED.reopen_count,
         solve_count = EXCLUDED.solve_count, custom_fields = t.custom_fields || EXCLUDED.custom_fields,
         search = EXCLUDED.search, version = t.version + 1
       WHERE t.import_hash IS DISTINCT FROM EXCLUDED.import_hash
       RETURNING t.id::text, t.external_id AS "externalId", (xmax = 0) AS inserted`,
      [
        source,
        tickets.map((t) => t.externalId),
        tickets.map((t) => t.hash),
        tickets.map((t) => t.customerId),
        tickets.map((t) => t.requesterId),
        tickets.map((t) => t.subject),
        tickets.map((t) => t.channel),
        tickets.map((t) => t.priority),
        tickets.map((t) => t.status),
        tickets.map((t) => t.assigneeId),
        tickets.map((t) => t.tags.join(' ')),
        tickets.map((t) => t.createdAt),
        tickets.map(lastAt),
        tickets.map((t) => t.firstResponseAt),
        tickets.map((t) => t.solvedAt),
        tickets.map((t) => t.closedAt),
        tickets.map((t) => t.reopenCount),
        tickets.map((t) => t.solveCount),
        tickets.map((t) => JSON.stringify(t.customFields)),
      ],
    );
    const byExt = new Map(tickets.map((t) => [t.externalId, t]));
    const created: TicketWrite[] = [];
    const updated: TicketWrite[] = [];
    const ids: string[] = [];
    const updatedIds: string[] = [];
    const ev = {
      ticket: [] as string[],
      actor: [] as (string | null)[],
      type: [] as string[],
      from: [] as (string | null)[],
      to: [] as (string | null)[],
      at: [] as Date[],
    };
    for (const r of rows) {
      const t = byExt.get(r.externalId)!;
      (r.inserted ? created : updated).push(t);
      ids.push(r.id);
      if (!r.inserted) updatedIds.push(r.id);
      for (const e of t.events) {
        ev.ticket.push(r.id);
        ev.actor.push(e.actorId);
        ev.type.push(e.type);
        ev.from.push(e.from);
        ev.to.push(e.to);
        ev.at.push(e.at);
      }
    }
    if (updatedIds.length) {
      await tx.query(`DELETE FROM ticket_events WHERE ticket_id = ANY($1::bigint[]) AND imported`, [
        updatedIds,
      ]);
    }
    if (ev.ticket.length) {
      await tx.query(
        `INSERT INTO ticket_events (ticket_id, actor_id, type, from_value, to_value, created_at, imported)
         SELECT t, a, ty, f, tv, at, true
           FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
                AS x(t, a, ty, f, tv, at)`,
        [ev.ticket, ev.actor, ev.type, ev.from, ev.to, ev.at],
      );
    }
    const rated = rows.flatMap((r) => {
      const t = byExt.get(r.externalId)!;
      return t.satisfaction !== null ? [{ id: r.id, t }] : [];
    });
    if (rated.length) {
      await tx.query(
        `INSERT INTO surveys (kind, ticket_id, solve_cycle, contact_id, customer_id, agent_id, token_salt,
                              token_hash, created_at, sent_at, expires_at, responded_at, score)
         SELECT 'csat', x.tid, x.cycle, x.contact, x.customer, x.agent, 'imported',
                encode(sha256(convert_to('imported:' || x.tid || ':' || gen_random_uuid(), 'UTF8')), 'hex'),
                x.at, x.at, x.at, x.at, x.score
           FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::bigint[], $5::bigint[], $6::timestamptz[],
                       $7::smallint[]) AS x(tid, cycle, contact, customer, agent, at, score)
         ON CONFLICT (ticket_id, solve_cycle) WHERE kind = 'csat'
         DO UPDATE SET score = EXCLUDED.score, responded_at = coalesce(surveys.responded_at, EXCLUDED.responded_at)`,
        [
          rated.map((r) => r.id),
          rated.map((r) => Math.max(1, r.t.solveCount)),
          rated.map((r) => r.t.requesterId),
          rated.map((r) => r.t.customerId),
          rated.map((r) => r.t.assigneeId),
          rated.map((r) => r.t.solvedAt),
          rated.map((r) => r.t.satisfaction),
        ],
      );
    }
    return { created, updated, events: ev.ticket.length };
  }

  // ---- event staging ----------------------------------------------------------------------

  async stageEvents(tx: Tx, runId: string, rows: EventRecord[]): Promise<void> {
    if (!rows.length) return;
    await tx.query(
      `INSERT INTO import_event_rows (run_id, line, case_id, kind, at, actor, customer, customer_name, subject,
                                      channel, priority, requester, extra, opened_at)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[],
                                $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::jsonb[],
                                $14::timestamptz[])`,
      [
        runId,
        rows.map((r) => r.line),
        rows.map((r) => r.caseId),
        rows.map((r) => r.effect),
        rows.map((r) => new Date(r.at).toISOString()),
        rows.map((r) => r.actor),
        rows.map((r) => r.customer),
        rows.map((r) => r.customerName),
        rows.map((r) => r.subject),
        rows.map((r) => r.channel),
        rows.map((r) => r.priority),
        rows.map((r) => r.requester),
        rows.map((r) => (r.extra ? JSON.stringify(r.extra) : null)),
        rows.map((r) => (r.openedAt != null ? new Date(r.openedAt).toISOString() : null)),
      ],
    );
  }

  async stagedCount(tx: Tx, runId: string): Promise<number> {
    const rows = await tx.query(
      `SELECT count(*)::int AS n FROM import_event_rows WHERE run_id = $1`,
      [runId],
    );
    return rows[0].n;
  }

  async countCases(tx: Tx, runId: string, after: string | null): Promise<number> {
    const rows = await tx.query(
      `SELECT count(DISTINCT case_id)::int AS n FROM import_event_rows WHERE run_id = $1 AND ($2::text IS NULL OR case_id > $2)`,
      [runId, after],
    );
    return rows[0].n;
  }

  /** The staged rows of the next `limit` cases after `after` (case id order, then time, then line). */
  async nextCases(
    tx: Tx,
    runId: string,
    after: string | null,
    limit: number,
  ): Promise<{ last: string | null; rows: EventRecord[] }> {
    const bound = await tx.query(
      `SELECT case_id FROM (
         SELECT DISTINCT case_id FROM import_event_rows
          WHERE run_id = $1 AND ($2::text IS NULL OR case_id > $2) ORDER BY case_id LIMIT $3) x
        ORDER BY case_id DESC LIMIT 1`,
      [runId, after, limit],
    );
    if (!bound.length) return { last: null, rows: [] };
    const last: string = bound[0].case_id;
    const rows: (Omit<EventRecord, 'at' | 'openedAt'> & { at: Date; openedAt: Date | null })[] =
      await tx.query(
        `SELECT line, case_id AS "caseId", kind AS effect, at, actor, customer, customer_name AS "customerName",
              subject, channel, priority, requester, extra, opened_at AS "openedAt"
         FROM import_event_rows
        WHERE run_id = $1 AND ($2::text IS NULL OR case_id > $2) AND case_id <= $3
        ORDER BY case_id, at, line`,
        [runId, after, last],
      );
    return {
      last,
      rows: rows.map((r) => ({
        ...r,
        at: r.at.getTime(),
        openedAt: r.openedAt?.getTime() ?? null,
      })),
    };
  }

  async unstage(tx: Tx, runId: string, after: string | null, last: string): Promise<number> {
    const result = await tx.query(
      `DELETE FROM import_event_rows WHERE run_id = $1 AND ($2::text IS NULL OR case_id > $2) AND case_id <= $3`,
      [runId, after, last],
    );
    return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
  }
}
