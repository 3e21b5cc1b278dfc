import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { simpleParser, type ParsedMail } from 'mailparser';
import { InboundSmtpReceiver } from '@staydesk/email';
import { TicketsService } from '@staydesk/tickets';
import { fails, insertUser, login, ok } from '../support/factories';
import { eventually } from '../support/eventually';
import { mailText, startSmtpSink } from '../support/smtp-sink';
import { TestStack, startStack } from '../support/stack';

type Sink = Awaited<ReturnType<typeof startSmtpSink>>;

const SUPPORT = 'support@staydesk.test';
const attachmentsDir = join(tmpdir(), `sd-attachments-${randomBytes(4).toString('hex')}`);

describe('e-mail channel: replies out, mail in, threads, loops', () => {
  let stack: TestStack;
  let sink: Sink;
  let smtp: Transporter;
  let admin: string;
  let agent: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    sink = await startSmtpSink({ rejectAddress: (a) => a.startsWith('gone@') });
    stack = await startStack({
      env: {
        SMTP_URL: sink.url,
        MAIL_FROM: `Staydesk <${SUPPORT}>`,
        INBOUND_SMTP: 'true',
        INBOUND_SMTP_PORT: '0',
        INBOUND_MAX_BYTES: '200000',
        OUTBOX_POLL_MS: '100',
        CSAT_DELAY_SECONDS: '3600',
        MAIL_AUTO_PER_HOUR: '50',
        ATTACHMENTS_DIR: attachmentsDir,
        ATTACHMENT_MAX_BYTES: '100000',
      },
    });
    const port = stack.worker!.get(InboundSmtpReceiver).port;
    smtp = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    admin = await login(stack, 'admin@t.local');
    ids.agent = await insertUser(stack, {
      email: 'agent@t.local',
      role: 'agent',
      name: 'Agent Smith',
    });
    agent = await login(stack, 'agent@t.local');
    ids.acme = (
      await ok(
        stack,
        admin,
        `mutation { createCustomer(input: { name: "Acme Rockets", domain: "acme.example", tier: pro }) { id } }`,
      )
    ).createCustomer.id;
    ids.globex = (
      await ok(
        stack,
        admin,
        `mutation { createCustomer(input: { name: "Globex", domain: "globex.example" }) { id } }`,
      )
    ).createCustomer.id;
  });

  afterAll(async () => {
    smtp?.close();
    await stack?.close();
    await sink?.close();
    await rm(attachmentsDir, { recursive: true, force: true });
  });

  /** Sends a mail to the receiver and waits until the worker filed it. */
  const mailIn = async (m: SendMailOptions & { messageId: string }) => {
    await smtp.sendMail({ to: SUPPORT, ...m });
    return eventually(`filing of ${m.messageId}`, async () => {
      const { rows } = await stack.db.query(
        `SELECT status, outcome, ticket_id::text AS "ticketId", ticket_message_id::text AS "messageId"
           FROM inbound_mails WHERE message_id = $1 AND status <> 'received'`,
        [m.messageId.replace(/[<>]/g, '')],
      );
      return rows[0] as
        | { status: string; outcome: string; ticketId: string | null; messageId: string | null }
        | undefined;
    });
  };

  const conversation = async (ticketId: string) =>
    (
      await ok(
        stack,
        agent,
        `query($id: ID!) { ticket(id: $id) { id number status subject customerId requesterId
            messages { edges { node { id kind body delivery { status at error }
              mail { status error messageId fromAddress ccAddresses fullText html } } } } } }`,
        { id: ticketId },
      )
    ).ticket as {
      id: string;
      number: number;
      status: string;
      subject: string;
      customerId: string;
      requesterId: string;
      messages: { edges: { node: any }[] };
    };

  const sent = async (n: number): Promise<ParsedMail[]> =>
    Promise.all((await sink.waitFor(n)).map((m) => simpleParser(m.raw)));

  it('numbers tickets and finds them by number, #number, requester address and customer name', async () => {
    const contact = (
      await ok(
        stack,
        admin,
        `mutation($c: ID!) { createContact(customerId: $c, input: { name: "Nina", email: "nina@globex.example" }) { id } }`,
        { c: ids.globex },
      )
    ).createContact.id;
    const make = async () =>
      (
        await ok(
          stack,
          agent,
          `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id number } }`,
          { i: { requesterId: contact, subject: 'Invoice copy', channel: 'phone' } },
        )
      ).createTicket as { id: string; number: number };
    const a = await make();
    const b = await make();
    expect(b.number).toBe(a.number + 1);
    const search = async (s: string) =>
      (
        await ok(
          stack,
          agent,
          `query($s: String) { tickets(filter: { search: $s }) { edges { node { id } } } }`,
          { s },
        )
      ).tickets.edges.map((e: any) => e.node.id) as string[];
    expect(await search(`#${b.number}`)).toEqual([b.id]);
    expect(await search(String(a.number))).toEqual([a.id]);
    expect((await search('NINA@globex.example')).sort()).toEqual([a.id, b.id].sort());
    expect((await search('lobe')).sort()).toEqual([a.id, b.id].sort());
    expect(await search('#999999')).toEqual([]);
  });

  it('runs the loop: customer mails in, agent replies by mail, the customer reply lands on the same ticket', async () => {
    const first = await mailIn({
      from: '"Wile E. Coyote" <wile@acme.example>',
      subject: 'Rocket skates explode',
      text: 'Hello,\n\nthe skates exploded again.\n\nThanks\nWile',
      messageId: '<first.1@acme.example>',
    });
    expect(first).toMatchObject({ status: 'processed', outcome: 'new_ticket' });
    const t = await conversation(first.ticketId!);
    expect(t.customerId).toBe(ids.acme); // unknown sender of a customer's domain joins that customer
    expect(t.subject).toBe('Rocket skates explode');
    expect(t.messages.edges[0].node).toMatchObject({
      kind: 'customer_message',
      body: expect.stringContaining('the skates exploded again'),
      mail: {
        status: 'received',
        messageId: 'first.1@acme.example',
        fromAddress: 'wile@acme.example',
      },
    });
    ids.loopTicket = t.id;

    const before = sink.mails.length;
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { addInternalNote(id: $id, body: "Secret: skates are recalled") { message { id } } }`,
      { id: t.id },
    );
    const reply = await ok(
      stack,
      agent,
      `mutation($id: ID!) { replyToTicket(id: $id, body: "Sorry!\\n\\nNew skates are on the way.", cc: ["Road.Runner@acme.example"]) { message { id } } }`,
      { id: t.id },
    );
    const mails = await sent(before + 1);
    const out = mails[before];
    expect(sink.mails[before].to.sort()).toEqual(['road.runner@acme.example', 'wile@acme.example']);
    expect(out.subject).toBe(`Re: [#${t.number}] Rocket skates explode`);
    expect(out.inReplyTo).toBe('<first.1@acme.example>');
    expect(out.references).toEqual('<first.1@acme.example>');
    const replyTo = out.replyTo!.value[0].address!;
    expect(replyTo).toMatch(new RegExp(`^support\\+t${t.id}\\.[0-9a-f]{16}@staydesk\\.test$`));
    expect(out.text).toContain('New skates are on the way.');
    expect(out.html).toContain('<p>New skates are on the way.</p>');
    expect(mails.some((m) => (m.text ?? '').includes('Secret'))).toBe(false); // notes are never mailed

    const status = await eventually('sent status', async () => {
      const c = await conversation(t.id);
      const m = c.messages.edges.find((e) => e.node.id === reply.replyToTicket.message.id)!.node;
      return m.mail.status === 'sent' ? m.mail : null;
    });
    expect(`<${status.messageId}>`).toBe(out.messageId);
    const delivered = (await conversation(t.id)).messages.edges;
    expect(
      delivered.find((e) => e.node.id === reply.replyToTicket.message.id)!.node.delivery,
    ).toEqual({
      status: 'sent',
      at: expect.any(String),
      error: null,
    });
    expect(delivered[0].node.delivery).toBeNull(); // customer mail has no delivery

    // the customer answers from their mail client, quoting our reply
    const answer = await mailIn({
      from: 'wile@acme.example',
      subject: out.subject,
      inReplyTo: out.messageId,
      references: [out.messageId!],
      text: `They work now, thanks!\n\nOn Mon, 30 Nov 2026 at 10:00, Staydesk <${SUPPORT}> wrote:\n> Sorry!\n> New skates are on the way.\n`,
      messageId: '<answer.1@acme.example>',
    });
    expect(answer).toMatchObject({ outcome: 'threaded', ticketId: t.id });
    const after = await conversation(t.id);
    const last = after.messages.edges.at(-1)!.node;
    expect(last.body).toBe('They work now, thanks!');
    expect(last.mail.fullText).toContain('> New skates are on the way.');
  });

  it('threads by the signed reply address, refuses forged ones, and uses [#N] only for the same customer', async () => {
    const t = await conversation(ids.loopTicket);
    const parsed = await sent(1);
    const replyTo = parsed.find((m) => m.subject?.includes(`[#${t.number}]`))!.replyTo!.value[0]
      .address!;
    const byAddress = await mailIn({
      from: 'wile@acme.example',
      to: replyTo,
      subject: 'one more thing',
      text: 'Also the rocket.',
      messageId: '<addr.1@acme.example>',
    });
    expect(byAddress).toMatchObject({ outcome: 'threaded', ticketId: t.id });

    const forged = await mailIn({
      from: 'wile@acme.example',
      to: replyTo.replace(/\.[0-9a-f]{16}@/, '.0123456789abcdef@'),
      subject: 'forged',
      text: 'Guessing.',
      messageId: '<forged.1@acme.example>',
    });
    expect(forged.outcome).toBe('new_ticket');

    const sameCustomer = await mailIn({
      from: 'wile@acme.example',
      subject: `Re: [#${t.number}] Rocket skates explode`,
      text: 'Via subject.',
      messageId: '<subj.1@acme.example>',
    });
    expect(sameCustomer).toMatchObject({ outcome: 'threaded', ticketId: t.id });

    const stranger = await mailIn({
      from: 'hank@globex.example',
      subject: `Re: [#${t.number}] Rocket skates explode`,
      text: 'Not my ticket.',
      messageId: '<subj.2@globex.example>',
    });
    expect(stranger.outcome).toBe('new_ticket');
    expect(stranger.ticketId).not.toBe(t.id);
  });

  it('stores a Message-ID once, refuses strangers and oversized mail at SMTP time', async () => {
    const again = {
      from: 'wile@acme.example',
      subject: 'dup',
      text: 'Once.',
      messageId: '<dup.1@acme.example>',
    };
    const first = await mailIn(again);
    await smtp.sendMail({ to: SUPPORT, ...again });
    const { rows } = await stack.db.query(
      `SELECT count(*)::int AS n FROM ticket_messages WHERE ticket_id = $1 AND body = 'Once.'`,
      [first.ticketId],
    );
    expect(rows[0].n).toBe(1);
    await expect(
      smtp.sendMail({ from: 'x@acme.example', to: 'sales@staydesk.test', subject: 's', text: 't' }),
    ).rejects.toMatchObject({ responseCode: 550 });
    await expect(
      smtp.sendMail({
        from: 'x@acme.example',
        to: SUPPORT,
        subject: 'big',
        text: 'x'.repeat(300_000),
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
  });

  it('reopens a solved ticket on a reply and opens a linked ticket for a closed one', async () => {
    const open = await mailIn({
      from: 'coyote2@acme.example',
      subject: 'Anvil',
      text: 'Anvil fell.',
      messageId: '<anvil.1@acme.example>',
    });
    const id = open.ticketId!;
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { replyToTicket(id: $id, body: "Fixed") { ticket { id } } }`,
      { id },
    );
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { changeTicketStatus(id: $id, status: solved) { id } }`,
      { id },
    );
    const reopened = await mailIn({
      from: 'coyote2@acme.example',
      subject: 'Re: Anvil',
      inReplyTo: '<anvil.1@acme.example>',
      text: 'It fell again.',
      messageId: '<anvil.2@acme.example>',
    });
    expect(reopened).toMatchObject({ outcome: 'reopened', ticketId: id });
    const t = await ok(stack, agent, `query($id: ID!) { ticket(id: $id) { status reopenCount } }`, {
      id,
    });
    expect(t.ticket).toEqual({ status: 'open', reopenCount: 1 });

    await ok(
      stack,
      agent,
      `mutation($id: ID!) { changeTicketStatus(id: $id, status: solved) { id } }`,
      { id },
    );
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { changeTicketStatus(id: $id, status: closed) { id } }`,
      { id },
    );
    const linked = await mailIn({
      from: 'coyote2@acme.example',
      subject: 'Re: Anvil',
      inReplyTo: '<anvil.2@acme.example>',
      text: 'And again.',
      messageId: '<anvil.3@acme.example>',
    });
    expect(linked.outcome).toBe('linked_ticket');
    expect(linked.ticketId).not.toBe(id);
    const events = await ok(
      stack,
      agent,
      `query($id: ID!) { ticket(id: $id) { events { type fromValue } } }`,
      {
        id: linked.ticketId,
      },
    );
    expect(events.ticket.events).toContainEqual({ type: 'linked_from', fromValue: id });
  });

  it('sets auto-replies aside, marks bounces on the reply and the contact, never reopens on noise', async () => {
    const open = await mailIn({
      from: 'gone@acme.example',
      subject: 'Help',
      text: 'Please help.',
      messageId: '<gone.1@acme.example>',
    });
    const id = open.ticketId!;
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { replyToTicket(id: $id, body: "On it") { ticket { id } } }`,
      { id },
    );
    // the sink refuses gone@… with 550: the reply fails for good, visible on the ticket
    const failed = await eventually('failed status', async () => {
      const c = await conversation(id);
      const m = c.messages.edges.at(-1)!.node;
      return m.mail.status === 'failed' ? m.mail : null;
    });
    expect(failed.error).toMatch(/550/);
    const failedMsg = (await conversation(id)).messages.edges.at(-1)!.node;
    expect(failedMsg.delivery).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/550/),
    });
    const history = await ok(
      stack,
      agent,
      `query($id: ID!) { ticket(id: $id) { events { type } } }`,
      { id },
    );
    expect(history.ticket.events.map((e: any) => e.type)).toContain('mail_failed');

    await ok(
      stack,
      agent,
      `mutation($id: ID!) { changeTicketStatus(id: $id, status: solved) { id } }`,
      { id },
    );
    const ooo = await mailIn({
      from: 'gone@acme.example',
      subject: 'Out of Office: Help',
      inReplyTo: '<gone.1@acme.example>',
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: 'I am away until Monday.',
      messageId: '<ooo.1@acme.example>',
    });
    expect(ooo).toMatchObject({ status: 'ignored', outcome: 'auto_reply', ticketId: id });
    const still = await ok(stack, agent, `query($id: ID!) { ticket(id: $id) { status } }`, { id });
    expect(still.ticket.status).toBe('solved');

    // a DSN about a sent reply: that reply is marked failed and the address bouncing
    const t = await conversation(ids.loopTicket);
    const sentReply = t.messages.edges.find((e) => e.node.kind === 'public_reply')!.node;
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>',
      `To: ${SUPPORT}`,
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <dsn.1@mx.acme.example>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.acme.example',
      '',
      'Final-Recipient: rfc822; wile@acme.example',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
      '--B',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <${sentReply.mail.messageId}>`,
      'Subject: whatever',
      '--B--',
      '',
    ].join('\r\n');
    await smtp.sendMail({ envelope: { from: '', to: [SUPPORT] }, raw: dsn });
    await eventually('dsn filed', async () => {
      const { rows } = await stack.db.query(
        `SELECT outcome FROM inbound_mails WHERE message_id = 'dsn.1@mx.acme.example' AND status = 'ignored'`,
      );
      return rows[0];
    });
    const after = await conversation(ids.loopTicket);
    const bounced = after.messages.edges.find((e) => e.node.id === sentReply.id)!.node;
    expect(bounced.mail).toMatchObject({
      status: 'bounced',
      error: expect.stringContaining('user unknown'),
    });
    expect(bounced.delivery).toMatchObject({
      status: 'bounced',
      error: expect.stringContaining('user unknown'),
    });
    const contact = await ok(
      stack,
      admin,
      `query($c: ID!) { customer(id: $c) { contacts { email emailBouncingAt emailBounceReason } } }`,
      { c: ids.acme },
    );
    expect(
      contact.customer.contacts.find((c: any) => c.email === 'wile@acme.example'),
    ).toMatchObject({
      emailBouncingAt: expect.any(String),
      emailBounceReason: expect.stringContaining('5.1.1'),
    });
    const { rows } = await stack.db.query(`SELECT count(*)::int AS n FROM surveys`);
    expect(rows[0].n).toBe(0);

    // the requester is bouncing: the next reply is stored but not mailed, and says so
    const mailsBefore = sink.mails.length;
    const held = await ok(
      stack,
      agent,
      `mutation($id: ID!) { replyToTicket(id: $id, body: "Did the new skates arrive?") { message { id } } }`,
      { id: ids.loopTicket },
    );
    const suppressed = await eventually('suppressed reply', async () => {
      const c = await conversation(ids.loopTicket);
      const m = c.messages.edges.find((e) => e.node.id === held.replyToTicket.message.id)!.node;
      return m.delivery.status === 'suppressed' ? m : null;
    });
    expect(suppressed.body).toBe('Did the new skates arrive?');
    expect(suppressed.delivery.error).toBe('not sent: address bouncing');
    expect(sink.mails.slice(mailsBefore).some((m) => m.to.includes('wile@acme.example'))).toBe(
      false,
    );

    // an agent clears the mark: the address is mailed again
    const wile = (
      await ok(stack, admin, `query($c: ID!) { customer(id: $c) { contacts { id email } } }`, {
        c: ids.acme,
      })
    ).customer.contacts.find((c: any) => c.email === 'wile@acme.example');
    const cleared = await ok(
      stack,
      agent,
      `mutation($c: ID!) { clearContactBounce(contactId: $c) { id email emailBouncingAt } }`,
      { c: wile.id },
    );
    expect(cleared.clearContactBounce).toEqual({
      id: wile.id,
      email: 'wile@acme.example',
      emailBouncingAt: null,
    });
    const missing = await fails(
      stack,
      agent,
      `mutation { clearContactBounce(contactId: "999999") { id } }`,
    );
    expect(missing.extensions?.code).toBe('NOT_FOUND');
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { replyToTicket(id: $id, body: "Checking in again.") { message { id } } }`,
      { id: ids.loopTicket },
    );
    await eventually('mailed again', async () =>
      sink.mails.slice(mailsBefore).some((m) => m.to.includes('wile@acme.example')),
    );
  });

  it('public mail domains never match a customer; each unknown sender gets a customer of their own', async () => {
    const a = await mailIn({
      from: 'Jane <jane@gmail.com>',
      subject: 'Q',
      text: 'Hi',
      messageId: '<g.1@gmail.com>',
    });
    const b = await mailIn({
      from: 'joe@gmail.com',
      subject: 'Q',
      text: 'Hi',
      messageId: '<g.2@gmail.com>',
    });
    const ta = await conversation(a.ticketId!);
    const tb = await conversation(b.ticketId!);
    expect(ta.customerId).not.toBe(tb.customerId);
    const { rows } = await stack.db.query(`SELECT name, domain FROM customers WHERE id = $1`, [
      ta.customerId,
    ]);
    expect(rows[0]).toEqual({ name: 'Jane', domain: null });
  });

  it('team sender, signature and notification mails follow the settings', async () => {
    const team = (
      await ok(stack, admin, `mutation { createTeam(input: { name: "Rockets" }) { id } }`)
    ).createTeam.id;
    const denied = await fails(
      stack,
      agent,
      `mutation($t: ID!) { setTeamMailSender(teamId: $t, input: { fromName: "X" }) { fromName } }`,
      { t: team },
    );
    expect(denied.extensions?.code).toBe('FORBIDDEN');
    await ok(
      stack,
      admin,
      `mutation($t: ID!) { setTeamMailSender(teamId: $t, input: { fromName: "Rocket Support", fromAddress: "rockets@staydesk.test", signature: "Rocket team\\nAcme-proof" }) { fromName } }`,
      { t: team },
    );
    const bad = await fails(
      stack,
      admin,
      `mutation($t: ID!) { setTeamMailSender(teamId: $t, input: { fromAddress: "not an address" }) { fromName } }`,
      { t: team },
    );
    expect(bad.extensions?.code).toBe('BAD_USER_INPUT');

    const inbound = await mailIn({
      from: 'wile@acme.example',
      subject: 'Team mail',
      text: 'To the team.',
      messageId: '<team.1@acme.example>',
    });
    const id = inbound.ticketId!;
    // assigned by an admin: the agent gets a notification mail
    const before = sink.mails.length;
    await ok(
      stack,
      admin,
      `mutation($id: ID!, $t: ID, $a: ID) { updateTicket(id: $id, input: { teamId: $t, assigneeId: $a }) { id } }`,
      { id, t: team, a: ids.agent },
    );
    const assigned = await eventually('assignment mail', async () =>
      sink.mails.slice(before).find((m) => m.to.includes('agent@t.local')),
    );
    expect(mailText(assigned.raw)).toContain('was assigned to you');

    await ok(
      stack,
      agent,
      `mutation($id: ID!) { replyToTicket(id: $id, body: "Team answer") { ticket { id } } }`,
      { id },
    );
    const out = await eventually('team reply', async () => {
      const m = sink.mails.slice(before).find((x) => x.raw.includes('Team answer'));
      return m ? simpleParser(m.raw) : null;
    });
    expect(out.from?.value[0]).toMatchObject({
      name: 'Rocket Support',
      address: 'rockets@staydesk.test',
    });
    expect(out.text).toContain('-- \nRocket team\nAcme-proof');

    // a customer reply on the agent's ticket: a mail while switched on, none after switching off
    await mailIn({
      from: 'wile@acme.example',
      subject: 'Re: Team mail',
      inReplyTo: '<team.1@acme.example>',
      text: 'Reply one.',
      messageId: '<team.2@acme.example>',
    });
    await eventually('reply notification', async () =>
      sink.mails
        .slice(before)
        .find(
          (m) => m.to.includes('agent@t.local') && mailText(m.raw).includes('customer replied'),
        ),
    );
    const off = await ok(
      stack,
      agent,
      `mutation { setMyMailNotifications(input: { customerReply: false }) { assigned customerReply slaWarning } }`,
    );
    expect(off.setMyMailNotifications).toEqual({
      assigned: true,
      customerReply: false,
      slaWarning: true,
    });
    const count = sink.mails.filter((m) => m.to.includes('agent@t.local')).length;
    const r2 = await mailIn({
      from: 'wile@acme.example',
      subject: 'Re: Team mail',
      inReplyTo: '<team.2@acme.example>',
      text: 'Reply two.',
      messageId: '<team.3@acme.example>',
    });
    // the notification job for reply two has run when its mail.notify job completed
    const { Queue } = await import('bullmq');
    const q = new Queue('mail', {
      connection: { url: stack.config.redis.url },
      prefix: stack.config.redis.prefix,
    });
    await eventually('notify job done', async () => {
      const jobs = await q.getJobs(['completed']);
      return jobs.find(
        (j) => j.name === 'mail.notify' && j.returnvalue?.reason === 'switched off by the user',
      )
        ? true
        : null;
    });
    await q.close();
    expect(r2.outcome).toBe('threaded');
    expect(sink.mails.filter((m) => m.to.includes('agent@t.local')).length).toBe(count);
  });

  it('closes solved tickets after AUTO_CLOSE_DAYS with an auto_closed history event', async () => {
    const open = await mailIn({
      from: 'wile@acme.example',
      subject: 'Old',
      text: 'Old one.',
      messageId: '<old.1@acme.example>',
    });
    const id = open.ticketId!;
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { changeTicketStatus(id: $id, status: solved) { id } }`,
      { id },
    );
    await stack.db.query(`UPDATE tickets SET solved_at = now() - interval '5 days' WHERE id = $1`, [
      id,
    ]);
    // the worker's repeatable auto-close may get there first (the rows are claimed SKIP
    // LOCKED, so our call skips a row the job holds until its transaction commits): what counts
    // is that the ticket ends closed, once, with the event
    const read = () =>
      ok(
        stack,
        agent,
        `query($id: ID!) { ticket(id: $id) { status events { type actorId toValue } } }`,
        { id },
      );
    await stack.worker!.get(TicketsService).autoClose(4);
    let t = await read();
    for (let i = 0; t.ticket.status !== 'closed' && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      await stack.worker!.get(TicketsService).autoClose(4);
      t = await read();
    }
    expect(t.ticket.status).toBe('closed');
    expect(t.ticket.events).toContainEqual({ type: 'auto_closed', actorId: null, toValue: '4d' });
    expect(t.ticket.events.filter((e: { type: string }) => e.type === 'auto_closed')).toHaveLength(
      1,
    );
  });

  const upload = (
    token: string | null,
    name: string,
    bytes: Buffer,
    type = 'text/plain',
    cookie = false,
  ) => {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type }), name);
    const auth: Record<string, string> = token
      ? cookie
        ? { cookie: `other=1; sd_session=${token}` }
        : { authorization: `Bearer ${token}` }
      : {};
    return fetch(`${stack.url}/attachments`, { method: 'POST', body: form, headers: auth });
  };

  it('uploads, sends and downloads attachments: sniffed types, sanitized names, access by ticket and note visibility', async () => {
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), randomBytes(64)]);
    const res = await upload(agent, '../../notes.txt', exe);
    expect(res.status).toBe(201);
    const up = (await res.json()) as { id: string; filename: string; contentType: string };
    expect(up).toMatchObject({ filename: 'notes.txt', contentType: 'application/x-msdownload' });
    expect((await upload(null, 'a.txt', Buffer.from('x'))).status).toBe(401);
    expect((await upload(agent, 'big.bin', randomBytes(150_000))).status).toBe(400);

    const inbound = await mailIn({
      from: 'wile@acme.example',
      subject: 'Files',
      text: 'See the PDF.',
      attachments: [
        {
          filename: 'report.pdf',
          content: Buffer.from('%PDF-1.4\nfake pdf body\n'),
          contentType: 'application/pdf',
        },
        {
          filename: 'again.pdf',
          content: Buffer.from('%PDF-1.4\nfake pdf body\n'),
          contentType: 'application/pdf',
        },
      ],
      messageId: '<files.1@acme.example>',
    });
    const id = inbound.ticketId!;
    const stolen = await fails(
      stack,
      admin,
      `mutation($id: ID!, $a: [ID!]) { replyToTicket(id: $id, body: "x", attachmentIds: $a) { message { id } } }`,
      { id, a: [up.id] },
    );
    expect(stolen.extensions?.code).toBe('BAD_USER_INPUT');
    const before = sink.mails.length;
    await ok(
      stack,
      agent,
      `mutation($id: ID!, $a: [ID!]) { replyToTicket(id: $id, body: "Here you go", attachmentIds: $a) { message { id } } }`,
      { id, a: [up.id] },
    );
    const out = await eventually('reply with attachment', async () => {
      const m = sink.mails.slice(before).find((x) => x.raw.includes('Here you go'));
      return m ? simpleParser(m.raw) : null;
    });
    expect(out.attachments.map((a) => [a.filename, a.content.equals(exe)])).toEqual([
      ['notes.txt', true],
    ]);

    const t = await conversation(id);
    const files = (
      await ok(
        stack,
        agent,
        `query($id: ID!) { ticket(id: $id) { messages { edges { node { kind attachments { id filename contentType sha256 } } } } } }`,
        { id },
      )
    ).ticket.messages.edges.flatMap((e: any) => e.node.attachments);
    expect(t.messages.edges).toHaveLength(2);
    expect(files.map((f: any) => f.filename)).toEqual(['report.pdf', 'again.pdf', 'notes.txt']);
    expect(files[0].sha256).toBe(files[1].sha256);
    // stored once by content
    const shard = join(attachmentsDir, files[0].sha256.slice(0, 2), files[0].sha256.slice(2, 4));
    expect(await readdir(shard)).toEqual([files[0].sha256]);

    const dl = await fetch(`${stack.url}/attachments/${files[2].id}`, {
      headers: { cookie: `sd_session=${agent}` },
    });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toBe('application/octet-stream');
    expect(dl.headers.get('content-disposition')).toMatch(/^attachment; filename="notes.txt"/);
    expect(Buffer.from(await dl.arrayBuffer()).equals(exe)).toBe(true);
    expect((await fetch(`${stack.url}/attachments/${files[0].id}`)).status).toBe(401);

    // a private team's ticket: its files are for the team (and admins) only
    const team = (
      await ok(
        stack,
        admin,
        `mutation { createTeam(input: { name: "Vault", isPrivate: true }) { id } }`,
      )
    ).createTeam.id;
    await insertUser(stack, { email: 'vault@t.local', role: 'agent', teamId: team });
    const vault = await login(stack, 'vault@t.local');
    await ok(
      stack,
      admin,
      `mutation($id: ID!, $t: ID) { updateTicket(id: $id, input: { teamId: $t }) { id } }`,
      {
        id,
        t: team,
      },
    );
    const secret = (await (
      await upload(vault, 'secret.txt', Buffer.from('top secret'), 'text/plain', true)
    ).json()) as {
      id: string;
    };
    await ok(
      stack,
      vault,
      `mutation($id: ID!, $a: [ID!]) { addInternalNote(id: $id, body: "private", attachmentIds: $a) { message { id } } }`,
      { id, a: [secret.id] },
    );
    const denied = await fetch(`${stack.url}/attachments/${secret.id}`, {
      headers: { authorization: `Bearer ${agent}` },
    });
    expect(denied.status).toBe(404);
    expect(((await denied.json()) as any).error.code).toBe('NOT_FOUND');
    // the whole ticket is the team's now: the earlier reply's file too
    const earlier = await fetch(`${stack.url}/attachments/${files[0].id}`, {
      headers: { authorization: `Bearer ${agent}` },
    });
    expect(earlier.status).toBe(404);
    const allowed = await fetch(`${stack.url}/attachments/${secret.id}`, {
      headers: { authorization: `Bearer ${vault}` },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('content-type')).toBe('text/plain');
    expect(await allowed.text()).toBe('top secret');
  });
});
