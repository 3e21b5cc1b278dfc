import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Client } from 'pg';
import {
  APP_CONFIG,
  AppConfig,
  JobPublisher,
  JobWindows,
  TransactionRunner,
  windowJobId,
} from '@staydesk/core';
import { withCarriedTrace } from '@staydesk/telemetry';
import type { DomainEvent } from './events';
import { OutboxRepository, OutboxRow } from './outbox.repository';
import { WindowAdd, recentKey, routeBatch, windowAdds } from './outbox.routes';

const BATCH = 200;

/**
 * Moves outbox rows to BullMQ: woken by LISTEN/NOTIFY at commit time, with a poll as fallback
 * (and to catch up after an outage). Each batch is claimed with FOR UPDATE SKIP LOCKED, so any
 * number of workers relay in parallel without sending a row twice; jobs get ids derived from
 * the outbox id, so a row relayed again after a crash is a no-op in Redis (a debounce window's
 * member goes into a set: again a no-op). If Redis is down the transaction rolls back and the
 * rows wait for the next round: at-least-once delivery, and idempotent processors make the
 * effect exactly-once.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private listener?: Client;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private failures = 0;
  private readonly relayed: ((rows: OutboxRow[]) => void)[] = [];

  constructor(
    private readonly repo: OutboxRepository,
    private readonly tx: TransactionRunner,
    private readonly publisher: JobPublisher,
    private readonly windows: JobWindows,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(OutboxRelay.name) private readonly logger: PinoLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.outbox.relay) return;
    await this.listen();
    this.timer = setInterval(() => this.kick(), this.config.outbox.pollMs);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.listener?.end().catch(() => undefined);
  }

  /**
   * Calls `listener` with each batch of rows after its transaction has committed (live updates
   * publish them to Redis pub/sub). A listener must not throw; it must not block.
   */
  onRelayed(listener: (rows: OutboxRow[]) => void): void {
    this.relayed.push(listener);
  }

  /** Starts a drain, or asks the running one to go around once more. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Relays until the outbox is empty (or an error; the poll retries). Returns rows relayed. */
  async drain(): Promise<void> {
    for (;;) {
      let count = 0;
      try {
        count = await this.relayBatch();
        this.failures = 0;
      } catch (err) {
        this.failures++;
        if (this.failures === 1 || this.failures % 30 === 0) {
          this.logger.warn(
            { err, failures: this.failures },
            'outbox relay failed; rows stay queued',
          );
        }
        return;
      }
      if (count < BATCH || this.stopped) return;
    }
  }

  async relayBatch(): Promise<number> {
    const rows = await this.tx.run(async (tx) => {
      const rows = await this.repo.claim(tx, BATCH);
      if (rows.length === 0) return rows;
      // every job of the batch at once: ioredis writes them back to back instead of waiting a
      // round trip each (a burst of 3,000 solves is 9,000 jobs); ids make a repeat a no-op, and
      // an id the batch already publishes is not sent again (routeBatch)
      const issuedAt = Date.now();
      const routed = routeBatch(
        rows.map((row) => ({
          id: row.id,
          event: { type: row.type, payload: row.payload } as DomainEvent,
        })),
        this.config,
        this.debounced,
        issuedAt,
      );
      await Promise.all([
        ...rows.map((row, i) => {
          const jobs = routed[i].filter((job) => !job.window);
          // continues the writer's trace (if it was traced): api request → relay → job
          return withCarriedTrace(
            row.traceContext,
            `outbox relay ${row.type}`,
            { 'staydesk.outbox_id': row.id },
            () =>
              Promise.all(
                jobs.map((job) =>
                  this.publisher.publish(job.name, job.data as never, {
                    jobId: job.jobId,
                    delayMs: job.delayMs,
                  }),
                ),
              ),
          );
        }),
        // the members of each debounce window (one script per window), then the window's job
        ...windowAdds(routed.flat()).map((add) => this.addToWindow(add)),
      ]);
      // every add succeeded: the debounced ids are pending in Redis until their window ends
      this.rememberDebounced(
        routed.flat().filter((job) => !job.window),
        issuedAt,
      );
      await this.repo.markPublished(
        tx,
        rows.map((r) => r.id),
      );
      this.logger.debug({ rows: rows.length }, 'outbox rows relayed');
      return rows;
    });
    // after the commit: what listeners see is in the database for everyone
    if (rows.length > 0) for (const listener of this.relayed) listener(rows);
    return rows.length;
  }

  /**
   * Adds a batch's members to their window's set (or to a later window if that one's job has
   * already claimed it) and publishes the job of the window they went to, due at its end.
   * Nothing is remembered until the add succeeded; a failure rolls the batch back and a later
   * round adds the members again (a set: a second add is a no-op).
   */
  private async addToWindow(add: WindowAdd): Promise<void> {
    const used = await this.windows.add(add.name, add.index, add.members);
    const jobId = windowJobId(add.name, used);
    const endsAt = (used + 1) * add.ms;
    await this.publisher.publish(
      add.name,
      { window: used },
      { jobId, delayMs: Math.max(0, endsAt - Date.now()) },
    );
    if (this.debounced.size > 50_000) this.forgetEnded(Date.now());
    for (const member of add.members)
      this.debounced.set(recentKey(add.name, jobId, member), endsAt);
  }

  /** Debounced job ids this process added (`name jobId`), with the end of their window. */
  private readonly debounced = new Map<string, number>();

  private rememberDebounced(
    jobs: { name: string; jobId: string; debounced: boolean; notBefore?: number }[],
    now: number,
  ): void {
    if (this.debounced.size > 50_000) this.forgetEnded(now);
    for (const job of jobs) {
      if (job.debounced) this.debounced.set(recentKey(job.name, job.jobId), job.notBefore ?? 0);
    }
  }

  private forgetEnded(now: number): void {
    for (const [key, until] of this.debounced) if (until <= now) this.debounced.delete(key);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.database.url });
    client.on('error', (err) => {
      this.logger.warn({ err }, 'outbox LISTEN connection lost; polling until it is back');
      this.listener = undefined;
      if (!this.stopped) setTimeout(() => void this.listen().catch(() => undefined), 2000).unref();
    });
    try {
      await client.connect();
      // a dedicated connection held for notifications: LISTEN is not a statement for db(tx)
      await client.query('LISTEN staydesk_outbox');
      client.on('notification', () => this.kick());
      this.listener = client;
    } catch (err) {
      this.logger.warn({ err }, 'outbox LISTEN unavailable; polling only');
      await client.end().catch(() => undefined);
    }
  }
}
