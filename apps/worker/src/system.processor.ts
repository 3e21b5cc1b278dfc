import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, AppConfig, Handlers, JobNamesOf, SystemService, runJob } from '@staydesk/core';

/** `system` queue: pings (prove the chain api → Redis → worker → PostgreSQL) and heartbeats. */
@Processor('system')
export class SystemProcessor extends WorkerHost implements OnApplicationBootstrap {
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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(SystemProcessor.name) private readonly logger: PinoLogger,
  ) {
    super();
  }

  onApplicationBootstrap() {
    this.worker.concurrency = this.config.worker.concurrency;
  }

  process(job: Job): Promise<unknown> {
    return runJob(this.logger, this.handlers, job);
  }
}
