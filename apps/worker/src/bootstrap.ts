import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '@staydesk/core';
import { WorkerModule } from './worker.module';

/** Boots the worker (processors start taking jobs at once). Used by main.ts and the tests. */
export async function createWorker(
  config: AppConfig,
  options: { schedules?: boolean } = {},
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, options), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  await app.init();
  return app;
}
