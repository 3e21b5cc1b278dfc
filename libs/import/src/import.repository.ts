import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Tx, db } from '@staydesk/core';
import type { ImportKind } from './import-fields';
import type { EventRecord } from './import-records';
import {
  Counts,
  ImportRunRow,
  RejectRow,
  RunPhase,
  RunStatus,
  runColumns,
  toRun,
} from './import-run';

/** Import runs, their rejects and the event staging table (the merge's upserts: import-merge.repository.ts). */
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
    const row = await db(tx)
      .insertInto('importRuns')
      .values({ ...r, options: JSON.stringify(r.options) })
      .returning(runColumns)
      .executeTakeFirstOrThrow();
    return toRun(row);
  }

  /** The latest unfinished (resumable) run of the same input and options, if any. */
  async resumable(tx: Tx, fingerprint: string): Promise<ImportRunRow | null> {
    const row = await db(tx)
      .selectFrom('importRuns')
      .select(runColumns)
      .where('importRuns.fingerprint', '=', fingerprint)
      .where('importRuns.dryRun', '=', false)
      .where('importRuns.status', 'in', ['queued', 'running', 'failed'])
      .orderBy('importRuns.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toRun(row) : null;
  }

  async byId(tx: Tx, id: string): Promise<ImportRunRow | null> {
    const row = await db(tx)
      .selectFrom('importRuns')
      .select(runColumns)
      .where('importRuns.id', '=', id)
      .executeTakeFirst();
    return row ? toRun(row) : null;
  }

  async content(tx: Tx, id: string): Promise<string | null> {
    const row = await db(tx)
      .selectFrom('importRuns')
      .select('importRuns.content')
      .where('importRuns.id', '=', id)
      .executeTakeFirst();
    return row?.content ?? null;
  }

  async recent(tx: Tx, limit: number): Promise<ImportRunRow[]> {
    const rows = await db(tx)
      .selectFrom('importRuns')
      .select(runColumns)
      .orderBy('importRuns.createdAt', 'desc')
      .orderBy('importRuns.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toRun);
  }

  /**
   * Takes the run for this session's transaction (released when it ends, also when the process
   * dies): two processes never work one run at once.
   */
  async tryLock(tx: Tx, runId: string): Promise<boolean> {
    const { rows } = await sql<{
      ok: boolean;
    }>`SELECT pg_try_advisory_xact_lock(7422008, ${Number(runId) % 2_147_483_647}::int) AS ok`.execute(
      db(tx),
    );
    return rows[0]?.ok === true;
  }

  async start(tx: Tx, id: string): Promise<ImportRunRow> {
    const row = await db(tx)
      .updateTable('importRuns')
      .set((eb) => ({
        status: 'running',
        error: null,
        startedAt: eb.fn.coalesce('importRuns.startedAt', sql<Date>`now()`),
        updatedAt: sql<Date>`now()`,
      }))
      .where('importRuns.id', '=', id)
      .returning(runColumns)
      .executeTakeFirstOrThrow();
    return toRun(row);
  }

  /** Adds a batch's counts and moves the resume point, in the batch's own transaction. */
  async progress(
    tx: Tx,
    id: string,
    c: Counts,
    at: { linesDone?: number; bytesRead?: number; mergeCursor?: string },
  ): Promise<void> {
    await db(tx)
      .updateTable('importRuns')
      .set((eb) => ({
        rowsRead: eb('importRuns.rowsRead', '+', c.rowsRead ?? 0),
        created: eb('importRuns.created', '+', c.created ?? 0),
        updated: eb('importRuns.updated', '+', c.updated ?? 0),
        skipped: eb('importRuns.skipped', '+', c.skipped ?? 0),
        rejected: eb('importRuns.rejected', '+', c.rejected ?? 0),
        staged: eb('importRuns.staged', '+', c.staged ?? 0),
        casesDone: eb('importRuns.casesDone', '+', c.casesDone ?? 0),
        ...(at.linesDone !== undefined && { linesDone: at.linesDone }),
        ...(at.bytesRead !== undefined && { bytesRead: at.bytesRead }),
        ...(at.mergeCursor !== undefined && { mergeCursor: at.mergeCursor }),
        updatedAt: sql<Date>`now()`,
      }))
      .where('importRuns.id', '=', id)
      .execute();
  }

  async addEntities(tx: Tx, id: string, entities: Record<string, number>): Promise<void> {
    const keys = Object.keys(entities).filter((k) => entities[k] !== 0);
    if (!keys.length) return;
    const values = keys.map((k) => entities[k]);
    // jsonb counters: add each key's increment to what is there
    await db(tx)
      .updateTable('importRuns')
      .set((eb) => ({
        entities: sql<string>`${eb.ref('importRuns.entities')} || (
          SELECT jsonb_object_agg(k, coalesce((${eb.ref('importRuns.entities')} ->> k)::int, 0) + v)
            FROM unnest(${keys}::text[], ${values}::int[]) AS x(k, v))`,
      }))
      .where('importRuns.id', '=', id)
      .execute();
  }

  async setPhase(
    tx: Tx,
    id: string,
    phase: RunPhase,
    extra: { casesTotal?: number } = {},
  ): Promise<void> {
    await db(tx)
      .updateTable('importRuns')
      .set({
        phase,
        ...(extra.casesTotal !== undefined && { casesTotal: extra.casesTotal }),
        updatedAt: sql<Date>`now()`,
      })
      .where('importRuns.id', '=', id)
      .execute();
  }

  /** Forgets what was read (the staged rows were lost, e.g. PostgreSQL restarted): read again. */
  async restartReading(tx: Tx, id: string): Promise<void> {
    const q = db(tx);
    await q.deleteFrom('importEventRows').where('importEventRows.runId', '=', id).execute();
    await q.deleteFrom('importRejects').where('importRejects.runId', '=', id).execute();
    await q
      .updateTable('importRuns')
      .set({
        phase: 'reading',
        linesDone: 0,
        bytesRead: 0,
        rowsRead: 0,
        created: 0,
        updated: 0,
        skipped: 0,
        rejected: 0,
        staged: 0,
        casesTotal: null,
        casesDone: 0,
        mergeCursor: null,
        entities: '{}',
        updatedAt: sql<Date>`now()`,
      })
      .where('importRuns.id', '=', id)
      .execute();
  }

  async finish(tx: Tx, id: string, rejectsFile: string | null): Promise<ImportRunRow> {
    const row = await db(tx)
      .updateTable('importRuns')
      .set({
        status: 'completed',
        phase: 'done',
        finishedAt: sql<Date>`now()`,
        updatedAt: sql<Date>`now()`,
        content: null,
        rejectsFile,
      })
      .where('importRuns.id', '=', id)
      .returning(runColumns)
      .executeTakeFirstOrThrow();
    return toRun(row);
  }

  async fail(tx: Tx, id: string, error: string): Promise<void> {
    await db(tx)
      .updateTable('importRuns')
      .set({ status: 'failed', error: error.slice(0, 2000), updatedAt: sql<Date>`now()` })
      .where('importRuns.id', '=', id)
      .execute();
  }

  // ---- rejects ----------------------------------------------------------------------------

  async insertRejects(tx: Tx, runId: string, rejects: RejectRow[]): Promise<void> {
    if (!rejects.length) return;
    await db(tx)
      .insertInto('importRejects')
      .values(rejects.map((r) => ({ runId, line: r.line, reason: r.reason, fields: r.fields })))
      .onConflict((oc) => oc.columns(['runId', 'line']).doNothing())
      .execute();
  }

  async rejects(tx: Tx, runId: string, afterLine: number, limit: number): Promise<RejectRow[]> {
    return db(tx)
      .selectFrom('importRejects')
      .select(['importRejects.line', 'importRejects.reason', 'importRejects.fields'])
      .where('importRejects.runId', '=', runId)
      .where('importRejects.line', '>', afterLine)
      .orderBy('importRejects.line')
      .limit(limit)
      .execute();
  }

  // ---- event staging ----------------------------------------------------------------------

  /** Stages a batch of event-log rows (one set-based insert: a typed SQL template over `unnest`). */
  async stageEvents(tx: Tx, runId: string, rows: EventRecord[]): Promise<void> {
    if (!rows.length) return;
    const col = <T>(f: (r: EventRecord) => T) => rows.map(f);
    await sql`INSERT INTO import_event_rows (run_id, line, case_id, kind, at, actor, customer, customer_name,
                                             subject, channel, priority, requester, extra, opened_at)
       SELECT ${runId}, * FROM unnest(${col((r) => r.line)}::int[], ${col((r) => r.caseId)}::text[],
         ${col((r) => r.effect)}::text[], ${col((r) => new Date(r.at).toISOString())}::timestamptz[],
         ${col((r) => r.actor)}::text[], ${col((r) => r.customer)}::text[],
         ${col((r) => r.customerName)}::text[], ${col((r) => r.subject)}::text[],
         ${col((r) => r.channel)}::text[], ${col((r) => r.priority)}::text[],
         ${col((r) => r.requester)}::text[],
         ${col((r) => (r.extra ? JSON.stringify(r.extra) : null))}::jsonb[],
         ${col((r) => (r.openedAt != null ? new Date(r.openedAt).toISOString() : null))}::timestamptz[])`.execute(
      db(tx),
    );
  }

  async stagedCount(tx: Tx, runId: string): Promise<number> {
    const row = await db(tx)
      .selectFrom('importEventRows')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('importEventRows.runId', '=', runId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private cases(tx: Tx, runId: string, after: string | null) {
    let q = db(tx).selectFrom('importEventRows').where('importEventRows.runId', '=', runId);
    if (after !== null) q = q.where('importEventRows.caseId', '>', after);
    return q;
  }

  async countCases(tx: Tx, runId: string, after: string | null): Promise<number> {
    const row = await this.cases(tx, runId, after)
      .select((eb) => eb.fn.count<number>('importEventRows.caseId').distinct().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The staged rows of the next `limit` cases after `after` (case id order, then time, then line). */
  async nextCases(
    tx: Tx,
    runId: string,
    after: string | null,
    limit: number,
  ): Promise<{ last: string | null; rows: EventRecord[] }> {
    const bound = await db(tx)
      .selectFrom(
        this.cases(tx, runId, after)
          .select('importEventRows.caseId')
          .distinct()
          .orderBy('importEventRows.caseId')
          .limit(limit)
          .as('x'),
      )
      .select('x.caseId')
      .orderBy('x.caseId', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!bound) return { last: null, rows: [] };
    const last = bound.caseId;
    const rows = await this.cases(tx, runId, after)
      .where('importEventRows.caseId', '<=', last)
      .select([
        'importEventRows.line',
        'importEventRows.caseId',
        'importEventRows.kind',
        'importEventRows.at',
        'importEventRows.actor',
        'importEventRows.customer',
        'importEventRows.customerName',
        'importEventRows.subject',
        'importEventRows.channel',
        'importEventRows.priority',
        'importEventRows.requester',
        // jsonb as text: the camelCase plugin would rename the keys of a returned object
        sql<string | null>`import_event_rows.extra::text`.as('extra'),
        'importEventRows.openedAt',
      ])
      .orderBy('importEventRows.caseId')
      .orderBy('importEventRows.at')
      .orderBy('importEventRows.line')
      .execute();
    return {
      last,
      // staged by stageEvents from checked EventRecords: the text columns hold their unions
      rows: rows.map(({ kind, at, openedAt, channel, priority, extra, ...r }) => ({
        ...r,
        effect: kind as EventRecord['effect'],
        channel: channel as EventRecord['channel'],
        priority: priority as EventRecord['priority'],
        extra: extra === null ? null : (JSON.parse(extra) as EventRecord['extra']),
        at: at.getTime(),
        openedAt: openedAt?.getTime() ?? null,
      })),
    };
  }

  async unstage(tx: Tx, runId: string, after: string | null, last: string): Promise<number> {
    let q = db(tx)
      .deleteFrom('importEventRows')
      .where('importEventRows.runId', '=', runId)
      .where('importEventRows.caseId', '<=', last);
    if (after !== null) q = q.where('importEventRows.caseId', '>', after);
    const result = await q.executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
