import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { Pool } from 'pg';
import { Service, SmtpCounter, freePort, sleep } from './harness';
import { workerNodeFlags } from '../apps/worker/src/node-flags';

/**
 * `npm run bench:email [-- --mails N]`, and the e-mail phase of `npm run bench`: the channel's
 * rates against real processes (a production-mode worker with the SMTP receiver, PostgreSQL,
 * Redis, an SMTP sink) on a fresh database, each next to a same-run baseline:
 *   inbound:  8 concurrent SMTP senders → 250 (stored) and → filed on a ticket, mails/s;
 *             baselines: the same senders against a bare smtp-server that keeps nothing, and
 *             8 connections doing single-row INSERTs of the same bytes (what storing costs)
 *   outbound: N public replies committed at once (message + mail row + outbox) → accepted by
 *             the SMTP sink, mails/s; baseline: nodemailer's pool alone sending N mails of the
 *             same shape to the same sink with the same number of connections
 */
const ROOT = join(__dirname, '..', '..');
const SENDERS = 8;
const SMTP_CONNECTIONS = 8;
const DB = `staydesk_bench_email_${randomBytes(3).toString('hex')}`;
const ADMIN_URL =
  process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_URL = ADMIN_URL.replace(/\/[^/]*$/, `/${DB}`);
const BODY = `${'Hello support, the rocket skates exploded again. '.repeat(200)}\n`; // ~10 KB

export type RecordLine = (
  name: string,
  value: string,
  target?: string,
  pass?: boolean | null,
) => void;

export interface EmailBenchResult {
  mails: number;
  load: number;
  inboundStored: number;
  inboundFiled: number;
  rawSmtpIn: number;
  rawInsert: number;
  /** The worker's CPU time per inbound mail, stored and filed, ms. */
  inboundWorkerCpuMs: number;
  /** The bench database's PostgreSQL backends' CPU time per inbound mail, ms (those alive at the end). */
  inboundPgCpuMs: number;
  outbound: number;
  rawSmtpOut: number;
  /** The worker's CPU time per outbound reply, commit → last accepted, ms. */
  outboundWorkerCpuMs: number;
  /** The bench database's PostgreSQL backends' CPU time per outbound reply, ms. */
  outboundPgCpuMs: number;
}

const rateOf = (n: number, ms: number) => (n * 1000) / ms;

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in USER_HZ (100)
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by each PostgreSQL backend connected to the bench database. */
async function backendCpu(pool: Pool): Promise<Map<number, number>> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid)]));
}
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** Sends `n` mails over `senders` single-connection transports; returns the elapsed ms. */
async function sendAll(
  port: number,
  n: number,
  senders: number,
  mail: (i: number) => SendMailOptions,
): Promise<number> {
  const transports: Transporter[] = Array.from({ length: senders }, () =>
    nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 1,
      maxMessages: Infinity,
    }),
  );
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    transports.map(async (t) => {
      while (next < n) await t.sendMail(mail(next++));
    }),
  );
  const elapsed = performance.now() - t0;
  transports.forEach((t) => t.close());
  return elapsed;
}

export async function benchEmail(opts: {
  mails: number;
  record?: RecordLine;
}): Promise<EmailBenchResult> {
  const N = opts.mails;
  const load = loadavg()[0];
  const admin = new Pool({ connectionString: ADMIN_URL, max: 1 });
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: DB_URL,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `bench-mail-${randomBytes(3).toString('hex')}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    SURVEY_TOKEN_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    OUTBOX_POLL_MS: '100',
    WORKER_CONCURRENCY: '20',
    SMTP_CONNECTIONS: String(SMTP_CONNECTIONS),
    MAIL_FROM: 'Support <support@bench.example>',
    RISK_DEBOUNCE_MS: '3600000',
    KPI_DEBOUNCE_MS: '3600000',
  };
  const migrated = spawnSync(process.execPath, [join(ROOT, 'dist', 'scripts', 'migrate.js')], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (migrated.status !== 0) throw new Error(`migration failed: ${migrated.stderr}`);
  const smtp = new SmtpCounter();
  await smtp.start();
  const pool = new Pool({ connectionString: DB_URL, max: SENDERS });
  const inbound = (i: number, tag: string) => ({
    from: `customer${i % 50}@acme.example`,
    to: 'support@bench.example',
    subject: `Bench ${i}`,
    text: BODY,
    messageId: `<${tag}-${i}@acme.example>`,
  });

  // baselines, before the worker runs: a bare SMTP server, raw INSERTs, nodemailer's pool alone
  const rawSmtpIn = rateOf(N, await sendAll(smtp.port, N, SENDERS, (i) => inbound(i, 'raw')));
  const raw = Buffer.from(BODY.repeat(1));
  await pool.query(
    `CREATE TABLE bench_raw (id bigserial PRIMARY KEY, message_id text UNIQUE, raw bytea)`,
  );
  let nextInsert = 0;
  const tIns = performance.now();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (nextInsert < N) {
        const i = nextInsert++;
        await pool.query(`INSERT INTO bench_raw (message_id, raw) VALUES ($1, $2)`, [
          `raw-${i}`,
          raw,
        ]);
      }
    }),
  );
  const rawInsert = rateOf(N, performance.now() - tIns);
  await pool.query(`DROP TABLE bench_raw`);
  const out = nodemailer.createTransport({
    host: '127.0.0.1',
    port: smtp.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: SMTP_CONNECTIONS,
    maxMessages: Infinity,
  });
  const tOut = performance.now();
  await Promise.all(
    Array.from({ length: N }, (_, i) =>
      out.sendMail({
        from: 'Support <support@bench.example>',
        to: `customer${i}@acme.example`,
        replyTo: 'support+t1.0123456789abcdef@bench.example',
        subject: `Re: [#${1000 + i}] Bench`,
        text: 'We are on it.',
        html: '<div><p>We are on it.</p></div>',
        messageId: `<raw-out-${i}@bench.example>`,
      }),
    ),
  );
  const rawSmtpOut = rateOf(N, performance.now() - tOut);
  out.close();

  const port = await freePort();
  // started as it ships: with the worker's V8 flags (apps/worker/src/node-flags.ts)
  const worker = Service.start(
    'worker',
    join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js'),
    {
      ...env,
      INBOUND_SMTP: 'true',
      INBOUND_SMTP_PORT: String(port),
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    },
    workerNodeFlags(),
  );
  try {
    await worker.waitFor('worker taking jobs');
    await pool.query(`INSERT INTO customers (name, domain) VALUES ('Acme', 'acme.example')`);

    // inbound: 8 senders, each with one SMTP connection, N mails in all
    const cpu0 = cpuSeconds(worker.child.pid);
    const pg0 = await backendCpu(pool);
    const t0 = performance.now();
    const accepted = await sendAll(port, N, SENDERS, (i) => inbound(i, 'bench'));
    for (;;) {
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM inbound_mails WHERE status <> 'received'`,
      );
      if (rows[0].n >= N) break;
      if (performance.now() - t0 > 300_000) throw new Error('inbound mails were not all filed');
      await sleep(50);
    }
    const filed = performance.now() - t0;
    const workerCpu = cpuSeconds(worker.child.pid) - cpu0;
    let pgCpu = 0;
    for (const [pid, sec] of await backendCpu(pool)) pgCpu += sec - (pg0.get(pid) ?? 0);

    // outbound: N replies committed in one go, as N replyToTicket transactions would leave them
    const { rows: users } = await pool.query<{ id: string }>(
      `INSERT INTO users (email, name, password_hash, role) VALUES ('agent@bench.example', 'Agent', 'x', 'agent') RETURNING id::text`,
    );
    const before = smtp.arrivals.length;
    const cpu1 = cpuSeconds(worker.child.pid);
    const pg1 = await backendCpu(pool);
    const t1 = performance.now();
    const c = await pool.connect();
    await c.query('BEGIN');
    await c.query(
      `INSERT INTO ticket_messages (ticket_id, kind, author_user_id, body)
       SELECT id, 'public_reply', $1, 'We are on it.' FROM tickets ORDER BY id LIMIT $2`,
      [users[0].id, N],
    );
    await c.query(
      `INSERT INTO message_mail (ticket_message_id, direction, message_id, status)
       SELECT m.id, 'out', 'sd.bench-' || m.id || '@bench.example', 'queued'
         FROM ticket_messages m WHERE m.kind = 'public_reply'`,
    );
    await c.query(
      `INSERT INTO outbox (type, payload)
       SELECT 'ticket.message_added', jsonb_build_object('ticketId', m.ticket_id::text,
              'customerId', t.customer_id::text, 'messageId', m.id::text, 'kind', 'public_reply')
         FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.kind = 'public_reply'
        ORDER BY m.id`,
    );
    await c.query('COMMIT');
    c.release();
    while (smtp.arrivals.length - before < N) {
      if (performance.now() - t1 > 300_000) throw new Error('outbound mails did not all arrive');
      await sleep(20);
    }
    const sent = smtp.arrivals[smtp.arrivals.length - 1] - t1;
    const outWorkerCpu = cpuSeconds(worker.child.pid) - cpu1;
    let outPgCpu = 0;
    for (const [pid, sec] of await backendCpu(pool)) outPgCpu += sec - (pg1.get(pid) ?? 0);

    const r: EmailBenchResult = {
      mails: N,
      load,
      inboundStored: rateOf(N, accepted),
      inboundFiled: rateOf(N, filed),
      rawSmtpIn,
      rawInsert,
      inboundWorkerCpuMs: (workerCpu * 1000) / N,
      inboundPgCpuMs: (pgCpu * 1000) / N,
      outbound: rateOf(N, sent),
      rawSmtpOut,
      outboundWorkerCpuMs: (outWorkerCpu * 1000) / N,
      outboundPgCpuMs: (outPgCpu * 1000) / N,
    };
    const record: RecordLine =
      opts.record ??
      ((name, value, target = '', pass = null) =>
        console.log(
          `  ${name.padEnd(52)} ${value.padStart(40)}  ${target}${pass === null ? '' : pass ? '  PASS' : '  MISS'}`,
        ));
    record(
      `mail in: ${fmt(N)} mails, ${SENDERS} SMTP senders → stored (250)`,
      `${fmt(r.inboundStored)}/s (bare smtp-server ${fmt(rawSmtpIn)}/s, raw INSERT ${fmt(rawInsert)}/s)`,
      '≥ 200/s',
      r.inboundStored >= 200,
    );
    record(
      `mail in: → filed on tickets`,
      `${fmt(r.inboundFiled)}/s`,
      '≥ 200/s',
      r.inboundFiled >= 200,
    );
    record(
      `mail in: CPU per mail (stored and filed)`,
      `worker ${r.inboundWorkerCpuMs.toFixed(1)} ms · PostgreSQL ${r.inboundPgCpuMs.toFixed(1)} ms`,
    );
    record(
      `mail out: ${fmt(N)} replies, commit → accepted by SMTP`,
      `${fmt(r.outbound)}/s (nodemailer pool alone ${fmt(rawSmtpOut)}/s)`,
      '≥ 300/s',
      r.outbound >= 300,
    );
    record(
      `mail out: CPU per reply (commit → accepted)`,
      `worker ${r.outboundWorkerCpuMs.toFixed(1)} ms · PostgreSQL ${r.outboundPgCpuMs.toFixed(1)} ms`,
    );
    return r;
  } finally {
    await pool.end();
    await worker.stop();
    await smtp.stop();
    const drop = new Pool({ connectionString: ADMIN_URL, max: 1 });
    await drop.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await drop.end();
  }
}

if (require.main === module) {
  const argN = process.argv.indexOf('--mails');
  const mails = argN > 0 ? Number(process.argv[argN + 1]) : 800;
  console.log(
    `e-mail bench, ${mails} mails of ~${Math.round(BODY.length / 1024)} KB; load average ${loadavg()[0].toFixed(2)}`,
  );
  benchEmail({ mails }).then(
    () => process.exit(0),
    (err: Error) => {
      console.error(err);
      process.exit(1);
    },
  );
}
