import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import Redis from 'ioredis';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, AppConfig, REDIS_CLIENT } from '@staydesk/core';
import { OutboxRelay, OutboxRow } from '@staydesk/outbox';
import { liveChannel, liveEventOf } from './live-events';

/**
 * Worker side: every batch the outbox relay has committed is published on the live channel,
 * one message per event, for all api processes. At most once: a batch that cannot be published
 * (Redis down) is not retried, because the api processes have ended their subscriptions then
 * and clients refetch when they resubscribe.
 */
@Injectable()
export class LivePublisher implements OnApplicationBootstrap {
  private failures = 0;

  constructor(
    private readonly relay: OutboxRelay,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(LivePublisher.name) private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.relay.onRelayed((rows) => void this.publish(rows));
  }

  async publish(rows: OutboxRow[]): Promise<void> {
    const channel = liveChannel(this.config.redis.prefix);
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    let n = 0;
    for (const row of rows) {
      const event = liveEventOf(row, now);
      if (event) {
        pipeline.publish(channel, JSON.stringify(event));
        n++;
      }
    }
    if (n === 0) return;
    try {
      await pipeline.exec();
      this.failures = 0;
    } catch (err) {
      if (this.failures++ % 30 === 0) {
        this.logger.warn({ err, events: n }, 'live events not published (Redis unreachable)');
      }
    }
  }
}
