import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig, JobPublisher } from '@staydesk/core';

/** Repeatable jobs, upserted at every worker boot (idempotent across many workers). */
@Injectable()
export class Schedules implements OnApplicationBootstrap {
  constructor(
    private readonly publisher: JobPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.publisher.schedule(
      'system.heartbeat',
      'system.heartbeat',
      {},
      {
        everyMs: this.config.worker.heartbeatSeconds * 1000,
      },
    );
  }
}
