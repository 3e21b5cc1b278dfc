import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, realpath, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { parse } from 'csv-parse';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  APP_CONFIG,
  AppConfig,
  AuditRepository,
  JobPublisher,
  TransactionRunner,
  Tx,
  badInput,
  conflict,
  notFound,
} from '@staydesk/core';
import { validateId } from '@staydesk/identity';
import { csvLine } from '@staydesk/kpis';
import {
  ImportInputError,
  ImportKind,
  ImportOptions,
  RawOptions,
  ResolvedHeader,
  resolveHeader,
  resolveOptions,
} from './import-mapping';
import {
  CustomerRecord,
  EventRecord,
  RowReader,
  TicketImport,
  UserDirectory,
  replayCase,
} from './import-rows';
import {
  Counts,
  ImportRepository,
  ImportRunRow,
  RejectRow,
  TicketWrite,
} from './import.repository';
import { TimeFormatError, compileTimeParser } from './time-format';

/** What to import: a file on this machine or CSV text, and the options (flags or a mapping). */
export interface ImportRequest extends Partial<Omit<RawOptions, 'kind'>> {
  kind: string;
  path?: string | null;
  content?: string | null;
  /** Shown for uploaded content. */
  fileName?: string | null;
  actorId?: string | null;
}

export interface ImportProgress {
  runId: string;
  phase: 'reading' | 'merging' | 'done';
  bytesRead: number;
  totalBytes: number | null;
  rowsRead: number;
  casesDone: number;
  casesTotal: number | null;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
}

export interface ImportSummary extends ImportProgress {
  kind: ImportKind;
  fileName: string;
  dryRun: boolean;
  resumed: boolean;
  rejectsFile: string | null;
  entities: Record<string, number>;
  durationMs: number;
}

interface Prepared {
  options: ImportOptions;
  request: ImportRequest;
  fileName: string;
  path: string | null;
  content: string | null;
  totalBytes: number | null;
  fingerprint: string;
  columns: string[];
  header: ResolvedHeader;
}

/** Raised inside a dry run's transaction to roll everything back once the counts are known. */
class DryRunRollback extends Error {}

const BATCH_ROWS = 5000;
const TICKET_BATCH = 2000;
const MERGE_CASES = 2000;
const HEAD_BYTES = 65_536;

/**
 * History import (customers, tickets, ticket event logs) from CSV, for the CLI and the worker
 * alike. Streams the file in batches, each committed with the run's resume point; event logs
 * are staged, then merged case by case into tickets whose status history is rebuilt from the
 * log. Imported history sends no surveys and writes no outbox events: one full risk rescoring
 * is enqueued when an import completes ({@link afterImportCompleted}).
 */
@Injectable()
export class ImportService {
  constructor(
    private readonly repo: ImportRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    private readonly jobs: JobPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(ImportService.name) private readonly logger: PinoLogger,
  ) {}

  // ---- entry points -----------------------------------------------------------------------

  /** Runs an import to the end in this process (the CLI), resuming an unfinished run of the same input. */
  async run(
    request: ImportRequest,
    onProgress?: (p: ImportProgress) => void,
  ): Promise<ImportSummary> {
    const prepared = await this.prepare(request);
    const existing = prepared.options.dryRun
      ? null
      : await this.repo.resumable(this.tx.db, prepared.fingerprint);
    const run = existing ?? (await this.createRun(prepared, 'running'));
    return this.execute(run, prepared, !!existing, onProgress);
  }

  /** Checks an import (options, mapping against the header) and queues it as a job (GraphQL). */
  async enqueue(actorId: string, request: ImportRequest): Promise<ImportRunRow> {
    const hasPath = !!request.path;
    const hasContent = request.content != null && request.content !== '';
    if (hasPath === hasContent) {
      throw badInput('input', 'give either path (a file on the server) or content (the CSV text)');
    }
    if (hasPath) request = { ...request, path: await this.allowedServerPath(request.path!) };
    const prepared = await this.prepare({ ...request, actorId }).catch((err: unknown) => {
      throw this.asDomainError(err);
    });
    const run = await this.createRun(prepared, 'queued');
    await this.jobs.publish('imports.run', { runId: run.id });
    return run;
  }

  /** The job: runs (or resumes, after a crash or a retry) a queued import. */
  async runQueued(runId: string): Promise<ImportSummary> {
    const run = await this.repo.byId(this.tx.db, runId);
    if (!run) throw notFound('import run', runId);
    if (run.status === 'completed') return this.summary(run, false, 0);
    const stored = run.options as unknown as ImportRequest;
    // checked again: the file may have been replaced (by a link elsewhere) since it was queued
    if (stored.path) stored.path = await this.allowedServerPath(stored.path);
    const content = stored.path ? null : await this.repo.content(this.tx.db, runId);
    const prepared = await this.prepare({ ...stored, content, actorId: run.createdById });
    return this.execute(run, prepared, run.status !== 'queued');
  }

  runById(id: string): Promise<ImportRunRow | null> {
    validateId(id);
    return this.repo.byId(this.tx.db, id);
  }

  recentRuns(limit: number): Promise<ImportRunRow[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw badInput('first', 'must be from 1 to 100');
    return this.repo.recent(this.tx.db, limit);
  }

  rejects(runId: string, afterLine: number, limit: number): Promise<RejectRow[]> {
    return this.repo.rejects(this.tx.db, runId, afterLine, limit);
  }

  /**
   * THE hook point "after an import completes" (real runs that changed something; never dry
   * runs). Imported history bypasses the outbox (no CSAT survey per historic solve, no rescore
   * per ticket), so whatever derived data must reflect it is refreshed here, once per import:
   * today one full churn-risk rescoring. KPI rollups (a `kpi:rebuild`) belong here too.
   */
  async afterImportCompleted(run: ImportRunRow): Promise<void> {
    await this.jobs.publish('risk.rescore-all', {}, { jobId: `import-${run.id}-risk` });
    // Imported tickets keep their historic updated_at, which the worker's incremental KPI
    // refresh (a watermark on tickets.updated_at) never sees: rebuild facts and cells.
    await this.jobs.publish('kpi.rebuild', {}, { jobId: `import-${run.id}-kpi` });
  }

  // ---- preparation ------------------------------------------------------------------------

  /**
   * A server path for `startImport`: only inside the import folder (IMPORT_DIR; outside
   * production `var/import/` by default), compared after resolving symbolic links on both
   * sides, so a link in the folder to a file elsewhere is refused. The answer never shows
   * anything of a file outside the folder (it is not opened).
   */
  private async allowedServerPath(path: string): Promise<string> {
    const root = this.config.import.dir;
    if (!root) {
      throw badInput(
        'path',
        'server paths are off in production unless IMPORT_DIR is set; upload the content instead',
      );
    }
    const base = await realpath(resolve(root)).catch(() => null);
    if (!base) {
      throw badInput(
        'path',
        `the import folder ${resolve(root)} (IMPORT_DIR) does not exist; create it and put the file there`,
      );
    }
    const outside = badInput(
      'path',
      `must be a file inside the import folder ${base} (IMPORT_DIR); links to files elsewhere are not followed`,
    );
    const full = resolve(base, path);
    const real = await realpath(full).catch(() => null);
    if (!real) {
      if (full !== base && !full.startsWith(base + sep)) throw outside;
      throw badInput('path', `${full} is not a readable file`);
    }
    if (!real.startsWith(base + sep)) throw outside;
    return real;
  }

  private asDomainError(err: unknown): unknown {
    if (err instanceof ImportInputError) return badInput(err.field, err.message);
    if (err instanceof TimeFormatError) return badInput('timeFormat', err.message);
    return err;
  }

  /** Options, time format and mapping checked against the header: nothing is written before this passes. */
  async prepare(request: ImportRequest): Promise<Prepared> {
    const options = resolveOptions({
      kind: request.kind,
      source: request.source,
      columns: request.columns,
      timeFormat: request.timeFormat,
      timeZone: request.timeZone,
      activities: request.activities,
      values: request.values,
      ignore: request.ignore,
      nullValues: request.nullValues,
      rename: request.rename,
      skipUnmapped: request.skipUnmapped,
      dryRun: request.dryRun,
    });
    compileTimeParser(options.timeFormat, options.timeZone); // throws TimeFormatError
    let path: string | null = null;
    let content: string | null = null;
    let totalBytes: number | null;
    let fileName: string;
    const digest = createHash('sha256');
    const { dryRun: _dry, ...identity } = options;
    void _dry;
    digest.update(JSON.stringify({ ...identity, dryRun: options.dryRun }));
    if (request.path) {
      path = resolve(request.path);
      const s = await stat(path).catch(() => null);
      if (!s || !s.isFile()) throw new ImportInputError(`${path} is not a readable file`, 'path');
      totalBytes = s.size;
      fileName = path;
      const fh = await open(path, 'r');
      try {
        const head = Buffer.alloc(Math.min(HEAD_BYTES, s.size));
        await fh.read(head, 0, head.length, 0);
        const tail = Buffer.alloc(Math.min(HEAD_BYTES, s.size));
        await fh.read(tail, 0, tail.length, Math.max(0, s.size - tail.length));
        digest.update(`${path}\n${s.size}\n`).update(head).update(tail);
      } finally {
        await fh.close();
      }
    } else if (request.content != null) {
      content = request.content;
      totalBytes = Buffer.byteLength(content);
      fileName = request.fileName?.trim() || `upload.csv`;
      digest.update(content);
    } else {
      throw new ImportInputError('no input: give a file path or the CSV content', 'path');
    }
    const columns = await this.readHeader(path, content);
    if (!columns.length || columns.every((c) => !c.trim()))
      throw new ImportInputError(`${fileName} has no header row`, 'path');
    const header = resolveHeader(options, columns);
    return {
      options,
      request,
      fileName,
      path,
      content,
      totalBytes,
      fingerprint: digest.digest('hex'),
      columns,
      header,
    };
  }

  private async readHeader(path: string | null, content: string | null): Promise<string[]> {
    const source = path
      ? createReadStream(path, { start: 0, end: 1_048_575 })
      : Readable.from([Buffer.from(content ?? '')]);
    const parser = source.pipe(parse({ bom: true, to_line: 1, relax_column_count: true }));
    try {
      for await (const record of parser) return (record as string[]).map((c) => c.trim());
      return [];
    } catch (err) {
      throw new ImportInputError(`cannot read the header: ${(err as Error).message}`, 'path');
    } finally {
      source.destroy();
    }
  }

  private createRun(p: Prepared, status: 'queued' | 'running'): Promise<ImportRunRow> {
    const { content: _c, actorId: _a, ...stored } = p.request;
    void _c;
    void _a;
    return this.repo.createRun(this.tx.db, {
      kind: p.options.kind,
      source: p.options.source,
      fileName: p.fileName,
      fingerprint: p.fingerprint,
      options: { ...stored, path: p.path } as Record<string, unknown>,
      dryRun: p.options.dryRun,
      totalBytes: p.totalBytes,
      content: p.content,
      createdById: p.request.actorId ?? null,
      status,
    });
  }

  // ---- execution --------------------------------------------------------------------------

  private async execute(
    initial: ImportRunRow,
    p: Prepared,
    resumed: boolean,
    onProgress?: (p: ImportProgress) => void,
  ): Promise<ImportSummary> {
    const started = performance.now();
    try {
      // The lock lives in a transaction held for the whole import: a second process (or a
      // retried job) cannot work the same run, and a killed process releases it at once.
      return await this.tx.run(async (lockTx) => {
        if (!(await this.repo.tryLock(lockTx, initial.id))) {
          throw conflict(
            `import run ${initial.id} of ${p.fileName} is being worked by another process; wait for it or stop it`,
          );
        }
        let run = await this.repo.start(this.tx.db, initial.id);
        const work = new ImportWork(this.repo, this.tx, p, run, onProgress);
        if (p.options.dryRun) {
          await this.tx
            .run(async (dry) => {
              await work.perform(dry);
              throw new DryRunRollback();
            })
            .catch((err: unknown) => {
              if (!(err instanceof DryRunRollback)) throw err;
            });
        } else {
          await work.perform(null);
        }
        const rejectsFile = await this.writeRejects(run, p);
        run = await this.repo.finish(this.tx.db, run.id, rejectsFile);
        await this.audit.record(this.tx.db, {
          actorId: run.createdById,
          action: p.options.dryRun ? 'import.dry_run' : 'import.completed',
          entity: 'import_run',
          entityId: run.id,
          details: {
            kind: run.kind,
            source: run.source,
            file: run.fileName,
            read: run.rowsRead,
            created: run.created,
            updated: run.updated,
            skipped: run.skipped,
            rejected: run.rejected,
          },
        });
        if (!p.options.dryRun && run.created + run.updated > 0) {
          await this.afterImportCompleted(run).catch((err: Error) =>
            this.logger.warn(
              { err, runId: run.id },
              'import done, but the follow-up rescoring could not be queued (the nightly run will catch up)',
            ),
          );
        }
        return this.summary(run, resumed, Math.round(performance.now() - started));
      });
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      await this.repo.fail(this.tx.db, initial.id, message).catch(() => undefined);
      throw this.asDomainError(err) as Error;
    }
  }

  /** `<input>.rejects.csv` next to the input: line, reason, then the row as it was. */
  private async writeRejects(run: ImportRunRow, p: Prepared): Promise<string | null> {
    if (!p.path) return null;
    const ext = extname(p.path);
    const file = join(dirname(p.path), `${basename(p.path, ext)}.rejects${ext || '.csv'}`);
    const current = await this.repo.byId(this.tx.db, run.id);
    // a stale list from an earlier run would mislead; and a link put in its place is removed,
    // never written through ('wx' creates a new file)
    await unlink(file).catch(() => undefined);
    if (!current || current.rejected === 0) return null;
    const out = createWriteStream(file, { flags: 'wx' });
    out.write(csvLine(['line', 'reason', ...p.columns]));
    let after = 0;
    for (;;) {
      const page = await this.repo.rejects(this.tx.db, run.id, after, 5000);
      if (!page.length) break;
      for (const r of page) {
        if (!out.write(csvLine([String(r.line), r.reason, ...r.fields])))
          await new Promise<void>((res) => out.once('drain', () => res()));
      }
      after = page[page.length - 1].line;
    }
    out.end();
    await finished(out);
    return file;
  }

  private summary(run: ImportRunRow, resumed: boolean, durationMs: number): ImportSummary {
    return {
      runId: run.id,
      kind: run.kind,
      fileName: run.fileName,
      dryRun: run.dryRun,
      resumed,
      phase: run.phase,
      bytesRead: run.bytesRead,
      totalBytes: run.totalBytes,
      rowsRead: run.rowsRead,
      casesDone: run.casesDone,
      casesTotal: run.casesTotal,
      created: run.created,
      updated: run.updated,
      skipped: run.skipped,
      rejected: run.rejected,
      rejectsFile: run.rejectsFile,
      entities: run.entities,
      durationMs,
    };
  }
}

/**
 * One import's work: reading (and staging, for event logs), then merging. Each batch commits
 * its rows, its rejects and the run's counters and resume point together, so a killed run
 * resumes exactly where its last commit left it. In a dry run everything goes through one
 * transaction that the caller rolls back (counters and rejects are still recorded on the run).
 */
class ImportWork {
  private users: UserDirectory = new Map();
  private state: ImportProgress;
  private dry: Tx | null = null;

  constructor(
    private readonly repo: ImportRepository,
    private readonly tx: TransactionRunner,
    private readonly p: Prepared,
    private run: ImportRunRow,
    private readonly onProgress?: (p: ImportProgress) => void,
  ) {
    this.state = {
      runId: run.id,
      phase: run.phase,
      bytesRead: run.bytesRead,
      totalBytes: run.totalBytes,
      rowsRead: run.rowsRead,
      casesDone: run.casesDone,
      casesTotal: run.casesTotal,
      created: run.created,
      updated: run.updated,
      skipped: run.skipped,
      rejected: run.rejected,
    };
  }

  /** A batch: data through `data`, counters/rejects through `meta` (the same transaction unless dry). */
  private batch(work: (data: Tx, meta: Tx) => Promise<void>): Promise<void> {
    if (this.dry) return work(this.dry, this.tx.db);
    return this.tx.run((t) => work(t, t));
  }

  private async commit(
    meta: Tx,
    counts: Counts,
    at: { linesDone?: number; bytesRead?: number; mergeCursor?: string },
    rejects: RejectRow[],
    entities: Record<string, number> = {},
  ) {
    await this.repo.insertRejects(meta, this.run.id, rejects);
    await this.repo.progress(meta, this.run.id, counts, at);
    await this.repo.addEntities(meta, this.run.id, entities);
  }

  private bump(counts: Counts, at: { bytesRead?: number } = {}) {
    const s = this.state;
    s.rowsRead += counts.rowsRead ?? 0;
    s.created += counts.created ?? 0;
    s.updated += counts.updated ?? 0;
    s.skipped += counts.skipped ?? 0;
    s.rejected += counts.rejected ?? 0;
    s.casesDone += counts.casesDone ?? 0;
    if (at.bytesRead !== undefined) s.bytesRead = at.bytesRead;
    this.onProgress?.({ ...s });
  }

  async perform(dry: Tx | null): Promise<void> {
    this.dry = dry;
    this.users = await this.repo.userDirectory(this.tx.db);
    if (this.p.options.kind === 'events' && !dry && this.run.linesDone > 0) {
      // staged rows live in an UNLOGGED table: a PostgreSQL crash empties it; read again then
      const staged = await this.repo.stagedCount(this.tx.db, this.run.id);
      if (staged !== this.run.staged) await this.restart();
    }
    if (this.run.phase === 'reading') await this.read();
    if (this.p.options.kind === 'events') await this.merge();
  }

  private async restart() {
    await this.repo.restartReading(this.tx.db, this.run.id);
    this.run = (await this.repo.byId(this.tx.db, this.run.id))!;
    Object.assign(this.state, {
      phase: 'reading',
      bytesRead: 0,
      rowsRead: 0,
      casesDone: 0,
      casesTotal: null,
      created: 0,
      updated: 0,
      skipped: 0,
      rejected: 0,
    });
  }

  private async read(): Promise<void> {
    const source = this.p.path
      ? createReadStream(this.p.path, { highWaterMark: 1 << 20 })
      : Readable.from([Buffer.from(this.p.content ?? '')]);
    let bytes = 0; // consumed by the parser (what is read ahead does not count)
    const parser = parse({
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
    });
    const resumeAfter = this.run.linesDone;
    const broken = new Map<number, string>();
    parser.on('skip', (err: Error & { lines?: number }) => {
      const line = err.lines ?? 0;
      if (line > resumeAfter && !broken.has(line))
        broken.set(line, `unreadable CSV: ${err.message.replace(/ at line \d+/, '')}`);
    });
    source.pipe(parser);

    let first = true;
    let pending: { line: number; fields: string[] }[] = [];
    let inflight: Promise<void> = Promise.resolve();
    const submit = async (rows: { line: number; fields: string[] }[], last: boolean) => {
      await inflight; // batches commit in order: the resume point only moves forward
      const upTo = last ? Number.MAX_SAFE_INTEGER : (rows[rows.length - 1]?.line ?? 0);
      const bad: RejectRow[] = [];
      for (const [line, reason] of broken) {
        if (line <= upTo) {
          bad.push({ line, reason, fields: [] });
          broken.delete(line);
        }
      }
      inflight = this.flush(rows, bad, bytes);
      inflight.catch(() => undefined);
    };
    try {
      for await (const item of parser as AsyncIterable<{
        record: string[];
        info: { lines: number; bytes: number };
      }>) {
        bytes = item.info.bytes;
        if (first) {
          first = false; // the header, already checked
          continue;
        }
        if (item.info.lines <= resumeAfter) continue;
        pending.push({ line: item.info.lines, fields: item.record });
        if (pending.length >= BATCH_ROWS) {
          await submit(pending, false);
          pending = [];
        }
      }
      bytes = this.p.totalBytes ?? bytes;
      await submit(pending, true);
      await inflight;
    } finally {
      source.destroy();
    }
    if (this.p.options.kind === 'events') {
      const meta = this.dry ?? this.tx.db;
      const cases = await this.repo.countCases(meta, this.run.id, null);
      await this.repo.setPhase(this.tx.db, this.run.id, 'merging', { casesTotal: cases });
      this.state.phase = 'merging';
      this.state.casesTotal = cases;
    }
  }

  private async flush(
    rows: { line: number; fields: string[] }[],
    broken: RejectRow[],
    bytesRead: number,
  ): Promise<void> {
    const kind = this.p.options.kind;
    const rejects: RejectRow[] = [...broken];
    let skipped = 0;
    const linesDone = rows.length ? rows[rows.length - 1].line : undefined;
    const counts: Counts = { rowsRead: rows.length + broken.length };
    if (kind === 'events') {
      const staged: EventRecord[] = [];
      for (const r of rows) {
        const res = this.reader().event(r.fields, r.line);
        if ('value' in res) staged.push(res.value);
        else if ('skip' in res) skipped += 1;
        else rejects.push({ line: r.line, reason: res.reject, fields: r.fields });
      }
      await this.batch(async (data, meta) => {
        await this.repo.stageEvents(data, this.run.id, staged);
        Object.assign(counts, { skipped, rejected: rejects.length, staged: staged.length });
        await this.commit(meta, counts, { linesDone, bytesRead }, rejects);
      });
    } else if (kind === 'customers') {
      const byId = new Map<string, CustomerRecord>();
      for (const r of rows) {
        const res = this.reader().customer(r.fields);
        if ('value' in res) {
          if (byId.has(res.value.externalId)) skipped += 1; // a later row of the same id wins
          byId.set(res.value.externalId, res.value);
        } else if ('reject' in res)
          rejects.push({ line: r.line, reason: res.reject, fields: r.fields });
      }
      await this.batch(async (data, meta) => {
        const r = byId.size
          ? await this.repo.upsertCustomers(data, this.p.options.source, [...byId.values()])
          : { created: 0, updated: 0, skipped: 0, statusChanges: 0 };
        Object.assign(counts, {
          created: r.created,
          updated: r.updated,
          skipped: skipped + r.skipped,
          rejected: rejects.length,
        });
        await this.commit(meta, counts, { linesDone, bytesRead }, rejects, {
          customersCreated: r.created,
          customersUpdated: r.updated,
          statusChanges: r.statusChanges,
        });
      });
    } else {
      const byId = new Map<string, TicketImport>();
      for (const r of rows) {
        const res = this.reader().ticket(r.fields);
        if ('value' in res) {
          if (byId.has(res.value.externalId)) skipped += 1;
          byId.set(res.value.externalId, res.value);
        } else if ('reject' in res)
          rejects.push({ line: r.line, reason: res.reject, fields: r.fields });
      }
      const tickets = [...byId.values()];
      await this.batch(async (data, meta) => {
        const entities: Record<string, number> = {};
        const written = { created: 0, updated: 0, unchanged: 0 };
        for (let i = 0; i < tickets.length; i += TICKET_BATCH) {
          const w = await this.writeTickets(data, tickets.slice(i, i + TICKET_BATCH), entities);
          written.created += w.created.length;
          written.updated += w.updated.length;
          written.unchanged += w.unchanged;
        }
        Object.assign(counts, {
          created: written.created,
          updated: written.updated,
          skipped: skipped + written.unchanged,
          rejected: rejects.length,
        });
        await this.commit(meta, counts, { linesDone, bytesRead }, rejects, entities);
      });
    }
    this.bump(counts, { bytesRead });
  }

  private readerCache: RowReader | null = null;
  private reader(): RowReader {
    const { options, header, columns } = this.p;
    this.readerCache ??= new RowReader(
      options,
      header,
      compileTimeParser(options.timeFormat, options.timeZone),
      this.users,
      columns.length,
    );
    return this.readerCache;
  }

  /** Customers, requesters, tickets and their rebuilt history for a set of tickets. */
  private async writeTickets(
    data: Tx,
    tickets: TicketImport[],
    entities: Record<string, number>,
  ): Promise<{ created: TicketWrite[]; updated: TicketWrite[]; unchanged: number }> {
    const source = this.p.options.source;
    const wanted = new Map<string, { externalId: string; name: string | null; since: Date }>();
    for (const t of tickets) {
      const w = wanted.get(t.customer);
      if (!w)
        wanted.set(t.customer, {
          externalId: t.customer,
          name: t.customerName,
          since: t.createdAt,
        });
      else {
        if (t.createdAt < w.since) w.since = t.createdAt;
        w.name ??= t.customerName;
      }
    }
    const customers = await this.repo.ensureCustomers(data, source, [...wanted.values()]);
    const contacts = await this.repo.ensureContacts(
      data,
      source,
      tickets.map((t) => ({
        customerId: customers.ids.get(t.customer)!,
        email: t.requesterEmail,
        name: t.requesterName,
      })),
    );
    const writes: TicketWrite[] = tickets.map((t) => {
      const customerId = customers.ids.get(t.customer)!;
      return { ...t, customerId, requesterId: contacts.id(customerId, t.requesterEmail) };
    });
    const r = await this.repo.upsertTickets(data, source, writes);
    const add = (k: string, n: number) => (entities[k] = (entities[k] ?? 0) + n);
    add('customersCreated', customers.created);
    add('customersSinceMovedBack', customers.sinceMoved);
    add('contactsCreated', contacts.created);
    add('ticketsCreated', r.created.length);
    add('ticketsUpdated', r.updated.length);
    add('ticketsUnchanged', tickets.length - r.created.length - r.updated.length);
    add('ticketEvents', r.events);
    return { ...r, unchanged: tickets.length - r.created.length - r.updated.length };
  }

  /** Event logs, second phase: rebuild each staged case into a ticket, in chunks of cases. */
  private async merge(): Promise<void> {
    const meta = this.dry ?? this.tx.db;
    let after = this.run.mergeCursor;
    if (this.state.casesTotal === null) {
      this.state.casesTotal = await this.repo.countCases(meta, this.run.id, null);
    }
    this.state.phase = 'merging';
    const fetch = (from: string | null) =>
      this.repo.nextCases(meta, this.run.id, from, MERGE_CASES);
    let next = fetch(after);
    for (;;) {
      const chunk = await next;
      if (!chunk.last) break;
      if (!this.dry) next = fetch(chunk.last); // read ahead while this chunk is written
      const cases: TicketImport[] = [];
      let caseCount = 0;
      for (let i = 0; i < chunk.rows.length;) {
        let j = i;
        while (j < chunk.rows.length && chunk.rows[j].caseId === chunk.rows[i].caseId) j++;
        const rows = chunk.rows.slice(i, j);
        caseCount += 1;
        // a case with nothing but ignored activities makes no ticket (its rows are skipped)
        if (rows.some((r) => r.effect !== 'ignore'))
          cases.push(replayCase(chunk.rows[i].caseId, rows, this.users));
        i = j;
      }
      const counts: Counts = { casesDone: caseCount, staged: -chunk.rows.length };
      const entities: Record<string, number> = {};
      const startedSolved = cases.filter((c) => c.startedSolved).length;
      if (startedSolved) entities.casesStartedSolved = startedSolved;
      await this.batch(async (data, m) => {
        const w = await this.writeTickets(data, cases, entities);
        const rows = (list: TicketImport[]) => list.reduce((s, t) => s + t.rows, 0);
        counts.created = rows(w.created);
        counts.updated = rows(w.updated);
        counts.skipped = chunk.rows.length - counts.created - counts.updated;
        await this.repo.unstage(data, this.run.id, after, chunk.last!);
        await this.commit(m, counts, { mergeCursor: chunk.last! }, [], entities);
      });
      this.bump(counts);
      after = chunk.last;
      if (this.dry) next = fetch(after);
    }
  }
}
