import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, realpath, stat, unlink } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { parse } from 'csv-parse';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  APP_CONFIG,
  AppConfig,
  DomainError,
  TransactionRunner,
  badInput,
  forbidden,
  notFound,
} from '@staydesk/core';
import { IdentityService, authenticateRequest, validateId } from '@staydesk/identity';
import { csvLine } from '@staydesk/kpis';
import { ImportKind } from './import-fields';
import { confineToImportFolder } from './import-preparation';
import { FieldSuggestion, suggestActivity, suggestColumns } from './import-suggest';
import { ImportRepository } from './import.repository';

/** Sub-folder of the import folder that browser uploads go to. */
export const UPLOAD_FOLDER = 'uploads';
const NAME_OK = /\.(csv|tsv|txt)$/i;
const TYPES_OK = new Set([
  'text/csv',
  'text/plain',
  'text/tab-separated-values',
  'application/csv',
  'application/vnd.ms-excel', // what Windows browsers call a .csv
  'application/octet-stream',
  '',
]);

class UploadError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const mb = (bytes: number) =>
  bytes < 1_048_576
    ? `${Math.round(bytes / 1024)} KB`
    : `${Math.round((bytes / 1_048_576) * 10) / 10} MB`;

/** Refuses bytes that are not text: a NUL anywhere in the first 64 KiB means a binary file. */
function textOnly(limitHead = 65_536): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (seen < limitHead) {
        const head = chunk.subarray(0, limitHead - seen);
        seen += head.length;
        if (head.includes(0)) {
          done(
            new UploadError(
              415,
              'UNSUPPORTED_MEDIA_TYPE',
              'This file is not CSV text (it holds binary data). Save the sheet as CSV (UTF-8) and upload that.',
            ),
          );
          return;
        }
      }
      done(null, chunk);
    },
  });
}

/**
 * `POST /imports/uploads` (admins; multipart, one `file` field): a CSV for the history import,
 * streamed to `<IMPORT_DIR>/uploads/` and never held in memory; over IMPORT_UPLOAD_MAX_BYTES is
 * 413 and nothing is kept. Answers the path to give `importPreview` and `startImport`.
 * `GET /imports/:id/rejects.csv` (admins): a run's rejected rows as CSV (line, reason, the row).
 */
@Controller('imports')
export class ImportUploadController {
  constructor(
    private readonly identity: IdentityService,
    private readonly repo: ImportRepository,
    private readonly tx: TransactionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async admin(req: FastifyRequest) {
    const actor = await authenticateRequest(this.identity, req.headers);
    if (actor.role !== 'admin') throw forbidden(`a ${actor.role} may not import data`);
    return actor;
  }

  @Post('uploads')
  async upload(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    let target: string | null = null;
    try {
      await this.admin(req);
      const max = this.config.import.uploadMaxBytes;
      const tooLarge = new UploadError(
        413,
        'PAYLOAD_TOO_LARGE',
        `The file is larger than the upload limit of ${mb(max)} (IMPORT_UPLOAD_MAX_BYTES). Split it, or put it in the import folder on the server and import it by path.`,
      );
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > max + 65_536) throw tooLarge;
      if (!req.isMultipart())
        throw badInput('file', 'send multipart/form-data with a "file" field');
      const root = this.config.import.dir;
      if (!root)
        throw badInput('file', 'uploads need an import folder: set IMPORT_DIR on the server');
      const file = await req.file({ limits: { fileSize: max, files: 1 } });
      if (!file || file.fieldname !== 'file')
        throw badInput('file', 'send the file in a field named "file"');
      const name = file.filename.replace(/[\\/]/g, '_').trim();
      if (!NAME_OK.test(name) || !TYPES_OK.has(file.mimetype.toLowerCase())) {
        file.file.resume();
        throw new UploadError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          `"${name.slice(0, 80)}" is not a CSV file (${file.mimetype || 'no type'}). Upload a .csv, .tsv or .txt file.`,
        );
      }
      const folder = join(resolve(root), UPLOAD_FOLDER);
      await mkdir(folder, { recursive: true });
      const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(-80);
      const stamp = new Date().toISOString().slice(0, 10).replace(/-/g, '');
      target = join(folder, `${stamp}-${randomBytes(6).toString('hex')}-${safe}`);
      try {
        await pipeline(file.file, textOnly(), createWriteStream(target, { flags: 'wx' }));
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge;
        throw err;
      }
      if (file.file.truncated) throw tooLarge;
      const size = (await stat(target)).size;
      const base = await realpath(resolve(root));
      const path = relative(base, await realpath(target));
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send({ path, fileName: name, size });
    } catch (err) {
      if (target) await unlink(target).catch(() => undefined);
      return this.fail(reply, err);
    }
  }

  @Get(':id/rejects.csv')
  async rejects(@Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    try {
      await this.admin(req);
      validateId(id);
      const run = await this.repo.byId(this.tx.db, id);
      if (!run) throw notFound('import run', id);
      const columns = await this.header(run.id, run.options);
      const { repo, tx } = this;
      async function* lines() {
        yield csvLine(['line', 'reason', ...columns]);
        let after = 0;
        for (;;) {
          const page = await repo.rejects(tx.db, run!.id, after, 2000);
          if (!page.length) return;
          for (const r of page) yield csvLine([String(r.line), r.reason, ...r.fields]);
          after = page[page.length - 1].line;
        }
      }
      const base =
        run.fileName
          .split(/[\\/]/)
          .pop()!
          .replace(/\.[^.]*$/, '') || 'import';
      const filename = `${base.replace(/[^A-Za-z0-9._-]+/g, '-')}.rejects.csv`;
      return reply
        .status(200)
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(Readable.from(lines()));
    } catch (err) {
      return this.fail(reply, err);
    }
  }

  /** The run's input header (for the rejects file's columns), or none when it is gone. */
  private async header(runId: string, options: Record<string, unknown>): Promise<string[]> {
    try {
      if (typeof options.path === 'string' && this.config.import.dir) {
        const path = await confineToImportFolder(this.config.import.dir, options.path);
        return await firstRecords(createReadStream(path, { end: 1_048_575 }), 1).then(
          (r) => r[0] ?? [],
        );
      }
      const content = await this.repo.content(this.tx.db, runId);
      if (content) return (await firstRecords(Readable.from([content]), 1))[0] ?? [];
    } catch {
      /* the file went away: the rows still say what they were */
    }
    return [];
  }

  private fail(reply: FastifyReply, err: unknown): FastifyReply {
    if (err instanceof UploadError) {
      return reply
        .status(err.status)
        .header('cache-control', 'no-store')
        .header('connection', 'close')
        .send({ error: { code: err.code, message: err.message } });
    }
    if (!(err instanceof DomainError)) throw err;
    const codes: Record<string, number> = {
      BAD_USER_INPUT: 400,
      UNAUTHENTICATED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
    };
    const status = codes[err.code] ?? 400;
    return reply
      .status(status)
      .header('cache-control', 'no-store')
      .send({ error: { code: err.code, message: err.message } });
  }
}

/** The first `n` records of a CSV stream (header included), trimmed. */
export async function firstRecords(source: Readable, n: number): Promise<string[][]> {
  const parser = source.pipe(
    parse({ bom: true, to_line: n, relax_column_count: true, relax_quotes: true }),
  );
  const out: string[][] = [];
  try {
    for await (const record of parser) out.push((record as string[]).map((c) => c.trim()));
  } finally {
    source.destroy();
  }
  return out;
}

export interface ActivityCount {
  name: string;
  rows: number;
  suggestion: string | null;
}

export interface ImportPreview {
  path: string;
  header: string[];
  rows: string[][];
  columns: FieldSuggestion[];
  activityColumn: string | null;
  activities: ActivityCount[];
  activitiesComplete: boolean;
}

const SCAN_ROWS = 100_000;
const MAX_ACTIVITIES = 200;

/**
 * First rows of an uploaded (or server) CSV, a proposed column for each field, and for event
 * logs the activity names found (in the first 100 000 rows) with a proposed effect for each.
 */
export async function previewImport(
  root: string | undefined,
  path: string,
  kind: ImportKind,
  activityColumn?: string | null,
): Promise<ImportPreview> {
  const full = await confineToImportFolder(root, path);
  const head = await firstRecords(createReadStream(full, { end: 4_194_303 }), 11).catch(
    (err: Error) => {
      throw badInput('path', `cannot read this file as CSV: ${err.message}`);
    },
  );
  const header = head[0] ?? [];
  if (!header.length || header.every((h) => !h))
    throw badInput('path', 'the file has no header row');
  const columns = suggestColumns(kind, header);
  let column: string | null = null;
  const activities: ActivityCount[] = [];
  let complete = true;
  if (kind === 'events') {
    column = activityColumn ?? columns.find((c) => c.field === 'activity')?.column ?? null;
    const at = column === null ? -1 : header.indexOf(column);
    if (activityColumn && at < 0)
      throw badInput('activityColumn', `"${activityColumn}" is not a column of the file`);
    if (at >= 0) {
      const counts = new Map<string, number>();
      const source = createReadStream(full);
      const parser = source.pipe(
        parse({ bom: true, from_line: 2, relax_column_count: true, relax_quotes: true }),
      );
      let n = 0;
      try {
        for await (const record of parser) {
          const v = String((record as string[])[at] ?? '').trim();
          if (v) {
            if (counts.has(v) || counts.size < MAX_ACTIVITIES)
              counts.set(v, (counts.get(v) ?? 0) + 1);
            else complete = false;
          }
          if (++n >= SCAN_ROWS) {
            complete = false;
            break;
          }
        }
      } catch {
        complete = false; // a malformed row later on: the import's rejects will name it
      } finally {
        source.destroy();
      }
      for (const [name, rows] of [...counts].sort(
        (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
      ))
        activities.push({ name, rows, suggestion: suggestActivity(name) });
    }
  }
  return {
    path,
    header,
    rows: head.slice(1),
    columns,
    activityColumn: column,
    activities,
    activitiesComplete: complete,
  };
}
