import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { Client } from 'pg';
import { loadConfig, prepareDatabase } from '@staydesk/core';
import { deleteRedisPrefix } from '@staydesk/testing';

/**
 * `npm run bench:import [-- --rows 1000000 --keep --extra-columns 30 --skip-unmapped]`: writes an event log of N rows (10 events
 * per case, 5,000 customers, a custom-field column, "yyyy/MM/dd HH:mm:ss.SSS" in
 * Europe/Amsterdam) to a temp dir, imports it with the real CLI into a fresh database, then
 * imports it again (every ticket unchanged), and prints rows/s for both.
 */
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROWS = Number(arg('rows', '1000000'));
const KEEP = process.argv.includes('--keep');
/** Extra unmapped text columns, kept as custom fields unless --skip-unmapped (docs/import.md). */
const EXTRA = Number(arg('extra-columns', '0'));
const SKIP_UNMAPPED = process.argv.includes('--skip-unmapped');
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const ACTIVITIES = [
  'Insert ticket',
  'Agent reply',
  'Wait',
  'Customer reply',
  'Resolve ticket',
  'Customer reply',
  'Agent reply',
  'Resolve ticket',
  'Closed',
  'Note added',
];

function pad(n: number, w = 2) {
  return String(n).padStart(w, '0');
}

async function writeLog(file: string): Promise<void> {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const extra = Array.from({ length: EXTRA }, (_, j) => `u_field_${j + 1}`);
  out.write(
    ['Case ID,Activity,Complete Timestamp,Resource,Customer,Product', ...extra].join(',') + '\n',
  );
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const start = Date.UTC(2023, 0, 1);
  let buf = '';
  for (let i = 0; i < ROWS; i++) {
    const c = Math.floor(i / ACTIVITIES.length);
    const k = i % ACTIVITIES.length;
    const t = new Date(start + c * 300_000 + k * (3_600_000 + Math.floor(rnd() * 7_200_000)));
    const ts = `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}.${pad(t.getUTCMilliseconds(), 3)}`;
    const cells = extra.map((_, j) =>
      j % 3 === 0
        ? `value ${(c * 7 + j + k) % 50}`
        : j % 3 === 1
          ? `${(c + j) % 1000}`
          : (c + k) % 4
            ? `group-${(c + j) % 12}`
            : '',
    );
    buf +=
      [
        `case-${c},${ACTIVITIES[k]},${ts},agent${c % 40},cust-${c % 5000},product-${c % 7}`,
        ...cells,
      ].join(',') + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.end(buf);
  await finished(out);
}

function runImport(env: Record<string, string>, args: string[]): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(__dirname, '..', 'scripts', 'import.js'), ...args],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`import exited ${code}: ${out}`)),
    );
  });
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'staydesk-bench-import-'));
  const file = join(dir, 'events.csv');
  const db = `staydesk_bench_import_${process.pid}`;
  const redisPrefix = `sdbench_${process.pid}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    let t = performance.now();
    await writeLog(file);
    const size = (await stat(file)).size;
    console.log(
      `generated ${ROWS.toLocaleString('en-US')} event rows (${(size / 1e6).toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    await admin.query(`CREATE DATABASE "${db}"`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${db}`;
    const env = {
      DATABASE_URL: url.toString(),
      REDIS_PREFIX: redisPrefix,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
    };
    await prepareDatabase(loadConfig(env), { run: true });
    const args = [
      'events',
      file,
      '--time-format',
      'yyyy/MM/dd HH:mm:ss.SSS',
      '--time-zone',
      'Europe/Amsterdam',
      '--mapping',
      await mappingFile(dir),
      '--json',
      ...(SKIP_UNMAPPED ? ['--skip-unmapped'] : []),
    ];
    for (const label of ['first import', 're-import (unchanged)']) {
      t = performance.now();
      const s = await runImport(env, args);
      const secs = (performance.now() - t) / 1000;
      console.log(
        `${label}: ${s.rowsRead.toLocaleString('en-US')} rows in ${secs.toFixed(1)} s = ${Math.round(s.rowsRead / secs).toLocaleString('en-US')} rows/s ` +
          `(created ${s.created}, updated ${s.updated}, skipped ${s.skipped}, rejected ${s.rejected}; ` +
          `tickets ${s.entities.ticketsCreated ?? 0} created, ${s.entities.ticketsUnchanged ?? 0} unchanged; events ${s.entities.ticketEvents ?? 0})`,
      );
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
    // the import queued a risk rescoring under this prefix: nobody will run it
    await deleteRedisPrefix(redisPrefix, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').catch(
      () => undefined,
    );
    await admin.end();
    if (!KEEP) await rm(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

async function mappingFile(dir: string): Promise<string> {
  const file = join(dir, 'mapping.json');
  const out = createWriteStream(file);
  out.end(JSON.stringify({ activities: { 'Note added': 'ignore' } }));
  await finished(out);
  return file;
}

main().catch((err: Error) => {
  console.error(err.stack);
  process.exit(1);
});
