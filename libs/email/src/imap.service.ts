import { Inject, Injectable } from '@nestjs/common';
import type { ImapFlow } from 'imapflow';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  APP_CONFIG,
  AppConfig,
  AuditRepository,
  JobPublisher,
  TransactionRunner,
  badInput,
  notFound,
} from '@staydesk/core';
import { Actor, validateId } from '@staydesk/identity';
import { InboundService } from './inbound.service';
import { imapflow } from './mail-libs';
import { decryptSecret, encryptSecret } from './mailbox-crypto';
import { MailboxRow, MailboxesRepository } from './mailboxes.repository';

export interface MailboxInput {
  name: string;
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
  folder?: string | null;
  moveTo?: string | null;
}

/** Messages imported per poll (the next poll continues where this one stopped). */
const BATCH = 200;

/**
 * IMAP mailboxes (admin-configured): the worker polls each, imports new messages through the same
 * store-then-file path as the SMTP receiver, remembers UIDVALIDITY and the last UID, and moves
 * imported messages to `moveTo` (or flags them \Seen when none is set).
 */
@Injectable()
export class ImapService {
  constructor(
    private readonly repo: MailboxesRepository,
    private readonly tx: TransactionRunner,
    private readonly inbound: InboundService,
    private readonly publisher: JobPublisher,
    private readonly audit: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(ImapService.name) private readonly logger: PinoLogger,
  ) {}

  private key(): string {
    const key = this.config.email.mailboxKey;
    if (!key) {
      throw badInput(
        'password',
        'set MAILBOX_SECRET_KEY (64 hex characters) to store mailbox passwords',
      );
    }
    return key;
  }

  list() {
    return this.repo.list(this.tx.db);
  }

  async create(actor: Actor, input: MailboxInput): Promise<MailboxRow> {
    const name = input.name.trim();
    if (!name || name.length > 100) throw badInput('name', 'must be 1 to 100 characters');
    if (!/^[A-Za-z0-9.-]{1,253}$/.test(input.host))
      throw badInput('host', 'must be a host name or IP address');
    if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) {
      throw badInput('port', 'must be a port number from 1 to 65535');
    }
    if (!input.username.trim() || input.username.length > 254)
      throw badInput('username', 'must be 1 to 254 characters');
    if (!input.password || input.password.length > 1000)
      throw badInput('password', 'must be 1 to 1000 characters');
    const key = this.key();
    return this.tx.run(async (tx) => {
      const row = await this.repo.insert(tx, {
        name,
        host: input.host,
        port: input.port,
        tls: input.tls,
        username: input.username.trim(),
        passwordEnc: encryptSecret(input.password, key),
        folder: input.folder?.trim() || 'INBOX',
        moveTo: input.moveTo?.trim() || null,
      });
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'mailbox.create',
        entity: 'mailbox',
        entityId: row.id,
        details: { name, host: input.host, port: input.port, username: row.username },
      });
      return row;
    });
  }

  async setActive(actor: Actor, id: string, active: boolean): Promise<MailboxRow> {
    validateId(id);
    return this.tx.run(async (tx) => {
      const row = await this.repo.setActive(tx, id, active);
      if (!row) throw notFound('mailbox', id);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: active ? 'mailbox.activate' : 'mailbox.deactivate',
        entity: 'mailbox',
        entityId: id,
      });
      return row;
    });
  }

  /** Queues a poll of every active mailbox (one per mailbox per minute). */
  async pollAll(): Promise<number> {
    const ids = await this.repo.activeIds(this.tx.db);
    const minute = Math.floor(Date.now() / 60_000);
    await Promise.all(
      ids.map((mailboxId) =>
        this.publisher.publish(
          'mail.poll-imap',
          { mailboxId },
          { jobId: `imap-${mailboxId}-${minute}` },
        ),
      ),
    );
    return ids.length;
  }

  /** A client for a mailbox (not connected); connection errors are logged. */
  client(box: MailboxRow, options: { idle?: boolean } = {}): ImapFlow {
    const client = new (imapflow().ImapFlow)({
      host: box.host,
      port: box.port,
      secure: box.tls,
      auth: {
        user: box.username,
        pass: decryptSecret(box.passwordEnc, this.key()),
      },
      logger: false,
      disableAutoIdle: !options.idle,
      connectionTimeout: 15_000,
      greetingTimeout: 10_000,
      socketTimeout: options.idle ? 5 * 60_000 : 60_000,
    });
    client.on('error', (err: Error) =>
      this.logger.warn({ err, mailboxId: box.id }, 'IMAP connection error'),
    );
    return client;
  }

  /** Imports new messages of one mailbox. */
  async poll(mailboxId: string): Promise<{ imported: number; uidValidity?: string }> {
    const box = await this.repo.byId(this.tx.db, mailboxId);
    if (!box || !box.active) return { imported: 0 };
    const client = this.client(box);
    let imported = 0;
    try {
      await client.connect();
      const lock = await client.getMailboxLock(box.folder);
      try {
        const mailbox = client.mailbox;
        if (!mailbox) throw new Error(`folder ${box.folder} could not be opened`);
        const uidValidity = String(mailbox.uidValidity);
        // a new UIDVALIDITY means the server renumbered the folder: start over (Message-IDs dedupe)
        let lastUid = uidValidity === box.uidValidity ? box.lastUid : 0;
        const found = await client.fetchAll(
          `${lastUid + 1}:*`,
          { uid: true, source: true },
          { uid: true },
        );
        const fresh = found
          .filter((m) => m.uid > lastUid && m.source)
          .sort((a, b) => a.uid - b.uid)
          .slice(0, BATCH);
        for (const m of fresh) {
          await this.inbound.receive(m.source!, { source: 'imap', mailFrom: null, rcptTo: [] });
          // imapflow answers false (not an error) when the command failed, e.g. on a dropped
          // connection: the UID must not be saved then, or the message would stay unmoved
          const done = box.moveTo
            ? await client.messageMove(String(m.uid), box.moveTo, { uid: true })
            : await client.messageFlagsAdd(String(m.uid), ['\\Seen'], { uid: true });
          if (!done) throw new Error(`could not move or flag UID ${m.uid}; will retry`);
          lastUid = m.uid;
          await this.repo.progress(this.tx.db, box.id, uidValidity, lastUid);
          imported++;
        }
        if (fresh.length === 0) await this.repo.progress(this.tx.db, box.id, uidValidity, lastUid);
        return { imported, uidValidity };
      } finally {
        lock.release();
      }
    } catch (err) {
      await this.repo.polled(this.tx.db, box.id, (err as Error).message);
      throw err;
    } finally {
      await client.logout().catch(() => client.close());
    }
  }
}
