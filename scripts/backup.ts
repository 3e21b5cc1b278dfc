import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { cliArgs, describeDatabaseUrl, loadConfig, runCli } from '@staydesk/core';

/**
 * `npm run backup [-- --out FILE]`: a consistent snapshot of the PostgreSQL database (the system
 * of record) in pg_dump's custom format (compressed; `pg_restore` can restore it whole or in
 * part, in parallel). Runs against a live database: pg_dump reads one MVCC snapshot and takes no
 * locks that block the api or the worker. See docs/operations.md for what else to keep.
 */
export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    child.once('error', (err) =>
      fail(new Error(`${command} could not start (${err.message}); install the PostgreSQL client`)),
    );
    child.once('exit', (code) =>
      code === 0 ? ok() : fail(new Error(`${command} exited with code ${code}`)),
    );
  });
}

const USAGE = 'usage: npm run backup [-- --out FILE]';

async function main() {
  const { values } = cliArgs({
    args: process.argv.slice(2),
    options: { help: { type: 'boolean', short: 'h' }, out: { type: 'string' } },
  });
  const config = loadConfig(process.env);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const out = resolve(values.out ?? `backups/staydesk-${stamp}.dump`);
  mkdirSync(dirname(out), { recursive: true });
  await run('pg_dump', [
    '--format=custom',
    '--no-owner',
    '--no-privileges',
    `--file=${out}`,
    `--dbname=${config.database.url}`,
  ]);
  console.log(`backup of ${describeDatabaseUrl(config.database.url)} written to ${out}`);
}

if (require.main === module) runCli('backup', USAGE, main);
