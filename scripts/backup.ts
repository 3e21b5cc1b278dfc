import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, describeDatabaseUrl, loadConfig } from '@staydesk/core';

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

export function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const config = loadConfig(process.env);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const out = resolve(option('--out') ?? `backups/staydesk-${stamp}.dump`);
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

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(
      `backup: ${err instanceof ConfigError ? err.message : err.message || err}\n`,
    );
    process.exit(1);
  });
}
