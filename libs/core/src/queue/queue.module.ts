import { BullModule } from '@nestjs/bullmq';
import { bullmqTelemetry } from '@staydesk/telemetry';
import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { JobPublisher } from './job-publisher';
import { JobWindows } from './job-windows';
import { QUEUES } from './jobs';

/**
 * BullMQ connection (with the configured key prefix), every queue, the {@link JobPublisher} and
 * the debounce windows' sets ({@link JobWindows}, on the plain Redis client of RedisModule).
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: { url: config.redis.url, maxRetriesPerRequest: null },
        prefix: config.redis.prefix,
        // producer → consumer spans and trace context on each job (bullmq-otel; tracing on only)
        telemetry: bullmqTelemetry(),
      }),
    }),
    ...QUEUES.map((name) => BullModule.registerQueue({ name })),
  ],
  providers: [JobPublisher, JobWindows],
  exports: [BullModule, JobPublisher, JobWindows],
})
export class QueueModule {}
