import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import {
  UsageError,
  cliArgs,
  describeDatabaseUrl,
  ensureDatabaseExists,
  loadConfig,
  runCli,
} from '@staydesk/core';
import { run } from './backup';

/**
 * `npm run restore -- FILE`: restores a `npm run backup` file into the database of DATABASE_URL,
 * which must be empty (created when missing): restoring over live data would mix two histories.
 * Then start the api and the worker as usual; they check the schema at boot (and apply the
 * migrations of a newer build, under the advisory lock).
 */
const USAGE = 'usage: npm run restore -- FILE   (a file written by npm run backup)';

async function main() {
  const { values, positionals } = cliArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, file: { type: 'string' } },
  });
  const file = positionals[0] ?? values.file;
  if (!file || positionals.length > 1) throw new UsageError('name one backup file');
  const path = resolve(file);
  if (!existsSync(path)) throw new Error(`no backup file at ${path}`);
  const config = loadConfig(process.env);
  const where = describeDatabaseUrl(config.database.url);
  if (await ensureDatabaseExists(config.database.url)) console.log(`created the database ${where}`);
  const client = new Client({ connectionString: config.database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%'`,
    );
    if (rows[0].n > 0) {
      throw new Error(
        `${where} already has ${rows[0].n} table(s): restore into an empty database ` +
          '(point DATABASE_URL at a new one, or drop and re-create this one first)',
      );
    }
  } finally {
    await client.end();
  }
  await run('pg_restore', [
    '--no-owner',
    '--no-privileges',
    '--exit-on-error',
    '--single-transaction',
    `--dbname=${config.database.url}`,
    path,
  ]);
  console.log(`restored ${path} into ${where}; start the api and the worker`);
}

runCli('restore', USAGE, main);
