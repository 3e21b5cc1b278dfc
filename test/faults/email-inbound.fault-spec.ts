import { connect } from 'node:net';
import nodemailer from 'nodemailer';
import { sparePort } from '../support/private-servers';
import { RunningChild } from '../support/processes';
import { FaultStack, sleep, startFaultStack, waitFor } from './fault-stack';

const SUPPORT = 'support@staydesk.test';

const message = (id: string, text: string) =>
  [
    'From: Wile <wile@acme.example>',
    `To: ${SUPPORT}`,
    `Subject: fault ${id}`,
    `Message-ID: <${id}@acme.example>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    '',
  ].join('\r\n');

/** Speaks SMTP by hand up to the middle of DATA, then leaves the socket open. */
async function halfDelivered(port: number, raw: string): Promise<{ closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  let buffer = '';
  socket.on('data', (d) => (buffer += d.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const expect = async (code: string) => {
    const until = Date.now() + 10_000;
    while (!new RegExp(`^${code} `, 'm').test(buffer)) {
      if (Date.now() > until) throw new Error(`no ${code} in ${buffer}`);
      await sleep(20);
    }
    buffer = '';
  };
  await expect('220');
  socket.write('EHLO fault.example\r\n');
  await expect('250');
  socket.write('MAIL FROM:<mta@relay.example>\r\n');
  await expect('250');
  socket.write(`RCPT TO:<${SUPPORT}>\r\n`);
  await expect('250');
  socket.write('DATA\r\n');
  await expect('354');
  socket.write(raw.slice(0, Math.floor(raw.length / 2)));
  return { closed };
}

/**
 * Inbound mail under faults: the receiver (worker) SIGKILLed in the middle of DATA, and
 * PostgreSQL down while mail arrives. The sender is told to retry (connection lost, or 451), and
 * after the retry exactly one copy is stored and filed.
 */
describe('fault: inbound SMTP receiver', () => {
  let stack: FaultStack;
  let port: number;
  let worker: RunningChild | undefined;
  const startWorker = async () => {
    worker = await stack.startWorker({
      INBOUND_SMTP: 'true',
      INBOUND_SMTP_PORT: String(port),
      MAIL_FROM: `Staydesk <${SUPPORT}>`,
    });
  };
  const send = (raw: string) =>
    nodemailer
      .createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
      .sendMail({ envelope: { from: 'mta@relay.example', to: [SUPPORT] }, raw });
  const stored = async (id: string) =>
    (
      await stack.db.query(
        `SELECT count(*)::int AS n, bool_and(status = 'processed') AS filed,
                count(DISTINCT ticket_id)::int AS tickets FROM inbound_mails WHERE message_id = $1`,
        [`${id}@acme.example`],
      )
    ).rows[0] as { n: number; filed: boolean | null; tickets: number };

  beforeAll(async () => {
    stack = await startFaultStack();
    port = await sparePort();
    await stack.db.query(`INSERT INTO customers (name, domain) VALUES ('Acme', 'acme.example')`);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('receiver killed mid-DATA: the retry is stored exactly once', async () => {
    await startWorker();
    const raw = message('killed-1', 'Sent while the receiver died.');
    const half = await halfDelivered(port, raw);
    await worker!.stop('SIGKILL');
    await half.closed; // the sender sees the connection drop: no 250, so it retries later
    expect((await stored('killed-1')).n).toBe(0);
    await startWorker();
    await send(raw);
    await send(raw); // an MTA that retries once more (it never saw our first 250 arrive)
    await waitFor('filing', async () => (await stored('killed-1')).filed === true, 20_000);
    expect(await stored('killed-1')).toEqual({ n: 1, filed: true, tickets: 1 });
    const { rows } = await stack.db.query(
      `SELECT count(*)::int AS n FROM ticket_messages WHERE body = 'Sent while the receiver died.'`,
    );
    expect(rows[0].n).toBe(1);
  });

  it('PostgreSQL down while mail arrives: 451, then stored once after it returns', async () => {
    const raw = message('pgdown-1', 'Sent while the database was down.');
    await stack.pg.stop('immediate');
    try {
      await expect(send(raw)).rejects.toMatchObject({ responseCode: 451 });
    } finally {
      await stack.pg.start();
    }
    // the sending MTA retries on its schedule until the receiver takes it
    let accepted = false;
    for (let i = 0; i < 60 && !accepted; i++) {
      accepted = await send(raw).then(
        () => true,
        () => false,
      );
      if (!accepted) await sleep(500);
    }
    expect(accepted).toBe(true);
    await waitFor('filing', async () => (await stored('pgdown-1')).filed === true, 30_000);
    expect(await stored('pgdown-1')).toEqual({ n: 1, filed: true, tickets: 1 });
  });
});
