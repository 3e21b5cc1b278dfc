import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { Pool } from 'pg';
import { Service, SmtpCounter, freePort, sleep } from './harness';

/**
 * `npm run bench:email [-- --mails N]`: the e-mail channel's rates against real processes (a
 * worker with the SMTP receiver, PostgreSQL, Redis, an SMTP sink), on a fresh database.
 *   inbound:  8 concurrent SMTP senders → 250 (stored) and → filed on a ticket, mails/s
 *   outbound: N public replies committed at once (message + mail row + outbox) → accepted by the
 *             SMTP sink, mails/s
 */
const ROOT = join(__dirname, '..', '..');
const argN = process.argv.indexOf('--mails');
const N = argN > 0 ? Number(process.argv[argN + 1]) : 800;
const SENDERS = 8;
const DB = 'staydesk_bench_email';
const ADMIN_URL =
  process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_URL = ADMIN_URL.replace(/\/[^/]*$/, `/${DB}`);
const BODY = `${'Hello support, the rocket skates exploded again. '.repeat(200)}\n`; // ~10 KB

async function main() {
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
  const port = await freePort();
  const worker = Service.start('worker', join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js'), {
    ...env,
    INBOUND_SMTP: 'true',
    INBOUND_SMTP_PORT: String(port),
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
  });
  const pool = new Pool({ connectionString: DB_URL, max: 2 });
  try {
    await worker.waitFor('worker taking jobs');
    await pool.query(`INSERT INTO customers (name, domain) VALUES ('Acme', 'acme.example')`);

    // inbound: 8 senders, each with one SMTP connection, N mails in all
    const transports = Array.from({ length: SENDERS }, () =>
      nodemailer.createTransport({
        host: '127.0.0.1',
        port,
        secure: false,
        ignoreTLS: true,
        pool: true,
        maxConnections: 1,
      }),
    );
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      transports.map(async (t) => {
        while (next < N) {
          const i = next++;
          await t.sendMail({
            from: `customer${i % 50}@acme.example`,
            to: 'support@bench.example',
            subject: `Bench ${i}`,
            text: BODY,
            messageId: `<bench-${i}@acme.example>`,
          });
        }
      }),
    );
    const accepted = performance.now() - t0;
    for (;;) {
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM inbound_mails WHERE status <> 'received'`,
      );
      if (rows[0].n >= N) break;
      await sleep(50);
    }
    const filed = performance.now() - t0;
    transports.forEach((t) => t.close());

    // outbound: N replies committed in one go, as N replyToTicket transactions would leave them
    const { rows: users } = await pool.query<{ id: string }>(
      `INSERT INTO users (email, name, password_hash, role) VALUES ('agent@bench.example', 'Agent', 'x', 'agent') RETURNING id::text`,
    );
    const before = smtp.arrivals.length;
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
    const sent = performance.now() - t1;
    const rate = (n: number, ms: number) => ((n * 1000) / ms).toFixed(0);
    console.log(`e-mail bench, ${N} mails of ~${Math.round(BODY.length / 1024)} KB`);
    console.log(`inbound, ${SENDERS} senders → 250 (stored):   ${rate(N, accepted)} mails/s`);
    console.log(`inbound, ${SENDERS} senders → filed on tickets: ${rate(N, filed)} mails/s`);
    console.log(`outbound, commit → accepted by the SMTP sink: ${rate(N, sent)} mails/s`);
  } finally {
    await pool.end();
    await worker.stop();
    await smtp.stop();
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
