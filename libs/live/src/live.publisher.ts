import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import Redis from 'ioredis';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, AppConfig, REDIS_CLIENT } from '@staydesk/core';
import { IdentityService } from '@staydesk/identity';
import { OutboxRelay, OutboxRow } from '@staydesk/outbox';
import { TicketsService } from '@staydesk/tickets';
import { LiveEvent, liveChannel, liveEventOf, liveReadersKey } from './live-events';
import { readTicketsWithTeams } from './ticket-reads';

type TicketEvent = Extract<LiveEvent, { kind: 'ticket' }>;

/**
 * Worker side: every batch the outbox relay has committed is published on the live channel,
 * one message per event, for all api processes. Ticket events carry their ticket and its
 * team's visibility, read here once per batch (two statements): before, each api process
 * read them for every batch it received, so PostgreSQL's work per event grew with the number
 * of api processes. Batches are published in the order they were relayed (one at a time).
 *
 * At most once: a batch that cannot be published (Redis down) is not retried, because the api
 * processes have ended their subscriptions then and clients refetch when they resubscribe. If
 * the read fails (PostgreSQL unreachable), the events go out without the ticket and each api
 * process reads it itself, as it does for events of an older worker.
 */
@Injectable()
export class LivePublisher implements OnApplicationBootstrap {
  private failures = 0;
  /** Whether an api process has ticket subscribers, as last asked (at most once a second). */
  private readers = { answer: true, at: -Infinity };
  private readFailures = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly relay: OutboxRelay,
    private readonly tickets: TicketsService,
    private readonly identity: IdentityService,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(LivePublisher.name) private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.relay.onRelayed((rows) => {
      this.chain = this.chain
        .then(() => this.publish(rows))
        .catch((err: unknown) => this.logger.warn({ err }, 'live events not published'));
    });
  }

  async publish(rows: OutboxRow[]): Promise<void> {
    const events: LiveEvent[] = [];
    for (const row of rows) {
      const event = liveEventOf(row);
      if (event) events.push(event);
    }
    if (events.length === 0) return;
    await this.attachTickets(events.filter((e): e is TicketEvent => e.kind === 'ticket'));
    const channel = liveChannel(this.config.redis.prefix);
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    for (const event of events) {
      if (event.kind !== 'presence') event.publishedAt = now;
      pipeline.publish(channel, JSON.stringify(event));
    }
    try {
      await pipeline.exec();
      this.failures = 0;
    } catch (err) {
      if (this.failures++ % 30 === 0) {
        this.logger.warn(
          { err, events: events.length },
          'live events not published (Redis unreachable)',
        );
      }
    }
  }

  /** Each ticket event's ticket and team, as they are now (after the batch's commit). */
  private async attachTickets(events: TicketEvent[]): Promise<void> {
    if (events.length === 0 || !(await this.someoneReads())) return;
    try {
      const { tickets, teams } = await readTicketsWithTeams(
        this.tickets,
        this.identity,
        events.map((e) => e.ticketId),
      );
      for (const event of events) {
        const ticket = tickets.get(event.ticketId);
        if (!ticket) continue; // gone (merged away, erased): the apis find nothing either
        const team = ticket.teamId ? teams.get(ticket.teamId) : null;
        if (team === undefined) continue; // a team deleted in between: let the apis read
        event.ticket = ticket as unknown as Record<string, unknown>;
        event.team = team;
      }
      this.readFailures = 0;
    } catch (err) {
      if (this.readFailures++ % 30 === 0) {
        this.logger.warn({ err }, 'live events go out without their tickets (read failed)');
      }
    }
  }

  /**
   * Whether any api process has ticket subscribers now (liveReadersKey), asked at most once a
   * second: without them nobody reads the tickets, so the worker does not either (a desk with
   * no console open pays nothing). A process whose first subscriber came within that second
   * gets events without tickets and reads them itself; if Redis cannot answer, read.
   */
  private async someoneReads(): Promise<boolean> {
    const now = Date.now();
    if (now - this.readers.at < 1000) return this.readers.answer;
    let answer = true;
    try {
      answer = (await this.redis.zcount(liveReadersKey(this.config.redis.prefix), now, '+inf')) > 0;
    } catch {
      // unknown: read (the events are useful either way)
    }
    this.readers = { answer, at: now };
    return answer;
  }
}
