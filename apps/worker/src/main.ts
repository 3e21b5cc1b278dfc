import 'reflect-metadata';
import { runProcess } from '@staydesk/core';
import { createWorker } from './bootstrap';

void runProcess('staydesk-worker', async (config) => {
  const app = await createWorker(config);
  return {
    ready: `worker taking jobs (concurrency ${config.worker.concurrency}, Redis prefix "${config.redis.prefix}")`,
    close: () => app.close(),
  };
});
