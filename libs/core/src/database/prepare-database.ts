import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '@staydesk/migrations';
import { AppConfig, describeDatabaseUrl } from '../config/config';

/** A start-up problem with the database, worded for one line on stderr. */
export class DatabaseStartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseStartupError';
  }
}

const MIGRATION_LOCK = 7_422_001; // pg_advisory_lock key shared by every Staydesk process

function explainConnectError(err: unknown, where: string): string {
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case '3D000':
      return `database does not exist at DATABASE_URL (${where}); create it (createdb) or run "npm start", which creates it`;
    case '28P01':
    case '28000':
      return `PostgreSQL refused the credentials in DATABASE_URL (${where})`;
    case 'ECONNREFUSED':
      return `cannot connect to PostgreSQL at DATABASE_URL (${where}): connection refused; is it running?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the PostgreSQL host in DATABASE_URL (${where})`;
    default:
      return `cannot connect to PostgreSQL at DATABASE_URL (${where}): ${e.message ?? String(err)}`;
  }
}

export interface PrepareResult {
  applied: string[];
  known: number;
}

/**
 * Checks the database before the app boots: it must be reachable, and its schema must be one
 * this build knows. Pending migrations are applied when `migrationsRun` is on (under an
 * advisory lock, so an api and a worker starting together do not race), otherwise they stop
 * the process. A database migrated by a newer build (unknown migrations) always stops it.
 */
export async function prepareDatabase(
  config: AppConfig,
  options: { run?: boolean } = {},
): Promise<PrepareResult> {
  const run = options.run ?? config.database.migrationsRun;
  const where = describeDatabaseUrl(config.database.url);
  const lockClient = new Client({
    connectionString: config.database.url,
    connectionTimeoutMillis: 5000,
  });
  try {
    await lockClient.connect();
  } catch (err) {
    throw new DatabaseStartupError(explainConnectError(err, where));
  }
  lockClient.on('error', () => undefined);
  const dataSource = new DataSource({
    type: 'postgres',
    url: config.database.url,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    extra: { max: 2, connectionTimeoutMillis: 5000 },
  });
  // Raw queries on a dedicated client: this runs before the schema (and db.generated.ts) exists.
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.initialize();
    const knownNames = new Set(dataSource.migrations.map((m) => m.name ?? m.constructor.name));
    const hasTable = await lockClient.query<{ exists: boolean }>(
      `SELECT to_regclass('public.migrations') IS NOT NULL AS exists`,
    );
    const appliedNames: string[] = hasTable.rows[0].exists
      ? (
          await lockClient.query<{ name: string }>('SELECT name FROM migrations ORDER BY id')
        ).rows.map((r) => r.name)
      : [];
    const unknown = appliedNames.filter((n) => !knownNames.has(n));
    if (unknown.length > 0) {
      throw new DatabaseStartupError(
        `database schema is newer than this build: unknown migration(s) ${unknown.join(', ')} applied at ${where}; deploy the matching build`,
      );
    }
    const pending = [...knownNames].filter((n) => !appliedNames.includes(n));
    if (pending.length > 0 && !run) {
      throw new DatabaseStartupError(
        `database schema at ${where} is behind this build: ${pending.length} pending migration(s); run "npm run migration:run" or set MIGRATIONS_RUN=true`,
      );
    }
    const applied =
      pending.length > 0 ? await dataSource.runMigrations({ transaction: 'each' }) : [];
    return { applied: applied.map((m) => m.name), known: knownNames.size };
  } catch (err) {
    if (err instanceof DatabaseStartupError) throw err;
    throw new DatabaseStartupError(
      `database preparation failed at ${where}: ${(err as Error).message}`,
    );
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await lockClient
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK])
      .catch(() => undefined);
    await lockClient.end().catch(() => undefined);
  }
}

/** Creates the database named in DATABASE_URL if it does not exist (dev and test helper). */
export async function ensureDatabaseExists(databaseUrl: string): Promise<boolean> {
  const u = new URL(databaseUrl);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new DatabaseStartupError(
      `DATABASE_URL names a database "${name}" that is not a plain identifier`,
    );
  }
  u.pathname = '/postgres';
  const client = new Client({ connectionString: u.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new DatabaseStartupError(explainConnectError(err, describeDatabaseUrl(databaseUrl)));
  }
  // Raw queries: the server's catalog and CREATE DATABASE, before any schema exists.
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE "${name}"`);
    return true;
  } finally {
    await client.end();
  }
}
