import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  DomainError,
  Handlers,
  JobNamesOf,
  checkPayload,
  payloadIds,
  runJob,
} from '@staydesk/core';
import { ImportService } from './import.service';

/** `imports` queue: one history import per job, one job at a time per worker (they are big). */
@Processor('imports', { concurrency: 1, lockDuration: 300_000 })
export class ImportProcessor extends WorkerHost {
  private readonly handlers: Handlers<JobNamesOf<'imports'>> = {
    'imports.run': async (job) => {
      const d = job.data;
      checkPayload(job, payloadIds(d.runId));
      try {
        const s = await this.service.runQueued(d.runId);
        return { read: s.rowsRead, created: s.created, updated: s.updated, rejected: s.rejected };
      } catch (err) {
        // bad input does not get better with retries; anything else resumes on the next attempt
        if (err instanceof DomainError) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
  };

  constructor(
    private readonly service: ImportService,
    @InjectPinoLogger(ImportProcessor.name) private readonly logger: PinoLogger,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob(this.logger, this.handlers, job);
  }
}
