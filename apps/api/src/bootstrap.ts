import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppConfig, requestId } from '@staydesk/core';
import { installHttpObservability, mountQueueDashboard } from '@staydesk/observability';
import { ApiModule } from './api.module';

/** Builds the api application (not listening yet). Used by main.ts, the tests and the bench. */
export async function createApi(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    genReqId: requestId,
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  installHttpObservability(adapter, config); // request metrics, request id on spans, /metrics
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  await mountQueueDashboard(app); // /admin/queues (admins only)
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({ origin: config.http.corsOrigins, credentials: false });
  }
  return app;
}
