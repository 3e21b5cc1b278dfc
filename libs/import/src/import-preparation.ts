import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { badInput } from '@staydesk/core';
import {
  ImportInputError,
  ImportOptions,
  RawOptions,
  ResolvedHeader,
  resolveHeader,
  resolveOptions,
} from './import-mapping';
import { compileTimeParser } from './time-format';

/** What to import: a file on this machine or CSV text, and the options (flags or a mapping). */
export interface ImportRequest extends Partial<Omit<RawOptions, 'kind'>> {
  kind: string;
  path?: string | null;
  content?: string | null;
  /** Shown for uploaded content. */
  fileName?: string | null;
  actorId?: string | null;
}

/** An import checked and ready to run: options, input and the matched header. */
export interface Prepared {
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

const HEAD_BYTES = 65_536;

/**
 * A server path for `startImport`: only inside the import folder (IMPORT_DIR; outside
 * production `var/import/` by default), compared after resolving symbolic links on both
 * sides, so a link in the folder to a file elsewhere is refused. The answer never shows
 * anything of a file outside the folder (it is not opened).
 */
export async function confineToImportFolder(
  root: string | undefined,
  path: string,
): Promise<string> {
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

/** Options, time format and mapping checked against the header: nothing is written before this passes. */
export async function prepareImport(request: ImportRequest): Promise<Prepared> {
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
  const columns = await readHeader(path, content);
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

async function readHeader(path: string | null, content: string | null): Promise<string[]> {
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
