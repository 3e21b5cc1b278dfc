import './tracing';
import 'reflect-metadata';
import { runProcess } from '@staydesk/core';
import { startMetricsServer } from '@staydesk/observability';
import { shutdownTracing } from '@staydesk/telemetry';
import { createWorker } from './bootstrap';

void runProcess('staydesk-worker', async (config) => {
  const app = await createWorker(config);
  // metrics never stop the worker: a busy port is reported in the ready line and skipped
  const metrics = await startMetricsServer(config.metrics.workerPort, config.http.host).catch(
    (err: Error) => ({ url: `not served (${err.message})`, close: async () => undefined }),
  );
  return {
    ready: `worker taking jobs (concurrency ${config.worker.concurrency}, Redis prefix "${config.redis.prefix}", metrics ${metrics.url})`,
    close: async () => {
      await app.close();
      await metrics.close();
      await shutdownTracing();
    },
  };
});
