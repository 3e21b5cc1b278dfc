import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { Tx } from '@staydesk/core';
import { csvLine } from '@staydesk/kpis';
import type { Prepared } from './import-preparation';
import type { ImportRunRow } from './import-run';
import { ImportRepository } from './import.repository';

/**
 * `<input>.rejects.csv` next to the input: line, reason, then the row as it was.
 * Written by the KPI exports' `csvLine` (RFC 4180, CRLF, and a leading `'` on cells that a
 * spreadsheet would run as a formula).
 */
export async function writeRejectsFile(
  repo: ImportRepository,
  db: Tx,
  run: ImportRunRow,
  p: Pick<Prepared, 'path' | 'columns'>,
): Promise<string | null> {
  if (!p.path) return null;
  const ext = extname(p.path);
  const file = join(dirname(p.path), `${basename(p.path, ext)}.rejects${ext || '.csv'}`);
  const current = await repo.byId(db, run.id);
  // a stale list from an earlier run would mislead; and a link put in its place is removed,
  // never written through ('wx' creates a new file)
  await unlink(file).catch(() => undefined);
  if (!current || current.rejected === 0) return null;
  const out = createWriteStream(file, { flags: 'wx' });
  out.write(csvLine(['line', 'reason', ...p.columns]));
  let after = 0;
  for (;;) {
    const page = await repo.rejects(db, run.id, after, 5000);
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
