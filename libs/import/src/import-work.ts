import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { TransactionRunner, Tx } from '@staydesk/core';
import type { Prepared } from './import-preparation';
import type { CustomerRecord, EventRecord, TicketImport, UserDirectory } from './import-records';
import { replayCase } from './import-replay';
import { RowReader } from './import-rows';
import { ImportMergeRepository, TicketWrite } from './import-merge.repository';
import { Counts, ImportRunRow, RejectRow } from './import-run';
import { ImportRepository } from './import.repository';
import { compileTimeParser } from './time-format';

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

/** Where a run stands, as its row records it. */
export function progressOf(run: ImportRunRow): ImportProgress {
  return {
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

const BATCH_ROWS = 5000;
const TICKET_BATCH = 2000;
const MERGE_CASES = 2000;

/**
 * One import's work: reading (and staging, for event logs), then merging. Each batch commits
 * its rows, its rejects and the run's counters and resume point together, so a killed run
 * resumes exactly where its last commit left it. In a dry run everything goes through one
 * transaction that the caller rolls back (counters and rejects are still recorded on the run).
 */
export class ImportWork {
  private users: UserDirectory = new Map();
  private state: ImportProgress;
  private dry: Tx | null = null;

  constructor(
    private readonly repo: ImportRepository,
    private readonly upserts: ImportMergeRepository,
    private readonly tx: TransactionRunner,
    private readonly p: Prepared,
    private run: ImportRunRow,
    private readonly onProgress?: (p: ImportProgress) => void,
  ) {
    this.state = progressOf(run);
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
    this.users = await this.upserts.userDirectory(this.tx.db);
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
          ? await this.upserts.upsertCustomers(data, this.p.options.source, [...byId.values()])
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
    const customers = await this.upserts.ensureCustomers(data, source, [...wanted.values()]);
    const contacts = await this.upserts.ensureContacts(
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
    const r = await this.upserts.upsertTickets(data, source, writes);
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
