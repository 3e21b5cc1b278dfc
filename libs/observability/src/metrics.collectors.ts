import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { JobPublisher, QUEUES, SystemService, TransactionRunner } from '@staydesk/core';
import { OutboxRepository } from '@staydesk/outbox';
import { Metrics, addMetricsSource, collectRuntimeMetrics } from '@staydesk/telemetry';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Readiness (PostgreSQL, Redis) as `staydesk_ready{dependency}`, probed at each scrape (api). */
@Injectable()
export class ReadinessMetrics implements OnModuleInit, OnModuleDestroy {
  private removers: (() => void)[] = [];
  constructor(private readonly system: SystemService) {}

  onModuleInit(): void {
    collectRuntimeMetrics();
    this.removers.push(
      addMetricsSource('ready', async () => {
        const probe = (check: () => Promise<void>) =>
          check().then(
            () => 1,
            () => 0,
          );
        const [database, redis] = await Promise.all([
          probe(() => this.system.checkDatabase()),
          probe(() => this.system.checkRedis()),
        ]);
        Metrics.ready.set({ dependency: 'database' }, database);
        Metrics.ready.set({ dependency: 'redis' }, redis);
      }),
    );
  }

  onModuleDestroy(): void {
    for (const remove of this.removers) remove();
  }
}

/** Queue depths per state and the outbox backlog and lag, read at each scrape (worker). */
@Injectable()
export class WorkMetrics implements OnModuleInit, OnModuleDestroy {
  private removers: (() => void)[] = [];
  constructor(
    private readonly publisher: JobPublisher,
    private readonly outbox: OutboxRepository,
    private readonly tx: TransactionRunner,
  ) {}

  onModuleInit(): void {
    collectRuntimeMetrics();
    this.removers.push(
      addMetricsSource('queues', async () => {
        await Promise.all(
          QUEUES.map(async (queue) => {
            const counts = await this.publisher.queue(queue).getJobCounts(...STATES);
            for (const state of STATES) Metrics.queueJobs.set({ queue, state }, counts[state] ?? 0);
          }),
        );
      }),
      addMetricsSource('outbox', async () => {
        const backlog = await this.outbox.backlog(this.tx.db);
        Metrics.outboxBacklog.set(backlog.count);
        Metrics.outboxLag.set(backlog.oldestAgeSeconds);
      }),
    );
  }

  onModuleDestroy(): void {
    for (const remove of this.removers) remove();
  }
}
