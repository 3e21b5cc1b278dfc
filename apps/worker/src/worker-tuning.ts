import { PROCESSOR_METADATA, WORKER_METADATA } from '@nestjs/bullmq/dist/bull.constants';
import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';
import { APP_CONFIG, AppConfig } from '@staydesk/core';

const DECLARED = 'staydesk:declared-worker-options';

/**
 * Applies the configured BullMQ worker options (concurrency, lock duration, stalled-job check
 * interval) to every processor in one place, so no queue is forgotten (surveys and tickets ran at
 * concurrency 1 before). It runs in a constructor because @nestjs/bullmq creates the workers in
 * an `onModuleInit` hook, after every provider is constructed. An option a processor declares in
 * its own `@Processor(...)` (risk's longer lock) wins over the default. The surveys queue runs
 * SURVEY_CONCURRENCY jobs (their CSAT decisions are batched, their mails wait on SMTP).
 */
@Injectable()
export class WorkerTuning implements BeforeApplicationShutdown {
  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    for (const wrapper of discovery.getProviders()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!type || !(type.prototype instanceof WorkerHost)) continue;
      // remember what the decorator declared, so a second boot in one process (tests) re-applies
      // its own config instead of the first boot's
      if (!Reflect.hasOwnMetadata(DECLARED, type)) {
        Reflect.defineMetadata(DECLARED, Reflect.getMetadata(WORKER_METADATA, type) ?? {}, type);
      }
      const declared = Reflect.getMetadata(DECLARED, type) as Record<string, unknown>;
      const queue = (Reflect.getMetadata(PROCESSOR_METADATA, type) as { name?: string } | undefined)
        ?.name;
      Reflect.defineMetadata(
        WORKER_METADATA,
        {
          // survey jobs mostly wait on SMTP and are decided in batches: more of them at once
          concurrency: queue === 'surveys' ? config.surveys.concurrency : config.worker.concurrency,
          lockDuration: config.worker.lockMs,
          stalledInterval: config.worker.stalledIntervalMs,
          ...declared,
        },
        type,
      );
    }
  }

  /**
   * Graceful shutdown, part one: stop taking jobs and let the active ones finish *before* any
   * module closes its resources. Nest runs every `onApplicationShutdown` (TypeORM's pool, the
   * Redis client, @nestjs/bullmq's own worker close) in one pass, so without this a job could
   * lose its database mid-way, fail, and run again after the restart.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const hosts = this.discovery
      .getProviders()
      .map((w) => w.instance as unknown)
      .filter((i): i is WorkerHost => i instanceof WorkerHost);
    await Promise.all(hosts.map((h) => h.worker?.close()));
  }
}
