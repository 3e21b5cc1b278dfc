import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { InboundSmtpReceiver, storageMessageId } from '@staydesk/email';
import { insertUser, login, ok } from '../support/factories';
import { TestStack, startStack } from '../support/stack';

const DIR = join(__dirname, '..', 'fixtures', 'mail');
const SUPPORT = 'support@staydesk.test';

interface Expected {
  /** The filing outcome, or the SMTP code the receiver refused the mail with. */
  outcome?: string;
  rejected?: number;
  /** `first`: the ticket fixture 01 opened; `new`: a ticket of its own. */
  ticket?: 'first' | 'new';
  body?: string | RegExp;
  notInBody?: string[];
  attachments?: { filename: string; contentType: string }[];
  customer?: string;
  cc?: string[];
  html?: { has?: string[]; hasNot?: string[] };
  envelopeFrom?: string;
  subject?: string;
}

/**
 * Real-world-shaped mail, filed through the real SMTP receiver and worker, in order (later
 * fixtures thread onto the ticket fixture 01 opens, ticket #1001 in a fresh database).
 */
const TABLE: [string, Expected][] = [
  [
    '01-plain-new.eml',
    {
      outcome: 'new_ticket',
      ticket: 'new',
      customer: 'Acme Rockets',
      body: /^Hello support,\n\nevery time I start the rocket skates they explode\.\nOrder 4471\.\n\nWile$/,
    },
  ],
  [
    '02-gmail-reply.eml',
    { outcome: 'threaded', ticket: 'first', body: 'They exploded again this morning.' },
  ],
  [
    '03-outlook-reply.eml',
    {
      outcome: 'threaded',
      ticket: 'first',
      body: 'Could you send a replacement pair?\n\nBest regards\nWile',
    },
  ],
  ['04-apple-mail-reply.eml', { outcome: 'threaded', ticket: 'first', body: 'Size 11 please.' }],
  [
    '05-html-only.eml',
    {
      outcome: 'new_ticket',
      ticket: 'new',
      body: /Hi team,\n+I cannot log in since yesterday\./,
      notInBody: ['alert', 'color:red'],
      html: {
        has: ['<b>cannot log in</b>', 'href="https://acme.example/help"'],
        hasNot: ['<script', 'onload', 'javascript:', '<form', '<iframe', '<style'],
      },
    },
  ],
  [
    '06-forwarded.eml',
    {
      outcome: 'new_ticket',
      ticket: 'new',
      body: /FYI, see the invoice mail below\.[\s\S]*Your invoice total is 9,999\.00 EUR\./,
    },
  ],
  ['07-out-of-office.eml', { outcome: 'auto_reply' }],
  ['08-ooo-subject-only.eml', { outcome: 'auto_reply' }],
  ['09-x-autoreply.eml', { outcome: 'auto_reply' }],
  ['10-dsn-bounce.eml', { outcome: 'bounce', envelopeFrom: '' }],
  ['11-mailing-list.eml', { outcome: 'list' }],
  ['12-precedence-bulk.eml', { outcome: 'list' }],
  [
    '13-attachment-pdf.eml',
    {
      outcome: 'new_ticket',
      ticket: 'new',
      body: 'Attached is the signed contract.',
      attachments: [{ filename: 'contract signed.pdf', contentType: 'application/pdf' }],
    },
  ],
  [
    '14-attachment-image.eml',
    {
      outcome: 'new_ticket',
      ticket: 'new',
      attachments: [{ filename: 'screen shot.png', contentType: 'image/png' }],
    },
  ],
  [
    '15-txt-executable.eml',
    {
      outcome: 'new_ticket',
      ticket: 'new',
      attachments: [{ filename: 'invoice.txt', contentType: 'application/x-msdownload' }],
    },
  ],
  [
    '16-inline-image.eml',
    { outcome: 'new_ticket', ticket: 'new', body: 'Our logo renders like this:', attachments: [] },
  ],
  [
    '17-iso-8859-1.eml',
    {
      outcome: 'new_ticket',
      ticket: 'new',
      subject: 'Rechnung über 120 EUR',
      body: 'Grüße aus Köln! Die Rechnung über 120 EUR ist falsch.',
      customer: 'koeln.example',
    },
  ],
  [
    '18-shift-jis.eml',
    {
      outcome: 'new_ticket',
      ticket: 'new',
      subject: '請求書について',
      body: 'お世話になっております。請求書について質問があります。',
    },
  ],
  [
    '19-malformed-header.eml',
    {
      outcome: 'new_ticket',
      ticket: 'new',
      customer: 'Acme Rockets',
      body: 'Body survives a broken header block.',
    },
  ],
  [
    '20-no-message-id.eml',
    { outcome: 'new_ticket', ticket: 'new', body: 'This mail has no Message-ID header.' },
  ],
  ['21-subject-tag-same-customer.eml', { outcome: 'threaded', ticket: 'first' }],
  [
    '22-subject-tag-other-customer.eml',
    { outcome: 'new_ticket', ticket: 'new', customer: 'Globex' },
  ],
  ['23-unknown-domain.eml', { outcome: 'new_ticket', ticket: 'new', customer: 'initech.example' }],
  ['24-public-domain.eml', { outcome: 'new_ticket', ticket: 'new', customer: 'Jane Doe' }],
  [
    '25-cc-kept.eml',
    { outcome: 'new_ticket', ticket: 'new', cc: ['boss@acme.example', 'finance@acme.example'] },
  ],
  ['26-oversized.eml', { rejected: 552 }],
  [
    '27-reply-address.eml',
    { outcome: 'threaded', ticket: 'first', body: 'Writing to the address from your reply.' },
  ],
  ['28-forged-reply-address.eml', { outcome: 'new_ticket', ticket: 'new' }],
  ['29-own-mail-loop.eml', { outcome: 'own_mail' }],
  [
    '30-signature-stripped.eml',
    {
      outcome: 'new_ticket',
      ticket: 'new',
      body: 'The export button is gone from the reports page.',
    },
  ],
  ['31-null-sender-bounce.eml', { outcome: 'bounce', envelopeFrom: '' }],
  [
    '32-outlook-html-only-reply.eml',
    { outcome: 'threaded', ticket: 'first', body: 'Any news on the replacement?' },
  ],
  ['33-auto-submitted-no.eml', { outcome: 'new_ticket', ticket: 'new' }],
  ['34-wrong-address.eml', { rejected: 550 }],
];

describe('inbound mail fixtures (table-driven, through the SMTP receiver)', () => {
  let stack: TestStack;
  let smtp: Transporter;
  let agent: string;
  let firstTicket: string | undefined;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        MAIL_FROM: `Staydesk <${SUPPORT}>`,
        INBOUND_SMTP: 'true',
        INBOUND_SMTP_PORT: '0',
        INBOUND_MAX_BYTES: '100000',
        MAIL_REPLY_SECRET: 'f'.repeat(40),
        OUTBOX_RELAY: 'false',
      },
    });
    smtp = nodemailer.createTransport({
      host: '127.0.0.1',
      port: stack.worker!.get(InboundSmtpReceiver).port,
      secure: false,
      ignoreTLS: true,
    });
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    const admin = await login(stack, 'admin@t.local');
    await insertUser(stack, { email: 'agent@t.local', role: 'agent' });
    agent = await login(stack, 'agent@t.local');
    for (const [name, domain] of [
      ['Acme Rockets', 'acme.example'],
      ['Globex', 'globex.example'],
    ]) {
      await ok(
        stack,
        admin,
        `mutation($n: String!, $d: String) { createCustomer(input: { name: $n, domain: $d }) { id } }`,
        {
          n: name,
          d: domain,
        },
      );
    }
  });

  afterAll(async () => {
    smtp?.close();
    await stack?.close();
  });

  it.each(TABLE)('%s', async (file, expected) => {
    const raw = await readFile(join(DIR, file));
    const to = /^To:.*?([^\s<>"]+@staydesk\.test)/im.exec(raw.toString('latin1'))?.[1] ?? SUPPORT;
    const from = expected.envelopeFrom ?? 'mta-sender@relay.example';
    const send = smtp.sendMail({ envelope: { from, to: [to] }, raw });
    if (expected.rejected) {
      await expect(send).rejects.toMatchObject({ responseCode: expected.rejected });
      const { rows } = await stack.db.query(
        `SELECT count(*)::int AS n FROM inbound_mails WHERE message_id = $1`,
        [storageMessageId(raw)],
      );
      expect(rows[0].n).toBe(0);
      return;
    }
    await send;
    const messageId = storageMessageId(raw);
    let row: { outcome: string; ticketId: string | null; messageId: string | null } | undefined;
    for (let i = 0; i < 400 && !row; i++) {
      const { rows } = await stack.db.query(
        `SELECT outcome, ticket_id::text AS "ticketId", ticket_message_id::text AS "messageId"
           FROM inbound_mails WHERE message_id = $1 AND status <> 'received'`,
        [messageId],
      );
      row = rows[0];
      if (!row) await new Promise((r) => setTimeout(r, 50));
    }
    expect(row).toBeDefined();
    expect(row!.outcome).toBe(expected.outcome);
    if (file.startsWith('01-')) firstTicket = row!.ticketId!;
    else if (expected.ticket === 'first') expect(row!.ticketId).toBe(firstTicket);
    else if (expected.ticket === 'new') expect(row!.ticketId).not.toBe(firstTicket);
    if (!expected.ticket) {
      // noise and loops never become conversation messages
      expect(row!.messageId).toBeNull();
      return;
    }
    const t = (
      await ok(
        stack,
        agent,
        `query($id: ID!) { ticket(id: $id) { subject customer { name }
            messages { edges { node { id body attachments { filename contentType } mail { ccAddresses html } } } } } }`,
        { id: row!.ticketId },
      )
    ).ticket;
    const m = t.messages.edges.map((e: any) => e.node).find((n: any) => n.id === row!.messageId);
    if (typeof expected.body === 'string') expect(m.body).toBe(expected.body);
    if (expected.body instanceof RegExp) expect(m.body).toMatch(expected.body);
    for (const s of expected.notInBody ?? []) expect(m.body).not.toContain(s);
    if (expected.attachments) expect(m.attachments).toEqual(expected.attachments);
    if (expected.customer) expect(t.customer.name).toBe(expected.customer);
    if (expected.cc) expect(m.mail.ccAddresses).toEqual(expected.cc);
    if (expected.subject) expect(t.subject).toBe(expected.subject);
    for (const s of expected.html?.has ?? []) expect(m.mail.html).toContain(s);
    for (const s of expected.html?.hasNot ?? []) expect(m.mail.html).not.toContain(s);
  });

  it('stores a redelivered message once (same Message-ID, or the same bytes without one)', async () => {
    for (const file of ['01-plain-new.eml', '20-no-message-id.eml']) {
      const raw = await readFile(join(DIR, file));
      await smtp.sendMail({ envelope: { from: 'mta@relay.example', to: [SUPPORT] }, raw });
      const { rows } = await stack.db.query(
        `SELECT count(*)::int AS n, min(ticket_message_id)::text AS m FROM inbound_mails WHERE message_id = $1`,
        [storageMessageId(raw)],
      );
      expect(rows[0].n).toBe(1);
      const body = await stack.db.query(
        `SELECT count(*)::int AS n FROM ticket_messages WHERE id = $1`,
        [rows[0].m],
      );
      expect(body.rows[0].n).toBe(1);
    }
    expect(TABLE.length).toBeGreaterThanOrEqual(30);
  });
});
