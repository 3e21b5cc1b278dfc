import 'reflect-metadata';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { createClient } from 'graphql-ws';
import { Client as PgClient, Pool } from 'pg';
import WebSocket from 'ws';
import { loadConfig, prepareDatabase } from '@staydesk/core';
import { deleteRedisPrefix } from '@staydesk/testing';
import { Service, closedLoop, freePort, graphql, percentile, sleep } from './harness';

/**
 * `npm run bench:live [-- --subscribers 1000 --events 40 --seconds 8]`: live updates at scale.
 * Two api processes and a worker on a fresh database; a separate subscriber process opens N
 * graphql-ws sockets (half on each api), each subscribed to `queueChanged` (every ticket).
 * Prints: commit → delivery latency of one ticket change to all N subscribers (p50/p95/p99, over
 * `--events` changes), api RSS with N/2 sockets each, and the createTicket rate through one api
 * without subscribers and with the N subscribers connected (each created ticket is then
 * delivered N times).
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const now = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------
// The subscriber process (forked with --child): opens the sockets, records arrival times.

const QUERY = `subscription { queueChanged { change ticket { id subject } } }`;

async function child() {
  const urls = JSON.parse(process.env.LIVE_URLS!) as string[];
  const token = process.env.LIVE_TOKEN!;
  const count = Number(process.env.LIVE_SUBSCRIBERS);
  const arrivals = new Map<string, number[]>();
  const seen = new Array<boolean>(count).fill(false);
  let errors = 0;
  let firstError = '';
  for (let i = 0; i < count; i++) {
    const client = createClient({
      url: `${urls[i % urls.length].replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      // a connection refused under load (sign-in check timed out) tries again, as consoles do
      retryAttempts: 5,
    });
    client.subscribe<{ queueChanged: { ticket: { subject: string } } }>(
      { query: QUERY },
      {
        next: (r) => {
          const t = now();
          seen[i] = true;
          const subject = r.data?.queueChanged.ticket.subject ?? '';
          if (subject.startsWith('lat-')) {
            let list = arrivals.get(subject);
            if (!list) arrivals.set(subject, (list = []));
            list.push(t);
          }
          if (r.errors) {
            errors++;
            firstError ||= JSON.stringify(r.errors);
          }
        },
        error: (e) => {
          errors++;
          firstError ||= String((e as { reason?: string }).reason ?? e);
        },
        complete: () => undefined,
      },
    );
    if (i % 50 === 49) await sleep(20); // do not open 1,000 TCP connections in one burst
  }
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'ready')
      process.send!({ ready: seen.filter(Boolean).length, errors, firstError });
    if (m.cmd === 'arrivals')
      process.send!({ arrivals: Object.fromEntries(arrivals), errors, firstError });
  });
  process.send!({ started: true });
}

// ---------------------------------------------------------------------------------------------

function ask<T>(proc: ReturnType<typeof fork>, cmd: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (key in m) {
        proc.off('message', on);
        resolve(m as T);
      }
    };
    proc.on('message', on);
    proc.send({ cmd });
  });
}

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

async function main() {
  const N = arg('subscribers', 1000);
  const EVENTS = arg('events', 40);
  const SECONDS = arg('seconds', 8);
  const dbName = `staydesk_bench_live_${randomBytes(3).toString('hex')}`;
  const admin = new PgClient({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const prefix = `bench-live-${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${dbName}`,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: prefix,
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    SCHEMA_FILE: 'off',
    MIGRATIONS_RUN: 'false',
    RATE_LIMIT_USER_PER_MINUTE: '0',
    LIVE_MAX_CONNECTIONS_PER_USER: String(N + 10),
    OUTBOX_POLL_MS: '500',
    HOST: '127.0.0.1',
  };
  const services: Service[] = [];
  let subs: ReturnType<typeof fork> | undefined;
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 2 });
  try {
    await prepareDatabase(loadConfig({ ...env, MIGRATIONS_RUN: 'true' }));
    const hash = await bcrypt.hash('bench-password', 4);
    await pool.query(
      `INSERT INTO users (email, name, password_hash, role) VALUES ('admin@bench.example', 'Admin', $1, 'admin')`,
      [hash],
    );
    const { rows: c } = await pool.query<{ id: string }>(
      `INSERT INTO customers (name) VALUES ('Bench') RETURNING id::text`,
    );
    const { rows: contact } = await pool.query<{ id: string }>(
      `INSERT INTO contacts (customer_id, name, email) VALUES ($1, 'Ann', 'ann@bench.example') RETURNING id::text`,
      [c[0].id],
    );
    const dist = join(__dirname, '..');
    const ports = [await freePort(), await freePort()];
    for (const [i, port] of ports.entries()) {
      const s = Service.start(`api${i + 1}`, join(dist, 'apps/api/src/main.js'), {
        ...env,
        PORT: String(port),
      });
      services.push(s);
      await s.waitFor('api listening');
    }
    const worker = Service.start('worker', join(dist, 'apps/worker/src/main.js'), env);
    services.push(worker);
    await worker.waitFor('worker taking jobs');
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const login = await graphql(urls[0])<{ login: { token: string } }>(
      `mutation { login(email: "admin@bench.example", password: "bench-password") { token } }`,
    );
    const token = login.data.login.token;
    const gql = graphql(urls[0], token);
    const createTicket = () =>
      gql(
        `mutation($c: ID!) { createTicket(input: { requesterId: $c, subject: "Bench", channel: email }) { id } }`,
        { c: contact[0].id },
      );
    const { data } = await createTicket();
    const ticketId = (data as { createTicket: { id: string } }).createTicket.id;

    console.log(`live bench: ${N} subscribers over 2 api processes`);
    const before = await closedLoop(4, SECONDS, () => createTicket().then(() => undefined));
    const baseRss = services.slice(0, 2).map((s) => rssMb(s.child.pid!));
    console.log(
      `  createTicket without subscribers: ${before.perSecond.toFixed(0)}/s (p95 ${before.p95.toFixed(1)} ms)`,
    );

    subs = fork(__filename, ['--child'], {
      env: {
        ...process.env,
        LIVE_URLS: JSON.stringify(urls),
        LIVE_TOKEN: token,
        LIVE_SUBSCRIBERS: String(N),
      },
    });
    await new Promise((r) => subs!.once('message', r));
    let n = 0;
    const touch = (subject: string) =>
      gql(
        `mutation($id: ID!, $s: String!) { updateTicket(id: $id, input: { subject: $s }) { id } }`,
        {
          id: ticketId,
          s: subject,
        },
      );
    for (let i = 0; ; i++) {
      await touch(`warm-${n++}`);
      await sleep(300);
      const r = await ask<{ ready: number; errors: number; firstError: string }>(
        subs,
        'ready',
        'ready',
      );
      if (r.ready === N) break;
      if (i > 200)
        throw new Error(
          `only ${r.ready} of ${N} subscribers live (${r.errors} errors: ${r.firstError})`,
        );
    }

    // commit → delivery: one change at a time, every subscriber must get it
    const sent = new Map<string, { sent: number; committed: number }>();
    for (let i = 0; i < EVENTS; i++) {
      const subject = `lat-${i}`;
      const t0 = now();
      await touch(subject);
      sent.set(subject, { sent: t0, committed: now() });
      await sleep(150);
    }
    await sleep(1000);
    const { arrivals, errors } = await ask<{ arrivals: Record<string, number[]>; errors: number }>(
      subs,
      'arrivals',
      'arrivals',
    );
    const fromCommit: number[] = [];
    const fromSend: number[] = [];
    let missing = 0;
    for (const [subject, t] of sent) {
      const list = arrivals[subject] ?? [];
      missing += N - list.length;
      for (const a of list) {
        fromCommit.push(Math.max(0, a - t.committed));
        fromSend.push(a - t.sent);
      }
    }
    fromCommit.sort((a, b) => a - b);
    fromSend.sort((a, b) => a - b);
    const rss = services.slice(0, 2).map((s) => rssMb(s.child.pid!));
    const p = (xs: number[]) =>
      `p50 ${percentile(xs, 50).toFixed(1)} · p95 ${percentile(xs, 95).toFixed(1)} · p99 ${percentile(xs, 99).toFixed(1)} ms`;
    console.log(
      `  deliveries: ${fromCommit.length} of ${EVENTS * N} (${missing} missing, ${errors} errors)`,
    );
    console.log(`  commit (mutation answered) → delivered to all: ${p(fromCommit)}`);
    console.log(`  mutation sent → delivered to all:             ${p(fromSend)}`);
    console.log(
      `  api RSS: ${baseRss.map((x) => x.toFixed(0)).join(' / ')} MB before, ${rss.map((x) => x.toFixed(0)).join(' / ')} MB with ${N / 2} sockets each`,
    );

    const after = await closedLoop(4, SECONDS, () => createTicket().then(() => undefined));
    console.log(
      `  createTicket with ${N} subscribers (each ticket delivered ${N} times): ${after.perSecond.toFixed(0)}/s (p95 ${after.p95.toFixed(1)} ms) = ${((after.perSecond / before.perSecond) * 100).toFixed(0)} % of the rate without`,
    );
  } finally {
    subs?.kill('SIGKILL');
    await Promise.all(services.map((s) => s.stop()));
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await deleteRedisPrefix(prefix);
  }
}

if (process.argv.includes('--child')) {
  void child();
} else {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      console.error(`bench:live failed: ${err.stack ?? err.message}`);
      process.exit(1);
    },
  );
}
