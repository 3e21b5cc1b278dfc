import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Handlers, JobNamesOf, runJob } from '@staydesk/core';
import { PermanentMailError } from '@staydesk/mail';
import { SurveysService } from './surveys.service';

const ID = /^[1-9]\d{0,17}$/;

function check<T>(ok: boolean, data: T, job: Job): T {
  // Redis may hold jobs from an older deploy: a malformed payload will never succeed
  if (!ok)
    throw new UnrecoverableError(`malformed payload for ${job.name}: ${JSON.stringify(job.data)}`);
  return data;
}

/** `surveys` queue: CSAT after solves, delivery, reminders, NPS scans. SMTP failures retry with backoff. */
@Processor('surveys')
export class SurveysProcessor extends WorkerHost {
  private readonly handlers: Handlers<JobNamesOf<'surveys'>> = {
    'surveys.send-csat': (job) => {
      const d = job.data;
      check(
        ID.test(String(d.ticketId)) && Number.isInteger(d.solveCycle) && d.solveCycle > 0,
        d,
        job,
      );
      return this.surveys.sendCsat(d.ticketId, d.solveCycle);
    },
    'surveys.deliver': (job) => {
      const d = job.data;
      check(ID.test(String(d.surveyId)), d, job);
      return this.surveys.deliver(d.surveyId);
    },
    'surveys.remind': (job) => {
      const d = job.data;
      check(ID.test(String(d.surveyId)), d, job);
      return this.surveys.remind(d.surveyId);
    },
    'surveys.nps-scan': () => this.surveys.npsScan(),
  };

  constructor(
    private readonly surveys: SurveysService,
    @InjectPinoLogger(SurveysProcessor.name) private readonly logger: PinoLogger,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    try {
      return await runJob(this.logger, this.handlers, job);
    } catch (err) {
      if (err instanceof PermanentMailError) throw new UnrecoverableError(err.message);
      throw err;
    }
  }
}
