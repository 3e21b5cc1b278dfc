import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * Private PostgreSQL and Redis servers for fault-injection tests: each runs on a spare loopback
 * port from a temporary folder, so a test may kill or restart it without touching the machine's
 * shared servers (127.0.0.1:5432 and :6379 are never stopped).
 */

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released). */
export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

export interface PrivateRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  /** SIGTERM: with appendonly the data is fsynced first, as on a clean production restart. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `redis-server --port N --save ''` in a temp folder. `persistent: true` adds an append-only file
 * (fsync always) so a stop/start keeps the queues, as BullMQ's production guidance requires.
 */
export async function startPrivateRedis(
  options: { persistent?: boolean } = {},
): Promise<PrivateRedis> {
  const port = await sparePort();
  const dir = mkdtempSync(join(tmpdir(), 'sd-redis-'));
  let child: ChildProcess | undefined;
  const ping = async () => {
    const out = execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.toString().trim() === 'PONG';
  };
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir];
      args.push(
        ...(options.persistent
          ? ['--appendonly', 'yes', '--appendfsync', 'always']
          : ['--appendonly', 'no']),
      );
      child = spawn('redis-server', args, { stdio: 'ignore' });
      await until(`redis on ${port}`, ping, 10_000);
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
      child = undefined;
    },
    async close() {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}

export interface PrivatePostgres {
  port: number;
  /** Connection URL of a database on this server (default: postgres). */
  url(database?: string): string;
  start(): Promise<void>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  close(): Promise<void>;
  /** How the server is run (as the postgres user when the tests run as root). */
  runAs: string;
}

function pgBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL binaries under ${base}/*/bin`);
  return join(base, versions[0], 'bin');
}

/**
 * `initdb` + `pg_ctl` into a temp folder, trust auth, listening on 127.0.0.1:N only.
 * initdb refuses to run as root, so when the tests run as root (uid 0) every server command runs
 * as the `postgres` OS user through `runuser -u postgres --` (util-linux, present wherever the
 * PostgreSQL packages are), and the temp folder is handed to that user.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await sparePort();
  const bin = pgBin();
  const dir = mkdtempSync(join(tmpdir(), 'sd-pg-'));
  const data = join(dir, 'data');
  const root = process.getuid?.() === 0;
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const run = (cmd: string, args: string[]) =>
    root
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], {
          stdio: 'pipe',
        })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const pg: PrivatePostgres = {
    port,
    url,
    runAs: root ? 'runuser -u postgres' : 'the current user',
    async start() {
      const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
      run('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
      await until(
        `postgres on ${port}`,
        async () => {
          const c = new Client({ connectionString: url(), connectionTimeoutMillis: 1000 });
          await c.connect();
          await c.end();
          return true;
        },
        15_000,
      );
    },
    async stop(mode = 'fast') {
      run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
    },
    async close() {
      await pg.stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}
