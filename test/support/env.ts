import { randomBytes } from 'node:crypto';
import { TEST_REDIS_URL } from '@staydesk/testing';

/** Environment variables of the api and worker that tests set (in-process or as child processes). */

/** A Redis key prefix of its own, for one test file's api and worker. */
export const testRedisPrefix = () => `sdt_${randomBytes(5).toString('hex')}`;

/**
 * The environment of an api or worker on a test database and a Redis key prefix: test mode, a
 * random loopback port, a fresh JWT secret, warnings and errors only, no schema file, no
 * migrations (test databases are copies of the migrated template). `overrides` win.
 */
export function stackEnv(
  databaseUrl: string,
  redisPrefix: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    SCHEMA_FILE: 'off',
    MIGRATIONS_RUN: 'false',
    ...overrides,
  };
}

/** The request rate limits off (per user and per client address): for files that send many requests as one user. */
export const NO_RATE_LIMITS = { RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_IP_PER_MINUTE: '0' };

/** The sign-in rate limits off (per e-mail and per client address). */
export const NO_LOGIN_RATE_LIMITS = {
  LOGIN_RATE_LIMIT_EMAIL_PER_MINUTE: '0',
  LOGIN_RATE_LIMIT_IP_PER_MINUTE: '0',
};
