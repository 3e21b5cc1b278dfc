// Over 400 lines on purpose: the live bench and its subscriber process (child(), forked from this file) together, so both sides share the protocol and probe constants.
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, setPriority } from 'node:os';
import { join, resolve } from 'node:path';
import bcrypt from 'bcryptjs';
import { Client as PgClient, Pool } from 'pg';
import Redis from 'ioredis';
import { loadConfig, prepareDatabase } from '@staydesk/core';
import { deleteRedisPrefix } from '@staydesk/testing';
import { LoadResult, Service, closedLoop, freePort, graphql, percentile, sleep } from './harness';
import { workerNodeFlags } from '../apps/worker/src/node-flags';
import { API_NODE_FLAGS, apiEnv as shippedApiEnv } from '../apps/api/src/node-flags';
import { BenchSocket } from './live-socket';

/**
 * `npm run bench:live [-- --subscribers 1000 --events 40 --seconds 8 --pairs 2 --subscriber-nice 19]`:
 * live updates at scale. Two api processes and a worker on a fresh database; a separate
 * subscriber process opens N WebSockets speaking graphql-ws (half on each api), each subscribed
 * to `queueChanged` (every ticket). Prints: commit → delivery latency of one ticket change to
 * all N subscribers (p50/p95/p99, over `--events` changes), api RSS with N/2 sockets each, the
 * fan-out alone at a fixed event rate, and the createTicket rate through one api without
 * subscribers and with the N subscribers connected (each created ticket is then delivered N
 * times) in alternating rounds (without, with, with, without, `--pairs` times; the sockets are
 * closed for the rounds without), with the CPU each process spent per created ticket: the
 * server's (apis, worker, PostgreSQL) and, apart, the load generators' (this process's
 * createTicket clients, and the subscriber process, which stands for 1,000 browsers).
 *
 * The subscriber process is a minimal graphql-ws client on a bare TCP socket (BenchSocket:
 * connection_init, subscribe, count `next` messages, read the subject of the latency probes)
 * rather than graphql-ws's own client or `ws`: on this machine it shares the cores with the api
 * processes, and what a browser spends parsing its messages is the browser's, not the server's.
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const now = () => performance.timeOrigin + performance.now();
/**
 * `--api-env KEY=VALUE,…`: extra environment of both api processes (e.g.
 * `LIVE_FLUSH_BUSY_SHARE_PERCENT=2` to try another share of the apis for socket writes under a
 * stream of events).
 */
/**
 * `--dist DIR`: run the api processes and the worker of another build (e.g. a copy of an
 * earlier `dist/`) with this bench, for before/after runs of the same measurements.
 */
const distArg = (() => {
  const i = process.argv.indexOf('--dist');
  return i > 0 ? resolve(process.argv[i + 1]) : null;
})();
const apiEnv = (() => {
  const i = process.argv.indexOf('--api-env');
  if (i < 0) return {};
  return Object.fromEntries(
    process.argv[i + 1]
      .split(',')
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  ) as Record<string, string>;
})();

// ---------------------------------------------------------------------------------------------
// The subscriber process (forked with --child): opens the sockets, records arrival times.

const QUERY = `subscription { queueChanged { change ticket { id subject } } }`;
/** A console on "Unassigned in my team" (the `teams` scenario: socket i on team i mod T). */
const TEAM_QUERY = `subscription Queue($f: QueueViewFilter) { queueChanged(filter: $f) { change ticket { id subject } } }`;
const SUBJECT = Buffer.from('"subject":"');
const QUOTE = 0x22;
/** A `next` whose payload starts with errors (graphql-js puts `errors` before `data`). */
const ERRORS = Buffer.from(',"payload":{"errors"');
const PROBE = /^(?:lat|tp)-/;

async function child() {
  const urls = JSON.parse(process.env.LIVE_URLS!) as string[];
  const token = process.env.LIVE_TOKEN!;
  const count = Number(process.env.LIVE_SUBSCRIBERS);
  const teams = process.env.LIVE_TEAMS ? (JSON.parse(process.env.LIVE_TEAMS) as string[]) : null;
  const arrivals = new Map<string, number[]>();
  const seen = new Array<boolean>(count).fill(false);
  const sockets = new Set<BenchSocket>();
  let closing = false;
  let nexts = 0;
  let errors = 0;
  let firstError = '';
  const fail = (text: string) => {
    errors++;
    firstError ||= text;
  };
  const open = (i: number, attempt: number) => {
    // a subscription id per socket like a console's (graphql-ws's client: a UUID), so the
    // server frames messages as long as real ones and cannot share one frame across sockets
    const id = randomUUID();
    const next = Buffer.from(`{"id":"${id}","type":"next"`);
    let acked = false;
    const ws: BenchSocket = new BenchSocket(
      `${urls[i % urls.length].replace(/^http/, 'ws')}/graphql`,
      'graphql-transport-ws',
      {
        onOpen: () =>
          ws.send(
            JSON.stringify({
              type: 'connection_init',
              payload: { authorization: `Bearer ${token}` },
            }),
          ),
        onText: (data, start, end) => {
          // a `next` is counted from its bytes: no string, no JSON.parse (the messages are the
          // server's cost to send; decoding 1,000 copies is the subscribers', not the server's)
          const length = end - start;
          if (
            length > next.length &&
            data.compare(next, 0, next.length, start, start + next.length) === 0
          ) {
            const t = now();
            nexts++;
            seen[i] = true;
            const from = start + next.length;
            if (data.compare(ERRORS, 0, ERRORS.length, from, from + ERRORS.length) === 0)
              fail(data.toString('utf8', start, end));
            const at = data.indexOf(SUBJECT, from);
            if (at >= 0 && at < end) {
              const s = at + SUBJECT.length;
              const subject = data.toString('latin1', s, data.indexOf(QUOTE, s));
              if (PROBE.test(subject)) {
                let list = arrivals.get(subject);
                if (!list) arrivals.set(subject, (list = []));
                list.push(t);
              }
            }
            return;
          }
          const text = data.toString('utf8', start, end);
          const msg = JSON.parse(text) as { type: string; payload?: unknown };
          if (msg.type === 'connection_ack') {
            acked = true;
            const payload = teams
              ? {
                  query: TEAM_QUERY,
                  variables: { f: { teamIds: [teams[i % teams.length]], unassigned: true } },
                }
              : { query: QUERY };
            ws.send(JSON.stringify({ id, type: 'subscribe', payload }));
          } else if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
          else if (msg.type === 'error' || msg.type === 'complete') fail(text);
        },
        onClose: (code, reason) => {
          sockets.delete(ws);
          if (closing) return;
          // a connection refused under load (sign-in check timed out) tries again, as consoles do
          if (!acked && attempt < 5) setTimeout(() => open(i, attempt + 1), 200 * (attempt + 1));
          else if (acked) fail(`closed ${code} ${reason}`);
        },
      },
    );
    sockets.add(ws);
  };
  for (let i = 0; i < count; i++) {
    open(i, 0);
    if (i % 50 === 49) await sleep(20); // do not open 1,000 TCP connections in one burst
  }
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'ready')
      process.send!({ ready: seen.filter(Boolean).length, errors, firstError });
    if (m.cmd === 'nexts') process.send!({ nexts });
    if (m.cmd === 'close') {
      // the bench's round without subscribers: every socket closed as a browser tab would
      closing = true;
      for (const ws of sockets) ws.close(1000);
      const wait = setInterval(() => {
        if (sockets.size > 0) return;
        clearInterval(wait);
        process.send!({ closed: true });
      }, 50);
    }
    if (m.cmd === 'arrivals') {
      process.send!({ arrivals: Object.fromEntries(arrivals), nexts, errors, firstError });
      arrivals.clear();
    }
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

/** CPU time (user + system, in 10 ms ticks) of each process so far. */
const ticksOf = (pid: number, kernelOnly = false) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (kernelOnly ? 0 : Number(fields[11])) + Number(fields[12]);
  } catch {
    return NaN; // gone (a PostgreSQL backend whose pool connection closed)
  }
};
const cpuTicks = (pids: Record<string, number | number[]>) =>
  Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [
      name,
      Array.isArray(pid) ? pid.map((x) => ticksOf(x)) : [ticksOf(pid)],
    ]),
  );

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

async function main() {
  const N = arg('subscribers', 1000);
  const EVENTS = arg('events', 40);
  const SECONDS = arg('seconds', 8);
  /** Events per second of the fixed-rate fan-out phase (the quiet machine's createTicket rate). */
  const RATE = arg('rate', 100);
  /**
   * createTicket rounds come in pairs of without, with, with, without (ABBA: a load that drifts
   * steadily over the run weighs on both sides alike); `--pairs` of them.
   */
  const PAIRS = Math.max(1, arg('pairs', 2));
  /**
   * Scheduling priority of the subscriber process (`--subscriber-nice`, default 19): it stands
   * for 1,000 browsers, whose CPU is theirs and not the server's; at 19 it takes the cores the
   * server leaves idle (its CPU is measured and printed apart either way). 0 = as the server.
   */
  const NICE = arg('subscriber-nice', 19);
  /**
   * The second scenario's teams (`--teams`, 0 = skip it): the N consoles each on "Unassigned in
   * my team", N / T per team, and each created ticket in one team (round robin), so it reaches
   * N / T consoles, not all N. The first scenario sends every ticket to every console.
   */
  const TEAMS = arg('teams', 20);
  if (TEAMS > 0 && N % TEAMS !== 0)
    throw new Error(`--teams ${TEAMS} must divide --subscribers ${N}`);
  const dbName = `staydesk_bench_live_${randomBytes(3).toString('hex')}`;
  const admin = new PgClient({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const prefix = `bench-live-${randomBytes(4).toString('hex')}`;
  // as the product ships (docker/compose.yml), as `npm run bench` runs it: graphql-js without its
  // development-mode checks, the api with its V8 flags and environment (node-flags.ts)
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    SURVEY_TOKEN_SECRET: randomBytes(32).toString('hex'),
    INBOUND_SMTP: 'false',
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${dbName}`,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: prefix,
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    SCHEMA_FILE: 'off',
    MIGRATIONS_RUN: 'false',
    RATE_LIMIT_USER_PER_MINUTE: '0',
    RATE_LIMIT_IP_PER_MINUTE: '0',
    // room for a new set of sockets while the last set's slots are still being released
    LIVE_MAX_CONNECTIONS_PER_USER: String(3 * N + 10),
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
    const { rows: teamRows } = await pool.query<{ id: string }>(
      `INSERT INTO teams (name) SELECT 'Bench team ' || g FROM generate_series(1, $1::int) g RETURNING id::text`,
      [TEAMS],
    );
    const teamIds = teamRows.map((t) => t.id);
    const dist = distArg ?? join(__dirname, '..');
    const ports = [await freePort(), await freePort()];
    for (const [i, port] of ports.entries()) {
      const s = Service.start(
        `api${i + 1}`,
        join(dist, 'apps/api/src/main.js'),
        { ...env, ...shippedApiEnv(), ...apiEnv, PORT: String(port) },
        API_NODE_FLAGS,
      );
      services.push(s);
      await s.waitFor('api listening');
    }
    const worker = Service.start(
      'worker',
      join(dist, 'apps/worker/src/main.js'),
      env,
      workerNodeFlags(),
    );
    services.push(worker);
    await worker.waitFor('worker taking jobs');
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const login = await graphql(urls[0])<{ login: { token: string } }>(
      `mutation { login(email: "admin@bench.example", password: "bench-password") { token } }`,
    );
    const token = login.data.login.token;
    const gql = graphql(urls[0], token);
    const createTicket = (subject = 'Bench', teamId: string | null = null) =>
      gql(
        `mutation($c: ID!, $s: String!, $t: ID) { createTicket(input: { requesterId: $c, subject: $s, channel: email, teamId: $t }) { id } }`,
        { c: contact[0].id, s: subject, t: teamId },
      );
    const created = async (teamId: string | null = null) => {
      const { data } = await createTicket('Bench', teamId);
      return (data as { createTicket: { id: string } }).createTicket.id;
    };
    const ticketId = await created();
    /** One ticket per team: the `teams` scenario's warm-up touches them all. */
    const teamTickets: string[] = [];
    for (const t of teamIds) teamTickets.push(await created(t));

    const load = () =>
      loadavg()
        .map((x) => x.toFixed(1))
        .join(' ');
    console.log(
      `live bench: ${N} subscribers over 2 api processes${Object.keys(apiEnv).length ? ` (apis with ${JSON.stringify(apiEnv)})` : ''}, subscriber process at nice ${NICE} (load average ${load()})`,
    );
    /**
     * The server's processes, and the load generators apart: `bench` (this process, the
     * createTicket clients) and `subscribers` (the 1,000 sockets, while connected).
     */
    const pids: Record<string, number | number[]> = {
      api1: services[0].child.pid!,
      api2: services[1].child.pid!,
      worker: services[2].child.pid!,
      bench: process.pid,
    };
    /** The CPU time (ms) each process spent while `work` ran. */
    const cpuDuring = async <T>(work: () => Promise<T>) => {
      // the PostgreSQL backends serving this database (the pools keep them open)
      const { rows: backends } = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1`,
        [dbName],
      );
      const all = { ...pids, postgres: backends.map((b) => b.pid) };
      // and the apis' kernel time alone (socket writes; included in api1 and api2)
      const apiPids = [pids.api1, pids.api2] as number[];
      const sys = (): Record<string, number[]> => ({
        apisKernel: apiPids.map((pid) => ticksOf(pid, true)),
      });
      const c0 = { ...cpuTicks(all), ...sys() };
      const t0 = performance.now();
      const result = await work();
      const c1 = { ...cpuTicks(all), ...sys() };
      const seconds = (performance.now() - t0) / 1000;
      const ms: Record<string, number> = {};
      for (const [k, list] of Object.entries(c1)) {
        let ticks = 0;
        list.forEach((v, i) => (ticks += Number.isFinite(v - c0[k][i]) ? v - c0[k][i] : 0));
        ms[k] = ticks * 10;
      }
      return { result, ms, seconds };
    };
    const server = (ms: Record<string, number>) => ms.api1 + ms.api2 + ms.worker + ms.postgres;
    const show = (ms: Record<string, number>, digits = 1) =>
      Object.entries(ms)
        .map(([k, v]) => `${k} ${v.toFixed(digits)}`)
        .join(' · ');
    /**
     * What each process spends per second with no tickets being created (timers, re-checks,
     * pings, the outbox poll): paid per open connection, not per ticket, and on this machine
     * divided by a rate that the load decides, so it is measured apart.
     */
    const background = async () => {
      const { ms, seconds } = await cpuDuring(() => sleep(Math.max(2, SECONDS / 2) * 1000));
      const perSecond: Record<string, number> = {};
      for (const [k, v] of Object.entries(ms)) perSecond[k] = v / seconds;
      return perSecond;
    };

    let touched = 0;
    const touch = (subject: string, id = ticketId) =>
      gql(
        `mutation($id: ID!, $s: String!) { updateTicket(id: $id, input: { subject: $s }) { id } }`,
        { id, s: subject },
      );
    /**
     * The subscriber process: forked, its N sockets open and each receiving events (every
     * ticket's, or with `teams` each socket its team's unassigned tickets').
     */
    const connect = async (teams?: string[]) => {
      const proc = fork(__filename, ['--child'], {
        env: {
          ...process.env,
          LIVE_URLS: JSON.stringify(urls),
          LIVE_TOKEN: token,
          LIVE_SUBSCRIBERS: String(N),
          ...(teams ? { LIVE_TEAMS: JSON.stringify(teams) } : {}),
        },
      });
      subs = proc;
      await new Promise((r) => proc.once('message', r));
      if (NICE !== 0) setPriority(proc.pid!, NICE);
      for (let i = 0; ; i++) {
        if (teams) for (const id of teamTickets) await touch(`warm-${touched++}`, id);
        else await touch(`warm-${touched++}`);
        await sleep(300);
        const r = await ask<{ ready: number; errors: number; firstError: string }>(
          proc,
          'ready',
          'ready',
        );
        if (r.ready === N) break;
        if (i > 200)
          throw new Error(
            `only ${r.ready} of ${N} subscribers live (${r.errors} errors: ${r.firstError})`,
          );
      }
      await ask(proc, 'arrivals', 'arrivals'); // the warm-up's
      pids.subscribers = proc.pid!;
      return proc;
    };
    /** Every socket closed (as tabs closing), the process gone, the apis done releasing them. */
    const disconnect = async (proc: ReturnType<typeof fork>) => {
      await ask(proc, 'close', 'closed');
      proc.kill('SIGKILL');
      subs = undefined;
      delete pids.subscribers;
      await sleep(1500);
    };
    /** Until every delivery of `expected` arrived, or none came for 2 s; the count. */
    const drain = async (proc: ReturnType<typeof fork>, from: number, expected: number) => {
      let last = -1;
      let still = 0;
      for (;;) {
        const got = (await ask<{ nexts: number }>(proc, 'nexts', 'nexts')).nexts - from;
        if (got >= expected) return got;
        still = got === last ? still + 1 : 0;
        if (still >= 8) return got;
        last = got;
        await sleep(250);
      }
    };

    interface Round {
      with: boolean;
      /** Every ticket to every console (`all`), or each ticket to its team's consoles. */
      scenario: 'all' | 'teams';
      r: LoadResult;
      ms: Record<string, number>;
      seconds: number;
      delivered: number;
      underLoad: number[];
      statements: Map<string, { calls: number; ms: number }>;
    }
    /**
     * One createTicket round (4 clients, closed loop) and the CPU of every process until its
     * events were delivered (subscribers) or 1.5 s after it (none): a process that is behind
     * at the end of the round pays then.
     */
    /**
     * With PostgreSQL's pg_stat_statements loaded (`shared_preload_libraries`), each round's
     * statements on the bench database: calls and execution time (wall) per statement text,
     * printed per ticket for the rounds with and without subscribers.
     */
    // the extension can be created without the library being loaded; only a read tells
    const statementsOn = await pool
      .query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
      .then(() => pool.query('SELECT 1 FROM pg_stat_statements LIMIT 1'))
      .then(
        () => true,
        () => false,
      );
    const statements = async () => {
      const out = new Map<string, { calls: number; ms: number }>();
      if (!statementsOn) return out;
      const { rows } = await pool.query<{ query: string; calls: string; ms: number }>(
        `SELECT query, calls::text, total_exec_time AS ms FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      for (const row of rows) {
        const key = row.query.replace(/\s+/g, ' ').slice(0, 90);
        const was = out.get(key) ?? { calls: 0, ms: 0 };
        out.set(key, { calls: was.calls + Number(row.calls), ms: was.ms + row.ms });
      }
      return out;
    };
    /** The consoles each created ticket reaches: all of them, or its team's. */
    const deliveriesPerTicket = (scenario: Round['scenario']) =>
      scenario === 'teams' ? N / TEAMS : N;
    const round = async (withSubs: boolean, scenario: Round['scenario']): Promise<Round> => {
      const proc = withSubs ? subs! : undefined;
      const from = proc ? (await ask<{ nexts: number }>(proc, 'nexts', 'nexts')).nexts : 0;
      const subject = withSubs ? () => `tp-${now().toFixed(1)}` : () => 'Bench';
      let delivered = 0;
      let next = 0;
      const team = scenario === 'teams' ? () => teamIds[next++ % teamIds.length] : () => null;
      const perTicket = deliveriesPerTicket(scenario);
      if (statementsOn) await pool.query('SELECT pg_stat_statements_reset()');
      const {
        result: r,
        ms,
        seconds,
      } = await cpuDuring(async () => {
        const res = await closedLoop(4, SECONDS, () =>
          createTicket(subject(), team()).then(() => undefined),
        );
        if (proc) delivered = await drain(proc, from, res.requests * perTicket);
        else await sleep(1500);
        return res;
      });
      const underLoad: number[] = [];
      if (proc) {
        const tp = await ask<{ arrivals: Record<string, number[]> }>(proc, 'arrivals', 'arrivals');
        for (const [subj, list] of Object.entries(tp.arrivals)) {
          if (!subj.startsWith('tp-')) continue;
          const sentAt = Number(subj.slice(3));
          for (const a of list) underLoad.push(a - sentAt);
        }
      }
      return {
        with: withSubs,
        scenario,
        r,
        ms,
        seconds,
        delivered,
        underLoad,
        statements: await statements(),
      };
    };

    // warm-up (JIT, pools) without and with subscribers: not counted
    await closedLoop(4, SECONDS, () => createTicket('Bench').then(() => undefined));
    const idleBefore = await background();
    const baseRss = services.slice(0, 2).map((s) => rssMb(s.child.pid!));
    subs = await connect();
    await closedLoop(4, Math.max(2, SECONDS / 2), () => createTicket('warm').then(() => undefined));
    await drain(subs, 0, Infinity);
    await ask(subs, 'arrivals', 'arrivals');

    // commit → delivery: one change at a time, every subscriber must get it; the CPU of each
    // process over these events, net of its background, is the cost of one event to N
    // subscribers when nothing coalesces (no other event in the same flush)
    const idleWith = await background();
    const sent = new Map<string, { sent: number; committed: number }>();
    const oneByOne = await cpuDuring(async () => {
      for (let i = 0; i < EVENTS; i++) {
        const subject = `lat-${i}`;
        const t0 = now();
        await touch(subject);
        sent.set(subject, { sent: t0, committed: now() });
        await sleep(150);
      }
      await sleep(1000);
    });
    const perEvent: Record<string, number> = {};
    for (const [k, v] of Object.entries(oneByOne.ms))
      perEvent[k] = Math.max(0, v - (idleWith[k] ?? 0) * oneByOne.seconds) / EVENTS;
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
    console.log(
      `  CPU per changed ticket, one at a time (updateTicket + delivery to ${N}), net of the background: ${show(perEvent, 2)} ms`,
    );
    console.log(`  mutation sent → delivered to all:             ${p(fromSend)}`);
    console.log(
      `  api RSS: ${baseRss.map((x) => x.toFixed(0)).join(' / ')} MB before, ${rss.map((x) => x.toFixed(0)).join(' / ')} MB with ${N / 2} sockets each`,
    );

    // the fan-out alone at a fixed event rate: ticket events published straight to the live
    // channel (as the worker's relay does) at RATE/s, no createTicket, so the CPU each process
    // spends per event is the fan-out's at the rate a quiet machine creates tickets, whatever
    // rate this machine reaches; the flush windows coalesce (or not) as they would there
    const publisher = new Redis(env.REDIS_URL);
    const channel = `${prefix}:live:events`;
    const fixedSeconds = Math.max(4, SECONDS);
    let published = 0;
    const nextsBefore = (await ask<{ nexts: number }>(subs, 'nexts', 'nexts')).nexts;
    const errorsBefore = errors;
    const fixed = await cpuDuring(async () => {
      const t0 = performance.now();
      while (performance.now() - t0 < fixedSeconds * 1000) {
        const due = Math.floor(((performance.now() - t0) / 1000) * RATE);
        while (published < due) {
          published++;
          await publisher.publish(
            channel,
            JSON.stringify({
              kind: 'ticket',
              id: `9${published}`,
              ticketId,
              type: 'updated',
              changes: [],
              publishedAt: Date.now(),
            }),
          );
        }
        await sleep(2);
      }
      // until every delivery arrived, or none came for 2 s (an api that fell behind still
      // spends its CPU on the events it received in the window)
      await drain(subs!, nextsBefore, published * N);
    });
    publisher.disconnect();
    const fixedNet: Record<string, number> = {};
    for (const [k, v] of Object.entries(fixed.ms))
      fixedNet[k] = Math.max(0, v - (idleWith[k] ?? 0) * fixed.seconds) / published;
    const fx = await ask<{ nexts: number; errors: number }>(subs, 'arrivals', 'arrivals');
    console.log(
      `  fan-out alone at ${RATE} events/s (${published} ticket events published to Redis in ${fixedSeconds} s, ${fx.nexts - nextsBefore} of ${published * N} delivered in ${fixed.seconds.toFixed(1)} s, ${fx.errors - errorsBefore} errors): CPU per event net of the background: ${show(fixedNet, 2)} ms; apis ${(fixedNet.api1 + fixedNet.api2).toFixed(2)} ms, server ${server(fixedNet).toFixed(2)} ms (load average ${load()})`,
    );
    await disconnect(subs);

    /** Over the rounds of one kind: the rate, and each process's CPU per ticket (all; net of its background). */
    const sum = (rounds: Round[], withSubs: boolean, perTicket: number) => {
      const rs = rounds.filter((x) => x.with === withSubs);
      const idle = withSubs ? idleWith : idleBefore;
      const requests = Math.max(
        1,
        rs.reduce((a, x) => a + x.r.requests, 0),
      );
      const gross: Record<string, number> = {};
      const net: Record<string, number> = {};
      for (const x of rs) {
        for (const [k, v] of Object.entries(x.ms)) {
          gross[k] = (gross[k] ?? 0) + v / requests;
          net[k] = (net[k] ?? 0) + Math.max(0, v - (idle[k] ?? 0) * x.seconds) / requests;
        }
      }
      const perSecond = rs.reduce((a, x) => a + x.r.perSecond, 0) / rs.length;
      const underLoad = rs.flatMap((x) => x.underLoad).sort((a, b) => a - b);
      const delivered = rs.reduce((a, x) => a + x.delivered, 0);
      const expected = rs.reduce((a, x) => a + x.r.requests * perTicket, 0);
      return { perSecond, gross, net, underLoad, delivered, expected, requests };
    };
    const serverOnly = (ms: Record<string, number>) =>
      `api1 ${ms.api1.toFixed(2)} · api2 ${ms.api2.toFixed(2)} (the apis' kernel time ${ms.apisKernel.toFixed(2)}) · worker ${ms.worker.toFixed(2)} · postgres ${ms.postgres.toFixed(2)}`;
    /** One scenario's rate ratio, CPU per ticket and deliveries. */
    const report = (rounds: Round[], perTicket: number) => {
      const without = sum(rounds, false, perTicket);
      const withS = sum(rounds, true, perTicket);
      console.log(
        `  createTicket with ${N} subscribers ÷ without (${PAIRS * 2} rounds each, alternating; each ticket delivered ${perTicket} times): ${withS.perSecond.toFixed(0)}/s ÷ ${without.perSecond.toFixed(0)}/s = ${((withS.perSecond / without.perSecond) * 100).toFixed(0)} %`,
      );
      console.log(
        `  server CPU per ticket, without → with: ${serverOnly(without.gross)} → ${serverOnly(withS.gross)} ms; server ${server(without.gross).toFixed(1)} → ${server(withS.gross).toFixed(1)} ms (a CPU-bound server would keep ${((server(without.gross) / server(withS.gross)) * 100).toFixed(0)} % of its rate)`,
      );
      console.log(
        `  … net of the background: ${serverOnly(without.net)} → ${serverOnly(withS.net)} ms; server ${server(without.net).toFixed(1)} → ${server(withS.net).toFixed(1)} ms (${((server(without.net) / server(withS.net)) * 100).toFixed(0)} %); the fan-out: apis ${(withS.net.api1 + withS.net.api2 - without.net.api1 - without.net.api2).toFixed(2)} ms per ticket`,
      );
      // every process of the bench shares this machine's cores: the CPU a ticket costs without
      // subscribers is cores ÷ rate, and the subscriber process (the consoles' browsers, which
      // are not on the server in production) adds its own CPU per ticket to that on the same
      // cores, so even a server whose cost did not grow at all would keep only this share
      const cores = cpus().length;
      const budget = (cores * 1000) / without.perSecond;
      const consoles = withS.net.subscribers ?? 0;
      console.log(
        `  load generators' CPU per ticket (not the server's), without → with: bench client ${without.gross.bench.toFixed(2)} → ${withS.gross.bench.toFixed(2)} ms; subscriber process ${(withS.gross.subscribers ?? 0).toFixed(2)} ms (net ${consoles.toFixed(2)}): on these ${cores} cores (${budget.toFixed(2)} ms of CPU per ticket without subscribers) the subscriber process alone caps the ratio at ${((budget / (budget + consoles)) * 100).toFixed(0)} %, whatever the server spends`,
      );
      console.log(
        `  deliveries of the rounds' tickets: ${withS.delivered} of ${withS.expected}; mutation sent → delivered: ${p(withS.underLoad)} (load average ${load()})`,
      );
      if (!statementsOn) return;
      const perTicketStatements = (withSubs: boolean) => {
        const rs = rounds.filter((x) => x.with === withSubs);
        const n = Math.max(
          1,
          rs.reduce((a, x) => a + x.r.requests, 0),
        );
        const sums = new Map<string, { calls: number; ms: number }>();
        for (const x of rs)
          for (const [k, v] of x.statements) {
            const was = sums.get(k) ?? { calls: 0, ms: 0 };
            sums.set(k, { calls: was.calls + v.calls / n, ms: was.ms + v.ms / n });
          }
        return sums;
      };
      const a = perTicketStatements(false);
      const b = perTicketStatements(true);
      const keys = [...new Set([...a.keys(), ...b.keys()])];
      const total = (m: Map<string, { calls: number; ms: number }>) =>
        [...m.values()].reduce((t, v) => ({ calls: t.calls + v.calls, ms: t.ms + v.ms }), {
          calls: 0,
          ms: 0,
        });
      const ta = total(a);
      const tb = total(b);
      console.log(
        `  PostgreSQL statements per ticket (pg_stat_statements), without → with: ${ta.calls.toFixed(2)} → ${tb.calls.toFixed(2)} calls, ${ta.ms.toFixed(2)} → ${tb.ms.toFixed(2)} ms executing; by growth:`,
      );
      const zero = { calls: 0, ms: 0 };
      keys
        .map((k) => ({ k, a: a.get(k) ?? zero, b: b.get(k) ?? zero }))
        .sort((x, y) => y.b.ms - y.a.ms - (x.b.ms - x.a.ms))
        .slice(0, 10)
        .forEach(({ k, a: x, b: y }) =>
          console.log(
            `    ${x.calls.toFixed(2)} → ${y.calls.toFixed(2)} calls, ${x.ms.toFixed(3)} → ${y.ms.toFixed(3)} ms: ${k}`,
          ),
        );
    };

    // createTicket without and with the subscribers, alternating: without, with, with, without;
    // first with every ticket going to every console, then (TEAMS > 0) to its team's consoles
    const rounds: Round[] = [];
    // `--teams-only`: the second scenario alone (profiling it)
    const scenarios: Round['scenario'][] = process.argv.includes('--teams-only')
      ? ['teams']
      : TEAMS > 0
        ? ['all', 'teams']
        : ['all'];
    for (const scenario of scenarios) {
      const perTicket = deliveriesPerTicket(scenario);
      if (scenario === 'teams')
        console.log(
          `  the ${N} consoles each on "Unassigned in my team" (${TEAMS} teams, ${perTicket} consoles each), each ticket created in one team (round robin):`,
        );
      for (let pair = 0; pair < PAIRS; pair++) {
        for (const withSubs of [false, true, true, false]) {
          if (withSubs && !subs) subs = await connect(scenario === 'teams' ? teamIds : undefined);
          if (!withSubs && subs) await disconnect(subs);
          const rd = await round(withSubs, scenario);
          rounds.push(rd);
          console.log(
            `  round ${rounds.length} ${withSubs ? `with ${N} subscribers` : 'without subscribers'}: ${rd.r.perSecond.toFixed(0)}/s (p95 ${rd.r.p95.toFixed(1)} ms${rd.r.errors ? `, ${rd.r.errors} errors: ${rd.r.firstError}` : ''})${withSubs ? `, ${rd.delivered} of ${rd.r.requests * perTicket} delivered` : ''} (load average ${load()})`,
          );
        }
      }
      report(
        rounds.filter((x) => x.scenario === scenario),
        perTicket,
      );
      if (scenario === 'all')
        console.log(
          `  background CPU, ms per second, without → with ${N} subscribers: ${show(idleBefore, 0)} → ${show(idleWith, 0)}`,
        );
    }
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
