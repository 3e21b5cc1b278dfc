import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '@staydesk/core';
import {
  Metrics,
  annotateActiveSpan,
  collectRuntimeMetrics,
  metricsRegistry,
} from '@staydesk/telemetry';

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Whether `/metrics` is served on the api's own port (see docs/operations.md). */
export function metricsOnApiPort(config: AppConfig): boolean {
  if (config.metrics.token) return true;
  return config.env !== 'production' && config.metrics.apiPort === undefined;
}

/**
 * The api's HTTP observability, on the Fastify instance before Nest registers its routes:
 * request duration by route pattern, the request id on the active trace span, and `/metrics`
 * (outside production on the api's port; with METRICS_TOKEN behind `Authorization: Bearer`).
 */
export function installHttpObservability(adapter: FastifyAdapter, config: AppConfig): void {
  const fastify = adapter.getInstance() as unknown as FastifyInstance;
  collectRuntimeMetrics();
  fastify.addHook('onRequest', (request, _reply, done) => {
    annotateActiveSpan('staydesk.request_id', String(request.id));
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    Metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
  if (!metricsOnApiPort(config)) return;
  const token = config.metrics.token;
  fastify.get('/metrics', async (request, reply) => {
    if (token && !sameSecret(request.headers.authorization ?? '', `Bearer ${token}`)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ message: 'metrics need the METRICS_TOKEN as a bearer token' });
    }
    const body = await metricsRegistry.metrics();
    return reply.header('content-type', metricsRegistry.contentType).send(body);
  });
}

/**
 * A plain HTTP server answering `GET /metrics` (the worker's WORKER_METRICS_PORT, the api's
 * METRICS_PORT). Port 0 takes any free port; the URL is returned.
 */
export async function startMetricsServer(
  port: number,
  host: string,
): Promise<{ url: string; close(): Promise<void> }> {
  collectRuntimeMetrics();
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    metricsRegistry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(body),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
