import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Handlers, JobNamesOf, checkPayload, payloadIds, runJob } from '@staydesk/core';
import { PermanentMailError } from '@staydesk/mail';
import { SurveysService } from './surveys.service';

/** `surveys` queue: CSAT after solves, delivery, reminders, NPS scans. SMTP failures retry with backoff. */
@Processor('surveys')
export class SurveysProcessor extends WorkerHost {
  private readonly handlers: Handlers<JobNamesOf<'surveys'>> = {
    'surveys.send-csat': (job) => {
      const d = job.data;
      checkPayload(
        job,
        payloadIds(d.ticketId) && Number.isInteger(d.solveCycle) && d.solveCycle > 0,
      );
      return this.surveys.sendCsat(d.ticketId, d.solveCycle);
    },
    'surveys.deliver': (job) => {
      const d = job.data;
      checkPayload(job, payloadIds(d.surveyId));
      return this.surveys.deliver(d.surveyId);
    },
    'surveys.remind': (job) => {
      const d = job.data;
      checkPayload(job, payloadIds(d.surveyId));
      return this.surveys.remind(d.surveyId);
    },
    'surveys.remind-many': (job) => {
      const ids = job.data.surveyIds;
      checkPayload(job, Array.isArray(ids) && ids.length > 0 && payloadIds(...ids));
      return this.surveys.remindMany(ids);
    },
    'surveys.nps-scan': () => this.surveys.npsScan(),
  };

  constructor(
    private readonly surveys: SurveysService,
    @InjectPinoLogger(SurveysProcessor.name) private readonly logger: PinoLogger,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob(this.logger, this.handlers, job, [PermanentMailError]);
  }
}
