import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Handlers, JobNamesOf, runJob } from '@staydesk/core';
import { ValueService } from './value.service';

/** `value` queue: the nightly lifetime-value computation. */
@Processor('value', { lockDuration: 120_000 })
export class ValueProcessor extends WorkerHost {
  private readonly handlers: Handlers<JobNamesOf<'value'>> = {
    'value.recompute': () => this.value.recomputeAll(),
  };

  constructor(
    private readonly value: ValueService,
    @InjectPinoLogger(ValueProcessor.name) private readonly logger: PinoLogger,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob(this.logger, this.handlers, job);
  }
}
