import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { Pool } from 'pg';
import { PASSWORD } from '../support/factories';
import { eventually } from '../support/eventually';
import { join } from 'node:path';
import {
  API_MAIN,
  ROOT,
  RunningChild,
  WORKER_MAIN,
  listeningUrl,
  runToExit,
  startProcess,
} from '../support/processes';

const MIGRATE_MAIN = join(ROOT, 'dist', 'scripts', 'migrate.js');
import {
  PrivatePostgres,
  PrivateRedis,
  startPrivatePostgres,
  startPrivateRedis,
} from '../support/private-servers';

export interface GqlResult {
  status: number;
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
  /** Set when no HTTP response came back at all (connection refused or reset). */
  network?: string;
}

/** POSTs one GraphQL operation; never throws (network failures are reported in the result). */
export async function gqlAt(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
  timeoutMs = 15_000,
): Promise<GqlResult> {
  try {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let body: { data?: unknown; errors?: GqlResult['errors'] } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = {
        errors: [{ message: text.slice(0, 200), extensions: { code: `HTTP_${res.status}` } }],
      };
    }
    return { status: res.status, data: body.data, errors: body.errors };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { status: 0, network: e.cause?.code ?? e.name ?? e.message };
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** {@link eventually} at the fault tests' pace: a check every 200 ms, until `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  await eventually(what, check, { timeoutMs, intervalMs: 200 });
}

/**
 * Surveys with no delay, throttle or reminder: a CSAT survey per solve, mailed as soon as the
 * outbox event of the solve is relayed.
 */
export const SURVEYS_AT_ONCE = {
  CSAT_DELAY_SECONDS: '0',
  SURVEY_THROTTLE_DAYS: '0',
  SURVEY_REMINDER_SECONDS: '0',
};

/** Surveys marked sent in the database. */
export async function surveysSent(db: Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM surveys WHERE sent_at IS NOT NULL`,
  );
  return rows[0].n;
}

/**
 * One fault-injection environment: a private PostgreSQL and Redis, a database migrated by the
 * first api start, and helpers to run the built api and worker as real child processes.
 */
export interface FaultStack {
  pg: PrivatePostgres;
  redis: PrivateRedis;
  db: Pool;
  env: Record<string, string>;
  startApi(extra?: Record<string, string>): Promise<{ proc: RunningChild; url: string }>;
  startWorker(extra?: Record<string, string>): Promise<RunningChild>;
  /** Inserts a user with the test password; returns its id. */
  user(email: string, role: string, teamId?: string | null): Promise<string>;
  close(): Promise<void>;
}

export async function startFaultStack(
  env: Record<string, string> = {},
  options: { persistentRedis?: boolean } = {},
): Promise<FaultStack> {
  const [pg, redis] = await Promise.all([
    startPrivatePostgres(),
    startPrivateRedis({ persistent: options.persistentRedis }),
  ]);
  const children: RunningChild[] = [];
  const baseEnv: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: pg.url('staydesk'),
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'sdf',
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: randomBytes(32).toString('hex'),
    SURVEY_TOKEN_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    SCHEMA_FILE: 'off',
    DATABASE_POOL_SIZE: '8',
    OUTBOX_POLL_MS: '300',
    WORKER_LOCK_MS: '2000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    SHUTDOWN_TIMEOUT_MS: '20000',
    WORKER_METRICS_PORT: '0', // several workers on one machine
    ...env,
  };
  const migrated = await runToExit(MIGRATE_MAIN, baseEnv, 60_000).catch((err: Error) => ({
    code: -1,
    stderr: err.message,
  }));
  if (migrated.code !== 0) {
    await Promise.all([pg.close(), redis.close()]);
    throw new Error(`migration failed: ${migrated.stderr}`);
  }
  const db = new Pool({ connectionString: pg.url('staydesk'), max: 3 });
  // pool.end() can resolve while a client is still closing; the DROP DATABASE … WITH (FORCE)
  // that follows then terminates it, and a pool without a listener throws that error
  db.on('error', () => undefined);
  db.on('error', () => undefined); // the server is restarted on purpose
  const hash = await bcrypt.hash(PASSWORD, 4);
  const stack: FaultStack = {
    pg,
    redis,
    db,
    env: baseEnv,
    async startApi(extra = {}) {
      const proc = await startProcess(API_MAIN, { ...baseEnv, ...extra });
      children.push(proc);
      return { proc, url: listeningUrl(proc) };
    },
    async startWorker(extra = {}) {
      const proc = await startProcess(WORKER_MAIN, { ...baseEnv, ...extra });
      children.push(proc);
      return proc;
    },
    async user(email, role, teamId = null) {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO users (email, name, password_hash, role, team_id) VALUES ($1, $1, $2, $3, $4) RETURNING id::text`,
        [email, hash, role, teamId],
      );
      return rows[0].id;
    },
    async close() {
      await Promise.all(children.map((c) => c.stop('SIGKILL', 5000)));
      await db.end().catch(() => undefined);
      await Promise.all([pg.close(), redis.close()]);
    },
  };
  return stack;
}

export async function loginAt(url: string, email: string): Promise<string> {
  const res = await gqlAt(
    url,
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
    { e: email, p: PASSWORD },
  );
  if (!res.data?.login) throw new Error(`login failed: ${JSON.stringify(res)}`);
  return res.data.login.token as string;
}

/**
 * `n` tickets on one customer, each with its own contact (so survey throttling never applies),
 * in status `status`; with `outbox`, a `ticket.solved` event per ticket, as a solve writes it.
 */
export async function seedTickets(
  db: Pool,
  n: number,
  status: 'open' | 'solved',
  options: { outbox?: boolean; teamId?: string } = {},
): Promise<string[]> {
  const tag = randomBytes(3).toString('hex');
  const { rows: c } = await db.query<{ id: string }>(
    `INSERT INTO customers (name) VALUES ($1) RETURNING id::text`,
    [`Fault ${tag}`],
  );
  await db.query(
    `INSERT INTO contacts (customer_id, name, email)
     SELECT $1, 'Person ' || g, 'p' || g || '-${tag}@fault.example' FROM generate_series(1, $2) g`,
    [c[0].id, n],
  );
  const solved = status === 'solved';
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO tickets (customer_id, requester_id, subject, channel, priority, status, team_id,
                          first_response_at, solved_at, solve_count)
     SELECT customer_id, id, 'Case ' || id, 'email', 'normal', $2, $3, now(),
            CASE WHEN $4 THEN now() END, CASE WHEN $4 THEN 1 ELSE 0 END
       FROM contacts WHERE customer_id = $1 ORDER BY id
     RETURNING id::text`,
    [c[0].id, status, options.teamId ?? null, solved],
  );
  if (options.outbox) {
    await db.query(
      `INSERT INTO outbox (type, payload)
       SELECT 'ticket.solved', jsonb_build_object('ticketId', id::text, 'customerId', customer_id::text, 'solveCycle', 1)
         FROM tickets WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [rows.map((r) => r.id)],
    );
  }
  return rows.map((r) => r.id);
}

/** Mails per recipient address: how many times each was sent. */
export function countByRecipient(mails: { to: string[] }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const mail of mails) for (const to of mail.to) m.set(to, (m.get(to) ?? 0) + 1);
  return m;
}
