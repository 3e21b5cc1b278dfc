import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { JobData, JobName, QueueName, jobConfig } from './jobs';

export interface PublishOptions {
  /** Overrides the job's configured deterministic id (e.g. the outbox row id). */
  jobId?: string;
  delayMs?: number;
}

/** The one way to put work on a queue: typed by job name, options from {@link JOB_CONFIG}. */
@Injectable()
export class JobPublisher {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue('system') system: Queue,
    @InjectQueue('tickets') tickets: Queue,
    @InjectQueue('followups') followups: Queue,
    @InjectQueue('surveys') surveys: Queue,
    @InjectQueue('risk') risk: Queue,
    @InjectQueue('imports') imports: Queue,
    @InjectQueue('kpis') kpis: Queue,
    @InjectQueue('value') value: Queue,
    @InjectQueue('mail') mail: Queue,
    @InjectQueue('automations') automations: Queue,
  ) {
    this.queues = {
      system,
      tickets,
      followups,
      surveys,
      risk,
      imports,
      kpis,
      value,
      mail,
      automations,
    };
  }

  async publish<N extends JobName>(name: N, data: JobData<N>, options: PublishOptions = {}) {
    const config = jobConfig(name);
    return this.queues[config.queue].add(name, data, this.jobOptions(name, data, options));
  }

  async publishBulk<N extends JobName>(
    name: N,
    items: { data: JobData<N>; options?: PublishOptions }[],
  ) {
    const config = jobConfig(name);
    return this.queues[config.queue].addBulk(
      items.map((item) => ({
        name,
        data: item.data,
        opts: this.jobOptions(name, item.data, item.options ?? {}),
      })),
    );
  }

  /** Creates or updates a repeatable job (idempotent; call at every worker boot). */
  async schedule<N extends JobName>(
    schedulerId: string,
    name: N,
    data: JobData<N>,
    repeat: { everyMs: number } | { pattern: string; tz?: string },
  ) {
    const config = jobConfig(name);
    return this.queues[config.queue].upsertJobScheduler(
      schedulerId,
      'everyMs' in repeat ? { every: repeat.everyMs } : { pattern: repeat.pattern, tz: repeat.tz },
      {
        name,
        data,
        opts: {
          attempts: config.attempts,
          removeOnComplete: { count: config.keep?.completed ?? 1000 },
          removeOnFail: { count: config.keep?.failed ?? 5000 },
        },
      },
    );
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  private jobOptions<N extends JobName>(
    name: N,
    data: JobData<N>,
    options: PublishOptions,
  ): JobsOptions {
    const config = jobConfig(name);
    return {
      jobId: options.jobId ?? config.jobId?.(data),
      delay: options.delayMs,
      attempts: config.attempts,
      backoff: config.backoffMs > 0 ? { type: 'exponential', delay: config.backoffMs } : undefined,
      removeOnComplete: { count: config.keep?.completed ?? 1000 },
      removeOnFail: { count: config.keep?.failed ?? 5000 },
    };
  }
}
