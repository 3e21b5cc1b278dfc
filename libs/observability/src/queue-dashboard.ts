import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError, JobPublisher, QUEUES } from '@staydesk/core';
import { IdentityService, requestToken } from '@staydesk/identity';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
/** `Authorization: Bearer` first, then the `sd_session` cookie (identity's one reader of both). */
export function credentialOf(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const token = requestToken(request.headers);
  return typeof token === 'string' ? token : undefined;
}

/**
 * The BullMQ dashboard (@bull-board) for admins at /admin/queues on the api's Fastify server:
 * every queue, its jobs, retry and remove. Each request (page, assets, API) is authenticated
 * like GraphQL (IdentityService.authenticate: signature, expiry, user active) and needs the
 * admin role: 401 without a valid credential, 403 for other roles.
 */
export async function mountQueueDashboard(app: NestFastifyApplication): Promise<void> {
  const identity = app.get(IdentityService);
  const publisher = app.get(JobPublisher);
  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: QUEUES.map((name) => new BullMQAdapter(publisher.queue(name))),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Staydesk queues' } },
  });
  // (the api's Fastify is @nestjs/platform-fastify's own copy; the types are the same version line)
  const plugin = async (scope: FastifyInstance) => {
    scope.addHook('onRequest', async (request, reply) => {
      const refuse = (status: number, code: string, message: string) =>
        reply.code(status).send({ error: { code, message } });
      const token = credentialOf(request);
      if (!token) {
        return refuse(401, 'UNAUTHENTICATED', 'sign in as an admin to see the queues');
      }
      try {
        const actor = await identity.authenticate(token);
        if (actor.role !== 'admin') {
          return refuse(403, 'FORBIDDEN', 'only admins may see and change the queues');
        }
      } catch (err) {
        if (err instanceof DomainError) return refuse(401, err.code, err.message);
        throw err;
      }
    });
    await scope.register(serverAdapter.registerPlugin() as never, {
      prefix: QUEUE_DASHBOARD_PATH,
    });
  };
  await app.register(plugin as never);
}
