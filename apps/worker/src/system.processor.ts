import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Handlers, JobNamesOf, runJob, SystemService } from '@staydesk/core';

/** `system` queue: pings (prove the chain api → Redis → worker → PostgreSQL) and heartbeats. */
@Processor('system')
export class SystemProcessor extends WorkerHost {
  private readonly handlers: Handlers<JobNamesOf<'system'>> = {
    'system.ping': async () => this.system.heartbeat(),
    'system.heartbeat': async () => {
      const pulse = await this.system.heartbeat();
      await this.system.pruneHeartbeats();
      return pulse;
    },
  };

  constructor(
    private readonly system: SystemService,
    @InjectPinoLogger(SystemProcessor.name) private readonly logger: PinoLogger,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob(this.logger, this.handlers, job);
  }
}
