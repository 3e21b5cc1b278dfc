import type { ServerResponse } from 'node:http';
import multipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppConfig, requestId } from '@staydesk/core';
import { SURVEY_PAGE_HEADERS, renderSurveyPage } from '@staydesk/surveys';
import { installHttpObservability, mountQueueDashboard } from '@staydesk/observability';
import { ApiModule } from './api.module';
import { isGraphqlPath } from './graphql/graphql-exception.filter';
import { registerWebConsole } from './web/web-console';

/** Builds the api application (not listening yet). Used by main.ts, the tests and the bench. */
export async function createApi(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    genReqId: requestId,
    frameworkErrors: answerUnroutableUrl,
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  installHttpObservability(adapter, config); // request metrics, request id on spans, /metrics
  registerWebConsole(adapter.getInstance(), config.http.webDir);
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  await mountQueueDashboard(app); // /admin/queues (admins only)
  // attachment uploads (POST /attachments); limits are enforced per route
  // (cast: @nestjs/platform-fastify carries its own copy of fastify's types)
  await app.register(multipart as unknown as Parameters<typeof app.register>[0], {
    limits: { files: 1, fields: 5, parts: 6 },
  });
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({ origin: config.http.corsOrigins, credentials: false });
  }
  return app;
}

/**
 * A URL Fastify cannot route (a path segment over the length limit, bad % escapes): answered
 * without echoing the URL; survey links get the survey's own "not valid" page, /graphql the
 * GraphQL error shape.
 */
function answerUnroutableUrl(
  error: { statusCode?: number },
  request: { url: string },
  reply: { raw: ServerResponse },
): void {
  const status = error.statusCode ?? 400;
  const send = (headers: Record<string, string>, body: string) => {
    reply.raw.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    reply.raw.end(body);
  };
  if (request.url.startsWith('/s/')) {
    return send(SURVEY_PAGE_HEADERS, renderSurveyPage('', { state: 'unknown' }).html);
  }
  const message =
    status === 414 ? 'the URL is too long' : 'the URL is not valid (check its % escapes)';
  const body = isGraphqlPath(request.url.split('?')[0])
    ? { errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] }
    : { error: { code: 'BAD_USER_INPUT', message, field: null } };
  send({ 'content-type': 'application/json; charset=utf-8' }, JSON.stringify(body));
}
