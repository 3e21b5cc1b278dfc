import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import { CONFIG_VARIABLES, JobPublisher, SystemService } from '@staydesk/core';
import { API_MAIN, ROOT, WORKER_MAIN, runToExit } from '../support/processes';
import { TestStack, startStack } from '../support/stack';

describe('platform: api + worker on real PostgreSQL and Redis', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('is live and ready, with PostgreSQL and Redis checked', async () => {
    const live = await fetch(`${stack.url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });

    const ready = await fetch(`${stack.url}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as {
      status: string;
      info: Record<string, { status: string }>;
    };
    expect(body.status).toBe('ok');
    expect(body.info.database.status).toBe('up');
    expect(body.info.redis.status).toBe('up');
  });

  it('answers a GraphQL query over HTTP', async () => {
    const res = await stack.gql<{
      health: { status: string; database: string; redis: string; schemaVersion: string };
    }>('{ health { status database redis schemaVersion } }');
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data?.health).toEqual({
      status: 'ok',
      database: 'up',
      redis: 'up',
      schemaVersion: expect.stringMatching(/^[A-Za-z]+\d{13}$/),
    });
  });

  it('processes a job put on a queue in the worker, which writes to PostgreSQL', async () => {
    const worker = stack.worker!;
    const publisher = worker.get(JobPublisher);
    const workerId = worker.get(SystemService).workerId;
    const events = new QueueEvents('system', {
      connection: { url: stack.config.redis.url },
      prefix: stack.config.redis.prefix,
    });
    try {
      await events.waitUntilReady();
      const job = await publisher.publish('system.ping', { requestedAt: new Date().toISOString() });
      const result = (await job.waitUntilFinished(events, 15_000)) as {
        workerId: string;
        jobsDone: number;
      };
      expect(result.workerId).toBe(workerId);
    } finally {
      await events.close();
    }
    const { rows } = await stack.db.query('SELECT worker_id, jobs_done FROM worker_heartbeats');
    expect(rows).toEqual([{ worker_id: workerId, jobs_done: 1 }]);

    const res = await stack.gql<{ health: { lastWorkerHeartbeat: { workerId: string } } }>(
      '{ health { lastWorkerHeartbeat { workerId seenAt jobsDone } } }',
    );
    expect(res.data?.health.lastWorkerHeartbeat.workerId).toBe(workerId);
  });

  it('gives a clear GraphQL error for an unknown field, and echoes the request id', async () => {
    const res = await stack.gql('{ nope }', undefined, {
      headers: { 'x-request-id': 'req-e2e-1' },
    });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toMatchObject({
      message: 'Cannot query field "nope" on type "Query".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(res.headers.get('x-request-id')).toBe('req-e2e-1');
  });

  it('emits the same schema that is committed in schema.graphql', () => {
    const emitted = readFileSync(stack.config.graphql.schemaFile as string, 'utf8');
    const committed = readFileSync(join(ROOT, 'schema.graphql'), 'utf8');
    expect(emitted).toBe(committed);
  });

  it('refuses a database whose schema is newer than the build', async () => {
    await stack.db.query(
      `INSERT INTO migrations (timestamp, name) VALUES (9999999999999, 'FromTheFuture9999999999999')`,
    );
    try {
      const run = await runToExit(WORKER_MAIN, { ...stack.env, LOG_LEVEL: 'silent' });
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toMatch(
        /^staydesk-worker: database schema is newer than this build: unknown migration\(s\) FromTheFuture9999999999999/,
      );
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await stack.db.query(`DELETE FROM migrations WHERE name = 'FromTheFuture9999999999999'`);
    }
  });
});

describe('start-up errors are one clear line', () => {
  it.each([
    [
      { DATABASE_URL: 'mysql://u:secret@127.0.0.1/x' },
      /^staydesk-api: invalid configuration: DATABASE_URL must use postgres: or postgresql:/,
    ],
    [
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/staydesk' },
      /^staydesk-api: cannot connect to PostgreSQL at DATABASE_URL \(127\.0\.0\.1:1\/staydesk\): connection refused/,
    ],
    [
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/staydesk_no_such_db_x' },
      /^staydesk-api: database does not exist at DATABASE_URL/,
    ],
    [{ PORT: 'http' }, /^staydesk-api: invalid configuration: PORT must be a whole number/],
  ])('%j', async (env, expected) => {
    const run = await runToExit(API_MAIN, { LOG_LEVEL: 'silent', ...env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(expected);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toContain('secret');
  });
});

describe('the committed schema is documented', () => {
  it('describes every object type and every query, mutation and subscription', async () => {
    const { buildSchema, isObjectType } = await import('graphql');
    const schema = buildSchema(readFileSync(join(ROOT, 'schema.graphql'), 'utf8'));
    const undocumented: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !isObjectType(type)) continue;
      const root = ['Query', 'Mutation', 'Subscription'].includes(type.name);
      if (!root && !type.description) undocumented.push(type.name);
      if (root) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(undocumented).toEqual([]);
  });
});

describe('the README documents the configuration', () => {
  it('lists exactly the variables of the config schema in its configuration table', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('| variable ');
    expect(start).toBeGreaterThan(0);
    const rows = readme
      .slice(start)
      .split('\n')
      .slice(2)
      .filter((_, i, all) => all.slice(0, i + 1).every((l) => l.startsWith('|')));
    // the first column names one or more variables: `HOST` / `PORT`
    const documented = rows.flatMap((r) =>
      [...r.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]),
    );
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
    // and every row says what the variable does
    for (const r of rows) expect(r.split('|')[3].trim()).not.toBe('');
  });
});
