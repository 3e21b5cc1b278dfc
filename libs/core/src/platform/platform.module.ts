import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { LoggingModule } from '../logging/logging.module';
import { QueueModule } from '../queue/queue.module';
import { RedisModule } from '../redis/redis.module';

export interface PlatformOptions {
  /** JSON logs through nestjs-pino (default true). */
  logging?: boolean;
  /** Redis and the BullMQ queues (default true); a database-only tool leaves them out. */
  queues?: boolean;
}

/**
 * What every Staydesk process stands on: its configuration, JSON logs, the database, Redis and
 * the queues, all global. The api, the worker, the scripts, the bench and the tests import this
 * one list instead of each naming the core modules by hand.
 *
 * Call `forRoot` while building the root module (not at import time): the logging module must be
 * created after every class with `@InjectPinoLogger` has been loaded.
 */
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig, options: PlatformOptions = {}): DynamicModule {
    const { logging = true, queues = true } = options;
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(config),
        ...(logging ? [LoggingModule.forRoot()] : []),
        DatabaseModule,
        ...(queues ? [RedisModule, QueueModule] : []),
      ],
    };
  }
}
