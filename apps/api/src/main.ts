import './tracing';
import 'reflect-metadata';
import type { Server } from 'node:http';
import { runProcess } from '@staydesk/core';
import { startMetricsServer } from '@staydesk/observability';
import { shutdownTracing } from '@staydesk/telemetry';
import { createApi } from './bootstrap';

void runProcess('staydesk-api', async (config) => {
  const app = await createApi(config);
  await app.listen({ port: config.http.port, host: config.http.host });
  const url = await app.getUrl();
  const metrics =
    config.metrics.apiPort !== undefined
      ? await startMetricsServer(config.metrics.apiPort, config.http.host)
      : undefined;
  return {
    ready: `api listening on ${url} (GraphQL ${config.http.publicUrl}/graphql, health ${config.http.publicUrl}/health/ready${metrics ? `, metrics ${metrics.url}` : ''})`,
    // Stop accepting and finish the requests in flight first (new ones get 503), then close the
    // modules: Nest's app.close() alone closes the database pool before the HTTP server.
    // Keep-alive connections that were busy when closing began are closed as soon as they are
    // idle (Fastify's forceCloseConnections only sweeps once), so the close does not wait for
    // clients to hang up.
    close: async () => {
      const server = app.getHttpServer() as Server;
      const sweeper = setInterval(() => server.closeIdleConnections(), 100);
      try {
        await app.getHttpAdapter().close();
      } finally {
        clearInterval(sweeper);
      }
      await app.close();
      await metrics?.close();
      await shutdownTracing();
    },
  };
});
