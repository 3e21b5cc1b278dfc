import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  cliArgs,
  loadConfig,
  PlatformModule,
  prepareDatabase,
  runCli,
  UsageError,
} from '@staydesk/core';
import {
  IMPORT_KINDS,
  ImportInputError,
  ImportModule,
  ImportProgress,
  ImportRequest,
  ImportService,
  ImportSummary,
  TimeFormatError,
  parseMapFlag,
  parseMappingFile,
} from '@staydesk/import';

const USAGE = `usage: npm run import -- customers|tickets|events FILE.csv [options]
  --map field=Column,...   which CSV column is which field (quote names with spaces)
  --mapping FILE           a mapping file (JSON or YAML, see docs/import.md); --map wins
  --time-format FORMAT     e.g. "yyyy/MM/dd HH:mm:ss.SSS" (default ISO 8601)
  --time-zone ZONE         zone of timestamps without an offset (default UTC)
  --source NAME            the system the data comes from (default csv)
  --null-values LIST       cell values that mean "no value", comma-separated (e.g. "?,NULL,N/A")
  --skip-unmapped          keep only mapped columns (unmapped ones are not kept as custom fields)
  --dry-run                report what would change, write nothing
  --json                   print the summary as JSON`;

function parseArgs(argv: string[]): ImportRequest & { json: boolean } {
  const text = { type: 'string' } as const;
  const flag = { type: 'boolean' } as const;
  const { values: flags, positionals: positional } = cliArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { ...flag, short: 'h' },
      'dry-run': flag,
      json: flag,
      'skip-unmapped': flag,
      map: text,
      mapping: text,
      'time-format': text,
      'time-zone': text,
      source: text,
      'null-values': text,
    },
  });
  if (positional.length !== 2) throw new UsageError('give the kind and the CSV file');
  const [kind, path] = positional;
  if (!IMPORT_KINDS.includes(kind as never))
    throw new UsageError(`the kind must be one of ${IMPORT_KINDS.join(', ')} (got "${kind}")`);
  let mapping: ReturnType<typeof parseMappingFile> = {};
  if (typeof flags.mapping === 'string') {
    let text: string;
    try {
      text = readFileSync(flags.mapping, 'utf8');
    } catch {
      throw new ImportInputError(`cannot read the mapping file ${flags.mapping}`, 'mapping');
    }
    mapping = parseMappingFile(text, flags.mapping);
  }
  const str = (k: keyof typeof flags) =>
    typeof flags[k] === 'string' ? (flags[k] as string) : undefined;
  return {
    ...mapping,
    kind,
    path,
    columns: {
      ...(mapping.columns as Record<string, string> | undefined),
      ...(str('map') ? parseMapFlag(str('map')!) : {}),
    },
    timeFormat: str('time-format') ?? mapping.timeFormat,
    timeZone: str('time-zone') ?? mapping.timeZone,
    source: str('source') ?? mapping.source,
    nullValues:
      str('null-values') !== undefined ? str('null-values')!.split(',') : mapping.nullValues,
    skipUnmapped: flags['skip-unmapped'] === true || mapping.skipUnmapped,
    dryRun: flags['dry-run'] === true,
    json: flags.json === true,
  };
}

const n = (x: number) => x.toLocaleString('en-US');
const clock = (s: number) => {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
};

/** A one-line progress bar on stderr (TTY only): percent, rows, rows/s, ETA. */
function progressBar(): { update(p: ImportProgress): void; done(): void } {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let last = 0;
  let lastPhase = '';
  let phaseStart = started;
  let phaseBase = 0;
  return {
    update(p) {
      if (!tty) return;
      const now = Date.now();
      if (p.phase !== lastPhase) {
        lastPhase = p.phase;
        phaseStart = now;
        phaseBase = p.phase === 'merging' ? p.casesDone : p.rowsRead; // rates from here on
      }
      if (now - last < 100) return;
      last = now;
      const frac =
        p.phase === 'merging'
          ? p.casesTotal
            ? p.casesDone / p.casesTotal
            : 0
          : p.totalBytes
            ? p.bytesRead / p.totalBytes
            : 0;
      const width = 24;
      const filled = Math.round(Math.min(1, frac) * width);
      const secs = (now - phaseStart) / 1000;
      const doneInPhase = (p.phase === 'merging' ? p.casesDone : p.rowsRead) - phaseBase;
      const rate = secs > 0 ? doneInPhase / secs : 0;
      const eta = frac > 0 && secs > 0 ? (secs / frac) * (1 - frac) : Infinity;
      const unit = p.phase === 'merging' ? 'cases' : 'rows';
      const what =
        p.phase === 'merging' ? `${n(p.casesDone)}/${n(p.casesTotal ?? 0)}` : n(p.rowsRead);
      process.stderr.write(
        `\r${p.phase.padEnd(8)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(1).padStart(5)}%  ${what} ${unit}  ${n(Math.round(rate))} ${unit}/s  ETA ${clock(eta)}  rejected ${n(p.rejected)}\x1b[K`,
      );
    },
    done() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

/** Records first (tickets, then customers and the rest), then what happened to the rows. */
function printSummary(s: ImportSummary) {
  const secs = s.durationMs / 1000;
  const would = s.dryRun ? '  (would be)' : '';
  const e = (k: string) => s.entities[k] ?? 0;
  const lines = [
    `${s.dryRun ? 'dry run (nothing written): ' : ''}import ${s.kind} ${s.fileName}: run ${s.runId}${s.resumed ? ' (resumed)' : ''}, ${secs.toFixed(1)} s, ${n(Math.round(s.rowsRead / Math.max(secs, 0.001)))} rows/s`,
  ];
  if (s.kind === 'customers') {
    lines.push(
      `  customers      ${n(e('customersCreated'))} created, ${n(e('customersUpdated'))} updated, ${n(e('statusChanges'))} status changes${would}`,
    );
  } else {
    lines.push(
      `  tickets        ${n(e('ticketsCreated'))} created, ${n(e('ticketsUpdated'))} updated, ${n(e('ticketsUnchanged'))} unchanged${would}`,
      `  customers      ${n(e('customersCreated'))} created${e('customersSinceMovedBack') ? `, ${n(e('customersSinceMovedBack'))} dated back to an earlier ticket` : ''}`,
      `  contacts       ${n(e('contactsCreated'))} created`,
      `  ticket events  ${n(e('ticketEvents'))}`,
    );
  }
  if (e('casesStartedSolved')) {
    lines.push(
      `  ${n(e('casesStartedSolved'))} cases start solved or closed: the log begins after they were opened, so they count as solved at once (map an opened_at column if the log has one; docs/import.md)`,
    );
  }
  lines.push(
    `  rows read      ${n(s.rowsRead).padStart(12)}`,
    `  rows applied   ${n(s.created + s.updated).padStart(12)}  (${n(s.created)} creating, ${n(s.updated)} changing a record)${would}`,
    `  rows skipped   ${n(s.skipped).padStart(12)}  (unchanged, or an ignored activity)`,
    `  rows rejected  ${n(s.rejected).padStart(12)}${s.rejectsFile ? `  → ${s.rejectsFile}` : ''}`,
  );
  process.stdout.write(lines.join('\n') + '\n');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { json, ...request } = args;
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  await prepareDatabase(config);

  @Module({
    imports: [PlatformModule.forRoot(config), ImportModule],
  })
  class CliModule {}
  const app = await NestFactory.createApplicationContext(CliModule, { logger: false });
  const bar = progressBar();
  try {
    const summary = await app.get(ImportService).run(request, (p) => bar.update(p));
    bar.done();
    if (json) process.stdout.write(JSON.stringify(summary) + '\n');
    else printSummary(summary);
  } finally {
    bar.done();
    await app.close();
  }
}

runCli('import', USAGE, main, [ImportInputError, TimeFormatError]);
