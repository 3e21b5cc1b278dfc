import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Handlers, JobNamesOf, checkPayload, payloadIds, runJob } from '@staydesk/core';
import { AutomationMailService } from './automation-mail.service';
import { RulesService } from './rules.service';

/** `automations` queue: automatic e-mails out, and the time-based rules' scan (repeatable). */
@Processor('automations')
export class AutomationsProcessor extends WorkerHost {
  private readonly handlers: Handlers<JobNamesOf<'automations'>> = {
    'automations.send-mail': (job) => {
      const d = job.data;
      checkPayload(job, payloadIds(d.mailId));
      return this.mails.send(d.mailId);
    },
    'automations.time-scan': async () => {
      const r = await this.rules.timeScan();
      if (r.fired) this.logger.info(r, 'time-based automation rules fired');
      return r;
    },
  };

  constructor(
    private readonly rules: RulesService,
    private readonly mails: AutomationMailService,
    @InjectPinoLogger(AutomationsProcessor.name) private readonly logger: PinoLogger,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob(this.logger, this.handlers, job);
  }
}
