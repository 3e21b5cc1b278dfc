import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { QUEUES } from '@staydesk/core';
import {
  LoadResult,
  Service,
  backlog,
  closedLoop,
  graphql,
  median,
  procCpuSeconds,
  sleep,
} from './harness';

/**
 * `npm run bench`'s createTicket phase: createTicket over GraphQL against the same rows written
 * by raw `pg` clients (ticket with its search vector, the `created` event, audit row, outbox
 * row), 32 closed-loop clients, in alternating rounds.
 *
 * Fair to both sides (issue 19): every round starts with the outbox relayed and the worker's
 * queues empty. Both sides write `ticket.created` outbox rows, and the worker relays them and
 * runs what they cause (debounced risk rescores, KPI refresh) on the same two cores; without the
 * wait, the raw rounds' thousands of events were processed during the next api round. The work
 * each round leaves behind is measured after it (the wait for the worker to settle) and reported
 * per ticket, next to the CPU each process spent during the round.
 */

export interface CreateBenchOptions {
  url: string;
  token: string;
  /** The apis' METRICS_TOKEN (their /metrics needs it in production). */
  metricsToken?: string;
  /** A small pool of the bench itself (contacts, outbox backlog, pg_stat_activity). */
  pool: Pool;
  dbUrl: string;
  apiPoolSize: number;
  api: Service;
  worker: Service;
  /** A second api (`--variant`), measured in the same alternating rounds. */
  variant?: { url: string; service: Service; name: string };
  redis: Redis;
  prefix: string;
  seconds: number;
  rounds: number;
  record: (name: string, value: string, target?: string, pass?: boolean | null) => void;
  notes: string[];
  /** `--create-detail`: print every round (backlog, CPU per process, waits, event-loop delay). */
  detail?: boolean;
  /**
   * false (`--create-no-settle`): rounds back to back as before issue 19's fairness fix, each
   * side's background work left to the next round (to measure what the wait changes).
   */
  settle?: boolean;
  /**
   * `--create-fetch`: one more side in the same alternating rounds, the api through the global
   * `fetch` the bench used before issue 19's client change (3–4× the CPU per request), to show
   * what the load generator costs.
   */
  withFetch?: boolean;
}

const CLIENTS = 32;

interface Cpu {
  api: number;
  variant: number;
  worker: number;
  /** PostgreSQL backends of the bench database */
  pg: number;
  /** … of which the worker's connections (relay, rescores, KPI refresh) */
  pgWorker: number;
  /** this process (the 32 clients) */
  bench: number;
}

interface Round extends LoadResult {
  side: string;
  /** outbox rows not yet relayed and queue jobs pending when the round started */
  backlog: number;
  /** CPU ms per created ticket during the round, and during the settle after it */
  during: Cpu;
  after: Cpu;
  settleSeconds: number;
  /** sampled states of the database's backends: "who: state/wait" → share of samples */
  waits: Map<string, number>;
  /** api event-loop delay during the round (monitorEventLoopDelay via /metrics), ms */
  loop?: { p50: number; p99: number; max: number };
}

export async function benchCreateTicket(o: CreateBenchOptions): Promise<void> {
  const { pool } = o;
  const { rows: contacts } = await pool.query<{ id: string; customer_id: string }>(
    `SELECT ct.id::text, ct.customer_id::text FROM contacts ct JOIN customers c ON c.id = ct.customer_id
     WHERE c.status = 'active' ORDER BY random() LIMIT 500`,
  );
  const { rows: admins } = await pool.query<{ id: string }>(
    `SELECT id::text FROM users WHERE role = 'admin' ORDER BY id LIMIT 1`,
  );
  const actorId = admins[0].id;
  const mutation = `mutation($input: CreateTicketInput!) { createTicket(input: $input) { id } }`;
  const viaApi =
    (url: string, client: 'http' | 'fetch' = 'http') =>
    async () => {
      // new connections every round: a keep-alive socket the server closed while idle between
      // rounds (its keep-alive timeout) would fail the first request sent on it
      const http = client === 'http' ? keepAliveGraphql(url, o.token) : null;
      const gql = http?.gql ?? graphql(url, o.token);
      try {
        return await closedLoop(CLIENTS, o.seconds, async (client, n) => {
          const c = contacts[(client * 7919 + n) % contacts.length];
          await gql(mutation, {
            input: {
              requesterId: c.id,
              subject: `Bench ticket ${client}-${n}: cannot export invoices`,
              channel: 'email',
              priority: 'normal',
            },
          });
        });
      } finally {
        http?.close();
      }
    };
  // 32 connections (one per client: the figure's baseline since the start), and as many as the
  // api's pool (like the plain baseline): how much is the pool, how much the stack
  const direct = new Pool({ connectionString: o.dbUrl, max: CLIENTS });
  const samePool = new Pool({ connectionString: o.dbUrl, max: o.apiPoolSize });
  const viaPg = (direct: Pool) => () =>
    closedLoop(CLIENTS, o.seconds, async (client, n) => {
      const c = contacts[(client * 7919 + n) % contacts.length];
      const db = await direct.connect();
      try {
        await db.query('BEGIN');
        const subject = `Bench ticket ${client}-${n}: cannot export invoices`;
        const t = await db.query<{ id: string }>(
          `INSERT INTO tickets (customer_id, requester_id, subject, channel, priority, status, tags,
             created_by_id, first_response_due_at, resolution_due_at, next_due_at, created_at, updated_at, search)
           VALUES ($1, $2, $3, 'email', 'normal', 'new', '{}', $4, now() + interval '4 hours',
             now() + interval '1 day', now() + interval '4 hours', now(), now(), to_tsvector('english', $3))
           RETURNING id`,
          [c.customer_id, c.id, subject, actorId],
        );
        const id = t.rows[0].id;
        await db.query(
          `INSERT INTO ticket_events (ticket_id, actor_id, type, from_value, to_value, created_at)
           VALUES ($1, $2, 'created', NULL, 'new', now())`,
          [id, actorId],
        );
        await db.query(
          `INSERT INTO audit_log (actor_id, action, entity, entity_id, details) VALUES ($1, 'ticket.create', 'ticket', $2, $3)`,
          [actorId, id, { channel: 'email', priority: 'normal' }],
        );
        await db.query(`INSERT INTO outbox (type, payload) VALUES ('ticket.created', $1)`, [
          { ticketId: id, customerId: c.customer_id },
        ]);
        await db.query('COMMIT');
      } catch (err) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        db.release();
      }
    });
  // the statements of a creation in the steady state (the first one also fills the caches:
  // the variant's too, or its first round runs the transactional path until its rules cache is
  // read)
  const probe = (url: string) =>
    graphql(url, o.token)(mutation, {
      input: { requesterId: contacts[0].id, subject: 'Bench probe', channel: 'email' },
    });
  await probe(o.url);
  const sql = (await probe(o.url)).extensions?.sqlQueries;
  if (o.variant) await probe(o.variant.url);
  // warm the raw pools' connections so their first round does not pay the connects
  await Promise.all([warm(direct, CLIENTS), warm(samePool, o.apiPoolSize)]);

  const sides: { side: string; run: () => Promise<LoadResult>; api?: Service; url?: string }[] = [
    { side: 'api', run: viaApi(o.url), api: o.api, url: o.url },
    ...(o.variant
      ? [
          {
            side: 'variant',
            run: viaApi(o.variant.url),
            api: o.variant.service,
            url: o.variant.url,
          },
        ]
      : []),
    ...(o.withFetch
      ? [{ side: 'apiFetch', run: viaApi(o.url, 'fetch'), api: o.api, url: o.url }]
      : []),
    { side: 'pg', run: viaPg(direct) },
    { side: 'pgPool', run: viaPg(samePool) },
  ];
  const queues = QUEUES.map((q) => new Queue(q, { connection: o.redis, prefix: o.prefix }));
  const owners = () =>
    ownersOfPorts([
      ['api', o.api.child.pid],
      ['variant', o.variant?.service.child.pid],
      ['worker', o.worker.child.pid],
      ['bench', process.pid],
    ]);
  const rounds: Round[] = [];
  try {
    // at full size the worker's boot rescore can outlast run.ts's wait for it on a loaded
    // machine (it is an active job of the risk queue): the first round starts after it
    const boot = await settle(pool, queues, o.settle !== false, 900_000);
    if (boot.seconds > 1)
      o.notes.push(
        `createTicket: waited ${boot.seconds.toFixed(0)} s for the worker before the first round (backlog ${boot.backlogAtStart})`,
      );
    for (let i = 0; i < o.rounds; i++) {
      for (const s of sides) {
        const settled = await settle(pool, queues, o.settle !== false);
        const backlog = settled.backlogAtStart;
        if (s.url) await eventLoopDelay(s.url, o.metricsToken); // resets the histogram
        const c0 = await cpu(o, pool);
        const sampler = sampleWaits(pool, owners);
        const result = await s.run();
        const waits = await sampler.stop();
        const c1 = await cpu(o, pool);
        const loop = s.url ? await eventLoopDelay(s.url, o.metricsToken) : undefined;
        const after = await settle(pool, queues, o.settle !== false);
        const c2 = await cpu(o, pool);
        const n = Math.max(result.requests, 1);
        const round: Round = {
          ...result,
          side: s.side,
          backlog,
          during: perTicket(c0, c1, n),
          after: perTicket(c1, c2, n),
          settleSeconds: after.seconds,
          waits,
          loop,
        };
        rounds.push(round);
        if (o.detail) printRound(round);
      }
    }
  } finally {
    await Promise.all(queues.map((q) => q.close()));
    await direct.end();
    await samePool.end();
  }
  report(o, rounds, typeof sql === 'number' ? sql : undefined);
}

/**
 * The api side's load generator (issue 19): a GraphQL client over keep-alive `node:http`
 * connections (one per client at most), reading the body as one buffer. The global `fetch`
 * (undici's WHATWG layer: Request/Response objects, web streams) cost 2.5–4.7 ms of the bench's
 * CPU per request against raw pg's client 0.9–1.3 ms per transaction, on the same two cores as
 * the api. The bench's own CPU per request is printed for both sides.
 */
function keepAliveGraphql(url: string, token: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const { hostname, port } = new URL(url);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const gql = (query: string, variables: Record<string, unknown>) =>
    new Promise<{ data: unknown }>((resolve, reject) => {
      const body = JSON.stringify({ query, variables });
      const req = request(
        {
          agent,
          hostname,
          port,
          path: '/graphql',
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            try {
              const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
                data: unknown;
                errors?: { message: string; extensions?: { code?: string } }[];
              };
              const e = parsed.errors?.[0];
              if (e) reject(new Error(`${e.extensions?.code ?? res.statusCode}: ${e.message}`));
              else resolve(parsed);
            } catch (err) {
              reject(err as Error);
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { gql, close: () => agent.destroy() };
}

async function warm(pool: Pool, n: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: n }, () => pool.connect()));
  for (const c of clients) c.release();
}

const of = (rounds: Round[], side: string) => rounds.filter((r) => r.side === side);
const rate = (rs: Round[]) => median(rs.map((r) => r.perSecond));
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => `${x.toFixed(1)} ms`;

function report(o: CreateBenchOptions, rounds: Round[], sql?: number): void {
  const api = of(rounds, 'api');
  const pg = of(rounds, 'pg');
  const pgPool = of(rounds, 'pgPool');
  const variant = of(rounds, 'variant');
  const line = (rs: Round[]) =>
    `${fmt(rate(rs))}/s · p50 ${ms(median(rs.map((r) => r.p50)))} · p95 ${ms(median(rs.map((r) => r.p95)))}`;
  const viaApi = [...api, ...variant, ...of(rounds, 'apiFetch')];
  const errors = viaApi.reduce((s, r) => s + r.errors, 0);
  if (errors > 0)
    o.notes.push(
      `createTicket: ${errors} errors, first: ${viaApi.find((r) => r.firstError)?.firstError}`,
    );
  o.record(
    'createTicket over HTTP, 32 clients',
    `${line(api)}${sql !== undefined ? ` · ${sql} SQL` : ''}`,
  );
  const cpuLine = (rs: Round[], withApi: 'api' | 'variant' | null) => {
    const m = (f: (r: Round) => number) => median(rs.map(f)).toFixed(2);
    const during = [
      ...(withApi ? [`api ${m((r) => r.during[withApi])}`] : []),
      `PostgreSQL ${m((r) => r.during.pg - r.during.pgWorker)} (+ ${m((r) => r.during.pgWorker)} for the worker)`,
      `worker ${m((r) => r.during.worker)}`,
      `bench clients ${m((r) => r.during.bench)}`,
    ].join(' · ');
    return `${during} ms; after the round: worker ${m((r) => r.after.worker)} · PostgreSQL ${m((r) => r.after.pg)} ms`;
  };
  o.record('  CPU per createTicket (median of rounds)', cpuLine(api, 'api'));
  o.record('same transaction on raw pg, 32 clients', line(pg));
  o.record('  CPU per raw-pg transaction', cpuLine(pg, null));
  const a = rate(api);
  const p = rate(pg);
  o.record('createTicket ÷ raw pg', `${((100 * a) / p).toFixed(0)} %`, '≥ 50 %', a / p >= 0.5);
  const q = rate(pgPool);
  o.record(
    `same transaction on raw pg, 32 clients over ${o.apiPoolSize} connections (the api's pool)`,
    line(pgPool),
  );
  o.record(`createTicket ÷ raw pg with the api's pool`, `${((100 * a) / q).toFixed(0)} %`);
  const viaFetch = of(rounds, 'apiFetch');
  if (viaFetch.length) {
    o.record(
      'createTicket over HTTP through `fetch` (the old client), same rounds',
      line(viaFetch),
    );
    o.record('  CPU per createTicket', cpuLine(viaFetch, 'api'));
    o.record(`  ÷ raw pg`, `${((100 * rate(viaFetch)) / p).toFixed(0)} %`);
  }
  if (variant.length) {
    o.record(`createTicket with ${o.variant!.name}, same rounds`, line(variant));
    o.record('  CPU per createTicket', cpuLine(variant, 'variant'));
    o.record(`  ÷ raw pg`, `${((100 * rate(variant)) / p).toFixed(0)} %`);
  }
  const backlog = Math.max(...rounds.map((r) => r.backlog));
  const settle = median(rounds.map((r) => r.settleSeconds));
  if (o.settle === false)
    o.notes.push(
      `createTicket: rounds back to back (--create-no-settle); largest backlog at a round's start: ${backlog}`,
    );
  else
    o.notes.push(
      `createTicket: every round started with the outbox relayed and the queues empty (largest backlog left at a round's start: ${backlog}); the worker took a median ${settle.toFixed(1)} s to settle after a round`,
    );
}

function perTicket(a: Cpu, b: Cpu, n: number): Cpu {
  return {
    api: (b.api - a.api) / n,
    variant: (b.variant - a.variant) / n,
    worker: (b.worker - a.worker) / n,
    pg: (b.pg - a.pg) / n,
    pgWorker: (b.pgWorker - a.pgWorker) / n,
    bench: (b.bench - a.bench) / n,
  };
}

/** CPU ms used so far by each process of the measurement (PostgreSQL: the database's backends). */
async function cpu(o: CreateBenchOptions, pool: Pool): Promise<Cpu> {
  const { rows } = await pool.query<{ pid: number; port: number | null }>(
    `SELECT pid, client_port AS port FROM pg_stat_activity WHERE datname = current_database()`,
  );
  const usage = process.cpuUsage();
  let owners: Map<number, string> | null = null;
  for (const r of rows) {
    if (backendOwner.has(r.pid) || r.port === null) continue;
    owners ??= ownersOfPorts([['worker', o.worker.child.pid]]);
    backendOwner.set(r.pid, owners.get(r.port) ?? 'other');
  }
  const pg = backendCpu(rows.map((r) => r.pid));
  return {
    api: o.api.cpuMs(),
    variant: o.variant?.service.cpuMs() ?? 0,
    worker: o.worker.cpuMs(),
    pg: pg.all,
    pgWorker: pg.worker,
    bench: (usage.user + usage.system) / 1000,
  };
}

/**
 * PostgreSQL backends come and go (pools connect lazily, the worker's jobs too): the sum over the
 * backends seen so far, each at its latest reading, so one that ended keeps its last value.
 */
const lastSeen = new Map<number, number>();
/** Which process a backend serves ('worker' or 'other'), from its client port when first seen. */
const backendOwner = new Map<number, string>();
function backendCpu(pids: number[]): { all: number; worker: number } {
  for (const pid of pids) {
    const s = procCpuSeconds(pid);
    if (s > 0) lastSeen.set(pid, s * 1000);
  }
  let all = 0;
  let worker = 0;
  for (const [pid, v] of lastSeen) {
    all += v;
    if (backendOwner.get(pid) === 'worker') worker += v;
  }
  return { all, worker };
}

/**
 * Waits (up to two minutes, or `limitMs`) until the outbox is relayed and no queue has jobs waiting, running
 * or due within a minute (repeatable jobs aside), like run.ts's waitForIdle.
 */
async function settle(
  pool: Pool,
  queues: Queue[],
  wait = true,
  limitMs = 120_000,
): Promise<{ backlogAtStart: number; seconds: number }> {
  const started = performance.now();
  let first: number | null = null;
  for (;;) {
    const busy = await backlog(pool, queues, 200);
    first ??= busy;
    if (busy === 0 || !wait || performance.now() - started > limitMs) break;
    await sleep(250);
  }
  return { backlogAtStart: first, seconds: (performance.now() - started) / 1000 };
}

/**
 * Which process holds each local TCP port connected to PostgreSQL (client_port in
 * pg_stat_activity): the sockets in /proc/<pid>/fd matched to /proc/net/tcp's inodes.
 */
function ownersOfPorts(procs: [string, number | undefined][]): Map<number, string> {
  const portOfInode = new Map<string, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const local = f[1].split(':');
      portOfInode.set(f[9], parseInt(local[local.length - 1], 16));
    }
  }
  const owners = new Map<number, string>();
  for (const [name, pid] of procs) {
    if (!pid) continue;
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        const port = m && portOfInode.get(m[1]);
        if (port) owners.set(port, name);
      } catch {
        // gone meanwhile
      }
    }
  }
  return owners;
}

/**
 * Samples the database's client backends every 100 ms: which process they serve (by client
 * port) and what they are doing (`active` with its wait event, `idle in transaction`, `idle`).
 */
function sampleWaits(pool: Pool, ownersNow: () => Map<number, string>) {
  // pools open and close connections: ports seen for the first time are looked up again
  let owners = ownersNow();
  const counts = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const { rows } = await pool.query<{
          port: number | null;
          state: string | null;
          wait: string | null;
          query: string;
        }>(
          `SELECT client_port AS port, state,
                  wait_event_type || ':' || wait_event AS wait, left(query, 24) AS query
             FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend'
              AND pid <> pg_backend_pid()`,
        );
        samples++;
        if (rows.some((r) => r.port !== null && !owners.has(r.port))) owners = ownersNow();
        for (const r of rows) {
          if (r.state === 'idle') continue;
          const who = (r.port !== null && owners.get(r.port)) || 'other';
          const key = `${who}: ${r.state}${r.wait ? ` ${r.wait}` : ''}${r.state === 'active' && r.wait?.startsWith('Lock') ? ` (${r.query})` : ''}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      } catch {
        // the sampler must not fail the round
      }
      await sleep(100);
    }
  })();
  return {
    async stop(): Promise<Map<string, number>> {
      stopped = true;
      await loop;
      // average number of backends in each state per sample
      return new Map([...counts].map(([k, v]) => [k, v / Math.max(samples, 1)]));
    },
  };
}

/** The api's event-loop delay since the last call (prom-client resets its histogram per scrape). */
async function eventLoopDelay(
  url: string,
  token?: string,
): Promise<{ p50: number; p99: number; max: number } | undefined> {
  try {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const response = await fetch(`${url}/metrics`, { headers });
    if (!response.ok) return undefined;
    const text = await response.text();
    const v = (name: string) =>
      1000 * Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
    return {
      p50: v('nodejs_eventloop_lag_p50_seconds'),
      p99: v('nodejs_eventloop_lag_p99_seconds'),
      max: v('nodejs_eventloop_lag_max_seconds'),
    };
  } catch {
    return undefined;
  }
}

function printRound(r: Round): void {
  const c = (x: Cpu) =>
    `api ${x.api.toFixed(2)} · variant ${x.variant.toFixed(2)} · worker ${x.worker.toFixed(2)} · pg ${x.pg.toFixed(2)} (worker's ${x.pgWorker.toFixed(2)}) · bench ${x.bench.toFixed(2)}`;
  const waits = [...r.waits]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join('; ');
  console.log(
    `  [${r.side}] ${r.perSecond.toFixed(0)}/s p50 ${r.p50.toFixed(0)} ms${r.errors ? `, ${r.errors} errors (${r.firstError})` : ''}, backlog at start ${r.backlog}, settle after ${r.settleSeconds.toFixed(1)} s${r.loop ? `, loop delay p50 ${r.loop.p50.toFixed(1)} p99 ${r.loop.p99.toFixed(1)} max ${r.loop.max.toFixed(1)} ms` : ''}\n` +
      `      CPU ms/ticket during: ${c(r.during)}\n      after: ${c(r.after)}\n      backends (avg count): ${waits}`,
  );
}
