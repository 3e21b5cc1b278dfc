import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ImapFlow } from 'imapflow';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, AppConfig, JobPublisher, TransactionRunner } from '@staydesk/core';
import { ImapService } from './imap.service';
import { MailboxesRepository } from './mailboxes.repository';

interface Watcher {
  stopped: boolean;
  client: ImapFlow | null;
  /** Resolves when the watch loop has ended. */
  done: Promise<void>;
}

const MAX_BACKOFF_MS = 60_000;

/**
 * IMAP IDLE (worker, where the SMTP receiver runs: INBOUND_SMTP): one long-lived connection per
 * active mailbox, its folder opened read-only; imapflow keeps it in IDLE, and each new message
 * (`exists`) queues a poll right away (one per mailbox per second) instead of waiting for the
 * minute sweep. The poll does the importing, on its own connection, so IDLE adds no second
 * import path. A dropped connection reconnects with backoff (1 s doubling to a minute); the
 * minute sweep keeps polling every mailbox regardless, so a server without IDLE, or a watcher
 * that is down, only makes mail slower, never lost. Mailboxes added or switched off are picked up
 * within a minute.
 */
@Injectable()
export class ImapIdleService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly watchers = new Map<string, Watcher>();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly repo: MailboxesRepository,
    private readonly tx: TransactionRunner,
    private readonly imap: ImapService,
    private readonly publisher: JobPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(ImapIdleService.name) private readonly logger: PinoLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.email.inboundEnabled) return;
    await this.refresh().catch((err: unknown) =>
      this.logger.warn({ err }, 'IMAP IDLE: mailboxes not loaded; polling only'),
    );
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), 60_000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.watchers.keys()].map((id) => this.unwatch(id)));
  }

  /** Watches every active mailbox and stops watching the others. */
  async refresh(): Promise<void> {
    const ids = new Set(await this.repo.activeIds(this.tx.db));
    for (const id of ids) this.watch(id);
    for (const id of this.watchers.keys()) if (!ids.has(id)) await this.unwatch(id);
  }

  /** Whether a mailbox has a live IDLE connection (its folder open). */
  watching(mailboxId: string): boolean {
    return this.watchers.get(mailboxId)?.client?.usable === true;
  }

  /** Starts watching a mailbox (no-op when already watched). */
  watch(mailboxId: string): void {
    if (this.stopped || this.watchers.has(mailboxId)) return;
    const w: Watcher = { stopped: false, client: null, done: Promise.resolve() };
    w.done = this.loop(mailboxId, w).finally(() => {
      if (this.watchers.get(mailboxId) === w) this.watchers.delete(mailboxId);
    });
    this.watchers.set(mailboxId, w);
  }

  async unwatch(mailboxId: string): Promise<void> {
    const w = this.watchers.get(mailboxId);
    if (!w) return;
    w.stopped = true;
    w.client?.close();
    await w.done;
  }

  private async loop(mailboxId: string, w: Watcher): Promise<void> {
    let backoff = 1000;
    while (!w.stopped && !this.stopped) {
      try {
        const box = await this.repo.byId(this.tx.db, mailboxId);
        if (!box || !box.active) return;
        const client = this.imap.client(box, { idle: true });
        w.client = client;
        const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
        await client.connect();
        await client.mailboxOpen(box.folder, { readOnly: true });
        client.on('exists', (d: { count: number; prevCount: number }) => {
          if (d.count > d.prevCount) this.trigger(mailboxId);
        });
        this.trigger(mailboxId); // whatever arrived while nobody was watching
        backoff = 1000;
        await closed;
      } catch (err) {
        this.logger.warn({ err, mailboxId }, 'IMAP IDLE connection failed; retrying');
        w.client?.close();
      }
      w.client = null;
      if (w.stopped || this.stopped) return;
      await new Promise((resolve) => setTimeout(resolve, backoff).unref());
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  private trigger(mailboxId: string): void {
    const second = Math.floor(Date.now() / 1000);
    this.publisher
      .publish('mail.poll-imap', { mailboxId }, { jobId: `imap-${mailboxId}-idle-${second}` })
      .catch((err: unknown) => this.logger.warn({ err, mailboxId }, 'IMAP IDLE: poll not queued'));
  }
}
