import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Handlers, JobNamesOf, checkPayload, payloadIds, runJob } from '@staydesk/core';
import { RiskService } from './risk.service';

/** `risk` queue: debounced single-customer rescoring, and the nightly full run. */
@Processor('risk', { lockDuration: 120_000 })
export class RiskProcessor extends WorkerHost {
  private readonly handlers: Handlers<JobNamesOf<'risk'>> = {
    'risk.rescore': async (job) => {
      const d = job.data;
      checkPayload(job, payloadIds(d.customerId));
      const s = await this.risk.rescoreCustomer(d.customerId);
      return s ? { score: s.score, band: s.band } : { skipped: 'not an active customer' };
    },
    'risk.rescore-all': () => this.risk.rescoreAll(),
  };

  constructor(
    private readonly risk: RiskService,
    @InjectPinoLogger(RiskProcessor.name) private readonly logger: PinoLogger,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob(this.logger, this.handlers, job);
  }
}
