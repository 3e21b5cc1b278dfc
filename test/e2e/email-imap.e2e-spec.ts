import { ImapFlow } from 'imapflow';
import { ImapService } from '@staydesk/email';
import { PrivateDovecot, startPrivateDovecot } from '../support/dovecot';
import { fails, insertUser, login, ok } from '../support/factories';
import { TestStack, startStack } from '../support/stack';

const mail = (id: string, subject: string, text: string) =>
  Buffer.from(
    [
      'From: Wile <wile@acme.example>',
      'To: support@staydesk.test',
      `Subject: ${subject}`,
      `Message-ID: <${id}@acme.example>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      text,
      '',
    ].join('\r\n'),
  );

describe('e-mail: IMAP mailboxes (private Dovecot)', () => {
  let dovecot: PrivateDovecot;
  let stack: TestStack;
  let admin: string;
  let provider: ImapFlow;

  const count = async (folder: string) => {
    const status = await provider.status(folder, { messages: true });
    return status === false ? -1 : status.messages;
  };

  beforeAll(async () => {
    dovecot = await startPrivateDovecot();
    stack = await startStack({ env: { OUTBOX_RELAY: 'false' } });
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    admin = await login(stack, 'admin@t.local');
    provider = new ImapFlow({
      host: '127.0.0.1',
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.password },
      logger: false,
    });
    await provider.connect();
    await provider.mailboxCreate('Imported');
  });

  afterAll(async () => {
    await provider?.logout().catch(() => undefined);
    await stack?.close();
    await dovecot?.close();
  });

  it('imports new mail once, moves it, remembers UIDVALIDITY/UID, and keeps the password encrypted', async () => {
    await provider.append('INBOX', mail('imap-a', 'First', 'Hello from IMAP.'));
    await provider.append('INBOX', mail('imap-b', 'Second', 'Another one.'));
    await provider.append('INBOX', mail('imap-a', 'First', 'Hello from IMAP.')); // a duplicate delivery

    const agent = await (async () => {
      await insertUser(stack, { email: 'agent@t.local', role: 'agent' });
      return login(stack, 'agent@t.local');
    })();
    const input = {
      name: 'Support inbox',
      host: '127.0.0.1',
      port: dovecot.port,
      tls: false,
      username: dovecot.user,
      password: dovecot.password,
      moveTo: 'Imported',
    };
    const denied = await fails(
      stack,
      agent,
      `mutation($i: MailboxInput!) { createMailbox(input: $i) { id } }`,
      { i: input },
    );
    expect(denied.extensions?.code).toBe('FORBIDDEN');
    const box = (
      await ok(
        stack,
        admin,
        `mutation($i: MailboxInput!) { createMailbox(input: $i) { id name active } }`,
        {
          i: input,
        },
      )
    ).createMailbox;
    const { rows: stored } = await stack.db.query(
      `SELECT password_enc FROM mail_mailboxes WHERE id = $1`,
      [box.id],
    );
    expect(stored[0].password_enc).not.toContain(dovecot.password);

    const imap = stack.worker!.get(ImapService);
    expect(await imap.poll(box.id)).toMatchObject({ imported: 3 });
    expect(await count('INBOX')).toBe(0);
    expect(await count('Imported')).toBe(3);

    // filing runs in the worker; wait for both messages to be filed
    for (let i = 0; i < 200; i++) {
      const { rows } = await stack.db.query(
        `SELECT count(*)::int AS n FROM inbound_mails WHERE source = 'imap' AND status = 'processed'`,
      );
      if (rows[0].n === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const { rows } = await stack.db.query(
      `SELECT message_id, count(*)::int AS n FROM inbound_mails GROUP BY message_id ORDER BY message_id`,
    );
    expect(rows).toEqual([
      { message_id: 'imap-a@acme.example', n: 1 },
      { message_id: 'imap-b@acme.example', n: 1 },
    ]);
    const { rows: tickets } = await stack.db.query(`SELECT subject FROM tickets ORDER BY id`);
    expect(tickets.map((t) => t.subject)).toEqual(['First', 'Second']);

    await provider.append('INBOX', mail('imap-c', 'Third', 'Later.'));
    expect(await imap.poll(box.id)).toMatchObject({ imported: 1 });
    expect(await imap.poll(box.id)).toMatchObject({ imported: 0 });
    const listed = await ok(stack, admin, `query { mailboxes { name lastUid lastError } }`);
    expect(listed.mailboxes).toEqual([
      { name: 'Support inbox', lastUid: expect.any(Number), lastError: null },
    ]);
  });

  it('a re-poll after lost progress (connection dropped before the UID was saved) stores nothing twice', async () => {
    const box = (
      await ok(stack, admin, `mutation($i: MailboxInput!) { createMailbox(input: $i) { id } }`, {
        i: {
          name: 'Archive view',
          host: '127.0.0.1',
          port: dovecot.port,
          tls: false,
          username: dovecot.user,
          password: dovecot.password,
          folder: 'Imported',
        },
      })
    ).createMailbox;
    const imap = stack.worker!.get(ImapService);
    expect(await imap.poll(box.id)).toMatchObject({ imported: 4 });
    await stack.db.query(`UPDATE mail_mailboxes SET last_uid = 0 WHERE id = $1`, [box.id]);
    expect(await imap.poll(box.id)).toMatchObject({ imported: 4 });
    const { rows } = await stack.db.query(`SELECT count(*)::int AS n FROM inbound_mails`);
    expect(rows[0].n).toBe(3);
    // without moveTo, imported messages are flagged \Seen and stay where they are
    expect(await count('Imported')).toBe(4);
    const wrong = await fails(
      stack,
      admin,
      `mutation { setMailboxActive(id: "999999", active: false) { id } }`,
    );
    expect(wrong.extensions?.code).toBe('NOT_FOUND');
  });
});
