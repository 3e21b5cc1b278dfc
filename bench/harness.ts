import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Queue } from 'bullmq';
import type { Pool } from 'pg';
import { SMTPServer } from 'smtp-server';

/** Small building blocks of `npm run bench`: closed-loop load, percentiles, processes, SMTP. */

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  firstError?: string;
  /** With `trace`: p95 of each second of the run (by when a request started). */
  p95BySecond?: number[];
}

/**
 * Closed-loop load: `clients` loops each await `call(i)` back to back for `seconds`; every
 * latency is kept, so p95 is exact. A call that throws counts as an error (first one kept).
 * `trace` adds the p95 of each second of the run (bench --reads-detail).
 */
export async function closedLoop(
  clients: number,
  seconds: number,
  call: (client: number, n: number) => Promise<void>,
  trace = false,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const bySecond: number[][] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const t = performance.now();
        try {
          await call(client, n);
          latencies.push(performance.now() - t);
          if (trace)
            (bySecond[Math.floor((t - started) / 1000)] ??= []).push(performance.now() - t);
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    firstError,
    ...(trace
      ? {
          p95BySecond: [...bySecond].map((xs) =>
            percentile(
              (xs ?? []).sort((a, b) => a - b),
              95,
            ),
          ),
        }
      : {}),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A running api or worker process: its peak RSS comes from /proc (VmHWM). */
export class Service {
  readonly output: string[] = [];

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 200) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static start(
    name: string,
    script: string,
    env: NodeJS.ProcessEnv,
    nodeFlags: string[] = [],
  ): Service {
    // BENCH_CPU_PROF=dir: write a V8 CPU profile of each service into dir (open in DevTools).
    const prof = process.env.BENCH_CPU_PROF;
    const flags = prof
      ? ['--cpu-prof', `--cpu-prof-dir=${prof}`, `--cpu-prof-name=${name}.cpuprofile`]
      : [];
    const child = spawn(process.execPath, [...nodeFlags, ...flags, script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Service(name, child);
  }

  /** Waits for a line of its log to contain `text`. */
  async waitFor(text: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.join('').includes(text)) {
      if (this.child.exitCode !== null) {
        throw new Error(`${this.name} exited (${this.child.exitCode}):\n${this.output.join('')}`);
      }
      if (Date.now() > deadline) throw new Error(`${this.name} did not log "${text}" in time`);
      await sleep(100);
    }
  }

  /**
   * CPU time (user + system) the process has used so far, in ms. Per request, it is the figure
   * that contention on a shared machine distorts least (latency and throughput are the run
   * queue's as much as the code's).
   */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime (fields 14 and 15 of stat), in clock ticks of 10 ms
    return (Number(fields[11]) + Number(fields[12])) * 10;
  }

  /** The same in seconds. */
  cpuSeconds(): number {
    return this.cpuMs() / 1000;
  }

  /** Resident set size now, in MB (0 when the process is gone). */
  rssMb(): number {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    } catch {
      return 0;
    }
  }

  /** Peak resident set size so far, in MB. */
  peakRssMb(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return kb / 1024;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** An SMTP server that accepts everything and counts messages (and when each arrived). */
export class SmtpCounter {
  readonly arrivals: number[] = [];
  private server!: SMTPServer;
  port = 0;

  async start(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          this.arrivals.push(performance.now());
          callback();
        });
      },
    });
    this.port = await freePort();
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A GraphQL client with a bearer token; throws on any GraphQL error. */
export function graphql(url: string, token?: string) {
  return async <T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<{ data: T; extensions?: Record<string, unknown> }> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as {
      data: T;
      errors?: { message: string; extensions?: { code?: string } }[];
      extensions?: Record<string, unknown>;
    };
    if (body.errors?.length) {
      const e = body.errors[0];
      throw new Error(`${e.extensions?.code ?? res.status}: ${e.message}`);
    }
    return body;
  };
}

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return 0;
  }
}

/**
 * Background work still to do: outbox rows not yet relayed, plus jobs waiting, running or due
 * within a minute in the given queues (repeatable jobs — heartbeat, scans, KPI refresh — are
 * always due soon and are not backlog). `delayedScan` bounds how many delayed jobs are read.
 */
export async function backlog(pool: Pool, queues: Queue[], delayedScan: number): Promise<number> {
  const outbox = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM outbox WHERE published_at IS NULL`,
  );
  let busy = Number(outbox.rows[0].n);
  for (const q of queues) {
    const c = await q.getJobCounts('active', 'waiting', 'prioritized');
    busy += c.active + c.waiting + c.prioritized;
    const soon = await q.getDelayed(0, delayedScan);
    busy += soon.filter(
      (j) => !j.repeatJobKey && j.timestamp + (j.delay ?? 0) < Date.now() + 60_000,
    ).length;
  }
  return busy;
}
