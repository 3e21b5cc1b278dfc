import { UnrecoverableError, Worker } from 'bullmq';
import { JobPublisher, QUEUES } from '@staydesk/core';
import { insertUser, login } from '../support/factories';
import { TestStack, startStack } from '../support/stack';

const METRICS_TOKEN = 'metrics-scraper-token-0123456789';

/**
 * The operators' endpoints on the api: the BullMQ dashboard at /admin/queues (admins only, by
 * bearer token or the session cookie) and /metrics behind METRICS_TOKEN.
 */
describe('queue dashboard (@bull-board) for admins, /metrics behind its token', () => {
  let stack: TestStack;
  let admin: string;
  let agent: string;

  beforeAll(async () => {
    stack = await startStack({ worker: false, env: { METRICS_TOKEN } });
    await insertUser(stack, { email: 'admin@q.test', role: 'admin' });
    await insertUser(stack, { email: 'agent@q.test', role: 'agent' });
    admin = await login(stack, 'admin@q.test');
    agent = await login(stack, 'agent@q.test');
  });

  afterAll(async () => {
    await stack?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.url}/admin/queues${path}`, { headers });

  it('refuses anonymous visitors, bad tokens and signed-in non-admins', async () => {
    const anonymous = await get('');
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).error.code).toBe('UNAUTHENTICATED');

    const forged = await get('/api/queues', { authorization: 'Bearer not.a.token' });
    expect(forged.status).toBe(401);

    const nonAdmin: Record<string, string>[] = [
      { authorization: `Bearer ${agent}` },
      { cookie: `theme=dark; sd_session=${agent}` },
    ];
    for (const headers of nonAdmin) {
      const res = await get('/api/queues', headers);
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error).toEqual({
        code: 'FORBIDDEN',
        message: 'only admins may see and change the queues',
      });
    }
    // a non-admin cannot retry or remove jobs either
    const retry = await fetch(`${stack.url}/admin/queues/api/queues/surveys/retry/failed`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${agent}` },
    });
    expect(retry.status).toBe(403);
  });

  it('serves the page and the queues to an admin (bearer or session cookie), who can retry a failed job', async () => {
    const page = await get('', { cookie: `sd_session=${admin}` });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('Staydesk queues');
    // the UI's own script loads for the admin (and not for anyone else)
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)![1];
    const asset = new URL(script, `${stack.url}/admin/queues/`).toString();
    expect((await fetch(asset, { headers: { cookie: `sd_session=${admin}` } })).status).toBe(200);
    expect((await fetch(asset)).status).toBe(401);

    // a job that failed for real in a BullMQ worker
    const queue = stack.api.get(JobPublisher).queue('system');
    const failing = new Worker(
      'system',
      async () => {
        throw new UnrecoverableError('printer on fire');
      },
      { connection: { url: stack.config.redis.url }, prefix: stack.config.redis.prefix },
    );
    const failed = new Promise((resolve) => failing.once('failed', resolve));
    await queue.add('system.ping', { requestedAt: new Date().toISOString() }, { jobId: 'dash-1' });
    await failed;
    await failing.close();

    const res = await get('/api/queues?activeQueue=system&status=failed', {
      authorization: `Bearer ${admin}`,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      queues: { name: string; counts: Record<string, number> }[];
    };
    // every queue of the job registry, and nothing else
    expect(body.queues.map((q) => q.name).sort()).toEqual([...QUEUES].sort());
    expect(body.queues.find((q) => q.name === 'system')!.counts.failed).toBe(1);

    const retried = await fetch(`${stack.url}/admin/queues/api/queues/system/dash-1/retry`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(retried.status).toBe(204);
    expect(await (await queue.getJob('dash-1'))!.getState()).toBe('waiting');
  });

  it('/metrics needs the METRICS_TOKEN when one is configured', async () => {
    const none = await fetch(`${stack.url}/metrics`);
    expect(none.status).toBe(401);
    const wrong = await fetch(`${stack.url}/metrics`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${stack.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(right.status).toBe(200);
    expect(right.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await right.text()).toMatch(/^staydesk_ready\{dependency="redis"\} 1$/m);
  });
});
