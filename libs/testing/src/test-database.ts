import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Admin connection used to create and drop throwaway databases (never the app's own database). */
export const TEST_ADMIN_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Database names carry their creation time so a later run can drop what a crashed run left. */
export const TEST_DB_PREFIX = 'staydesk_t_';
export const TEMPLATE_ENV = 'STAYDESK_TEST_TEMPLATE';

export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export function databaseUrl(name: string): string {
  const u = new URL(TEST_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const assertIdentifier = (name: string) => {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`not a safe database name: ${name}`);
};

/** Creates a database as a copy of the migrated template (fast: a file copy, no migrations). */
export async function createTestDatabase(template = process.env[TEMPLATE_ENV]): Promise<string> {
  if (!template) throw new Error(`${TEMPLATE_ENV} is not set: run through the e2e jest project`);
  const name = uniqueName(TEST_DB_PREFIX);
  assertIdentifier(name);
  assertIdentifier(template);
  await withAdmin(async (c) => {
    // CREATE DATABASE … TEMPLATE fails while another session is connected to the template;
    // parallel test files only read it, so retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '55006' || attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
  return name;
}

export async function dropTestDatabase(name: string): Promise<void> {
  assertIdentifier(name);
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Drops throwaway databases older than `maxAgeMs` (left behind by killed runs). */
export async function dropStaleTestDatabases(maxAgeMs = 2 * 3600_000): Promise<string[]> {
  return withAdmin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'staydesk\\_t%'`,
    );
    const dropped: string[] = [];
    for (const { datname } of rows) {
      const stamp = /^staydesk_t(?:pl)?_([0-9a-z]+)_/.exec(datname)?.[1];
      if (!stamp || Date.now() - parseInt(stamp, 36) < maxAgeMs) continue;
      await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      dropped.push(datname);
    }
    return dropped;
  });
}
