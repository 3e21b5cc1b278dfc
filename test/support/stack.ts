import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { AppConfig, loadConfig } from '@staydesk/core';
import {
  createTestDatabase,
  databaseUrl,
  deleteRedisPrefix,
  dropTestDatabase,
} from '@staydesk/testing';
import { createApi } from '../../apps/api/src/bootstrap';
import { createWorker } from '../../apps/worker/src/bootstrap';
import { stackEnv, testRedisPrefix } from './env';
import { GqlResponse, gqlAt } from './gql';

export interface TestStack {
  config: AppConfig;
  env: Record<string, string>;
  dbName: string;
  url: string;
  api: NestFastifyApplication;
  worker?: INestApplicationContext;
  /** A pool on the test database, for assertions on what was written. */
  db: Pool;
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GqlResponse<T>>;
  close(): Promise<void>;
}

/**
 * Boots the real api (listening on a random loopback port) and, unless `worker: false`, the real
 * worker in-process, against a fresh copy of the migrated template database and a private
 * Redis key prefix. `close()` stops both and drops the database and the Redis keys.
 */
export async function startStack(
  options: { worker?: boolean; env?: Record<string, string> } = {},
): Promise<TestStack> {
  const dbName = await createTestDatabase();
  const prefix = testRedisPrefix();
  const env = stackEnv(databaseUrl(dbName), prefix, {
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SCHEMA_FILE: join(tmpdir(), `${dbName}.schema.graphql`),
    DATABASE_POOL_SIZE: '5',
    ...options.env,
  });
  const config = loadConfig(env);
  const db = new Pool({ connectionString: config.database.url, max: 3 });
  // pool.end() can resolve while a client is still closing; the DROP DATABASE … WITH (FORCE)
  // that follows then terminates it, and a pool without a listener throws that error
  db.on('error', () => undefined);
  let api: NestFastifyApplication | undefined;
  let worker: INestApplicationContext | undefined;
  const cleanup = async () => {
    await worker?.close();
    await api?.close();
    await db.end();
    await dropTestDatabase(dbName);
    await deleteRedisPrefix(prefix);
  };
  try {
    api = await createApi(config);
    await api.listen({ port: 0, host: '127.0.0.1' });
    if (options.worker !== false) worker = await createWorker(config, { schedules: false });
  } catch (err) {
    await cleanup().catch(() => undefined);
    throw err;
  }
  const url = await api.getUrl();
  return {
    config,
    env,
    dbName,
    url,
    api,
    worker,
    db,
    gql: (query, variables, opts) => gqlAt(url, query, variables, opts),
    close: cleanup,
  };
}
