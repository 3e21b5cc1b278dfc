import { WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

/**
 * Base of every queue processor: runs up to WORKER_CONCURRENCY jobs of its queue at once.
 * (BullMQ's default is one at a time, which left the survey pipeline at ~40 mails/s: every job
 * waited for the previous one's SMTP round trip.)
 */
export abstract class ConfiguredWorkerHost extends WorkerHost implements OnApplicationBootstrap {
  @Inject(APP_CONFIG) private readonly hostConfig!: AppConfig;

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.hostConfig.worker.concurrency;
  }
}
