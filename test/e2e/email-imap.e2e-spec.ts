import { AddressInfo, Server, Socket, createServer, connect } from 'node:net';
import { ImapFlow } from 'imapflow';
import { ImapIdleService, ImapService } from '@staydesk/email';
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

async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A TCP proxy to Dovecot that cuts a connection on cue (the IMAP connection dropped mid-fetch):
 * `afterFetchBytes` once that many server bytes followed the client's FETCH, `atStore` when the
 * client sends its n-th STORE/MOVE. No cue: it just forwards.
 */
async function startCuttingProxy(target: number) {
  const cue: { afterFetchBytes?: number; atStore?: number } = {};
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    let fetching = false;
    let fetchBytes = 0;
    let stores = 0;
    const cut = () => {
      cuts++;
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (/ UID FETCH /i.test(text)) fetching = true;
      stores += (text.match(/ UID (?:STORE|MOVE) /gi) ?? []).length;
      if (cue.atStore && stores >= cue.atStore) return cut();
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (fetching) fetchBytes += chunk.length;
      if (cue.afterFetchBytes && fetching && fetchBytes > cue.afterFetchBytes) {
        // forward part of the chunk, then drop the line in the middle of a message
        client.write(
          chunk.subarray(0, Math.max(0, chunk.length - (fetchBytes - cue.afterFetchBytes))),
        );
        return cut();
      }
      client.write(chunk);
    });
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cue,
    cuts: () => cuts,
    /** Drops every open connection (the line goes down). */
    dropAll: () => {
      cuts++;
      for (const sock of sockets) sock.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

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

  it('a connection dropped mid-fetch, then mid-import, resumes without storing anything twice', async () => {
    const proxy = await startCuttingProxy(dovecot.port);
    try {
      await provider.mailboxCreate('Cut');
      const ids = ['cut-1', 'cut-2', 'cut-3', 'cut-4'];
      const big = 'The skates exploded on the launch pad. '.repeat(300); // ~12 KB each
      for (const id of ids) await provider.append('Cut', mail(id, `Cut ${id}`, big));
      const box = (
        await ok(stack, admin, `mutation($i: MailboxInput!) { createMailbox(input: $i) { id } }`, {
          i: {
            name: 'Through a bad line',
            host: '127.0.0.1',
            port: proxy.port,
            tls: false,
            username: dovecot.user,
            password: dovecot.password,
            folder: 'Cut',
            moveTo: 'Imported',
          },
        })
      ).createMailbox;
      const imap = stack.worker!.get(ImapService);
      const stored = async () => {
        const { rows } = await stack.db.query<{ id: string; n: number }>(
          `SELECT message_id AS id, count(*)::int AS n FROM inbound_mails
            WHERE message_id LIKE 'cut-%' GROUP BY message_id ORDER BY message_id`,
        );
        return rows;
      };

      // 1. the line drops inside the second message's literal: nothing half-imported
      proxy.cue.afterFetchBytes = 18_000;
      await expect(imap.poll(box.id)).rejects.toThrow();
      expect(proxy.cuts()).toBe(1);
      expect(await stored()).toEqual([]);
      const { rows: err } = await stack.db.query(
        `SELECT last_error, last_uid FROM mail_mailboxes WHERE id = $1`,
        [box.id],
      );
      expect(err[0].last_error).toBeTruthy();

      // 2. the line drops while importing, after the 2nd message was stored but before it moved
      proxy.cue.afterFetchBytes = undefined;
      proxy.cue.atStore = 2;
      await expect(imap.poll(box.id)).rejects.toThrow();
      expect(proxy.cuts()).toBe(2);
      expect(await stored()).toEqual([
        { id: 'cut-1@acme.example', n: 1 },
        { id: 'cut-2@acme.example', n: 1 },
      ]);
      expect(await count('Cut')).toBe(3); // the 2nd was stored but not moved

      // 3. a good line: the rest comes in, the 2nd message is fetched again and stored once
      proxy.cue.atStore = undefined;
      await imap.poll(box.id);
      expect(await imap.poll(box.id)).toMatchObject({ imported: 0 });
      expect(await stored()).toEqual(ids.map((id) => ({ id: `${id}@acme.example`, n: 1 })));
      expect(await count('Cut')).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('IDLE: new mail is imported without waiting for the poll, also after the connection drops', async () => {
    const proxy = await startCuttingProxy(dovecot.port);
    const idle = stack.worker!.get(ImapIdleService);
    try {
      await provider.mailboxCreate('Idle');
      const box = (
        await ok(stack, admin, `mutation($i: MailboxInput!) { createMailbox(input: $i) { id } }`, {
          i: {
            name: 'Watched',
            host: '127.0.0.1',
            port: proxy.port,
            tls: false,
            username: dovecot.user,
            password: dovecot.password,
            folder: 'Idle',
            moveTo: 'Imported',
          },
        })
      ).createMailbox;
      const storedOnce = async (id: string) => {
        const { rows } = await stack.db.query(
          `SELECT count(*)::int AS n FROM inbound_mails WHERE message_id = $1`,
          [`${id}@acme.example`],
        );
        return rows[0].n === 1;
      };
      idle.watch(box.id);
      await until('the IDLE connection', () => idle.watching(box.id));
      await provider.append('Idle', mail('idle-1', 'Watched', 'Pushed, not polled.'));
      await until('idle-1 imported', () => storedOnce('idle-1'));

      proxy.dropAll(); // the watcher reconnects by itself
      await until('the connection to drop', () => !idle.watching(box.id));
      await until('the IDLE connection again', () => idle.watching(box.id));
      await provider.append('Idle', mail('idle-2', 'Watched again', 'After the drop.'));
      await until('idle-2 imported', () => storedOnce('idle-2'));
      await until('both moved', async () => (await count('Idle')) === 0);
      expect(await storedOnce('idle-1')).toBe(true);
    } finally {
      await idle.onApplicationShutdown();
      await proxy.close();
    }
  });
});
