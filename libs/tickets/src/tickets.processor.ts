import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Handlers, JobNamesOf, runJob } from '@staydesk/core';
import { TicketsService } from './tickets.service';

/** `tickets` queue: the SLA breach scan (a worker job, never a timer in the api). */
@Processor('tickets')
export class TicketsProcessor extends WorkerHost {
  private readonly handlers: Handlers<JobNamesOf<'tickets'>> = {
    'tickets.sla-scan': async () => {
      const marked = await this.tickets.markBreaches();
      if (marked.firstResponse + marked.resolution > 0)
        this.logger.info(marked, 'SLA breaches marked');
      return marked;
    },
  };

  constructor(
    private readonly tickets: TicketsService,
    @InjectPinoLogger(TicketsProcessor.name) private readonly logger: PinoLogger,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob(this.logger, this.handlers, job);
  }
}
