import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, AppConfig, Handlers, JobNamesOf, runJob } from '@staydesk/core';
import { TicketsService } from './tickets.service';

/** `tickets` queue: the SLA breach scan and the auto-close of solved tickets (worker jobs, never timers in the api). */
@Processor('tickets')
export class TicketsProcessor extends WorkerHost {
  private readonly handlers: Handlers<JobNamesOf<'tickets'>> = {
    'tickets.sla-scan': async () => {
      const marked = await this.tickets.markBreaches();
      if (marked.firstResponse + marked.resolution + marked.nextReply > 0)
        this.logger.info(marked, 'SLA breaches marked');
      return marked;
    },
    'tickets.auto-close': async () => {
      const closed = await this.tickets.autoClose(this.config.email.autoCloseDays);
      if (closed > 0) this.logger.info({ closed }, 'solved tickets auto-closed');
      return { closed };
    },
  };

  constructor(
    private readonly tickets: TicketsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(TicketsProcessor.name) private readonly logger: PinoLogger,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob(this.logger, this.handlers, job);
  }
}
