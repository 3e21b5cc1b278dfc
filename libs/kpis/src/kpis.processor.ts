import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Handlers, JobNamesOf, runJob } from '@staydesk/core';
import { KpisService } from './kpis.service';

/** `kpis` queue: incremental refresh (debounced after ticket events, and repeatable), full rebuild. */
@Processor('kpis', { lockDuration: 600_000, concurrency: 1 })
export class KpisProcessor extends WorkerHost {
  private readonly handlers: Handlers<JobNamesOf<'kpis'>> = {
    'kpi.refresh': () => this.kpis.refresh(),
    'kpi.rebuild': () => this.kpis.rebuild(),
  };

  constructor(
    private readonly kpis: KpisService,
    @InjectPinoLogger(KpisProcessor.name) private readonly logger: PinoLogger,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob(this.logger, this.handlers, job);
  }
}
