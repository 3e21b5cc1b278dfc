import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeDatabaseUrl, loadConfig } from './config';

describe('loadConfig', () => {
  it('keeps the development JWT secret in a file, so a restart keeps sessions', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sd-cfg-')), 'var', 'jwt-secret');
    const first = loadConfig({ JWT_SECRET_FILE: file });
    expect(first.auth.jwtSecretIsEphemeral).toBe(false);
    expect(first.auth.jwtSecret).toHaveLength(64);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.auth.jwtSecret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig({ JWT_SECRET_FILE: file }).auth.jwtSecret).toBe(first.auth.jwtSecret);
    // tests without a secret get a random one per process; production must set it
    expect(loadConfig({ NODE_ENV: 'test', JWT_SECRET_FILE: file }).auth.jwtSecret).not.toBe(
      first.auth.jwtSecret,
    );
  });

  it('gives defaults that work on a developer machine', () => {
    const c = loadConfig({ NODE_ENV: 'test' });
    expect(c.database.url).toBe('postgres://postgres@127.0.0.1:5432/staydesk');
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
    expect(c.http.port).toBe(3000);
    expect(c.http.publicUrl).toBe('http://localhost:3000');
    expect(c.database.migrationsRun).toBe(true);
    expect(c.auth.jwtSecretIsEphemeral).toBe(true);
    expect(c.auth.jwtSecret).toHaveLength(64);
    expect(c.graphql.schemaFile).toBe('schema.graphql');
  });

  it('names the variable and the problem, without echoing the value', () => {
    const secretish = 'mysql://admin:hunter2@db/x';
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: secretish });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('DATABASE_URL must use postgres: or postgresql:');
    expect(message).not.toContain('hunter2');
    expect(message.split('\n')).toHaveLength(1);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number'],
    [{ PORT: '70000' }, 'PORT must be between 0 and 65535'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL must be a URL'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL must use smtp: or smtps:'],
    [{ MIGRATIONS_RUN: 'maybe' }, 'MIGRATIONS_RUN must be true or false'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV must be one of development, test, production'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET must be at least 32 characters'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET is required in production'],
  ])('rejects %j', (env, expected) => {
    expect(() => loadConfig(env)).toThrow(expected);
  });

  it('reports every wrong variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', REDIS_URL: 'http://r' })).toThrow(
      /PORT must be a whole number; REDIS_URL must use redis: or rediss:/,
    );
  });

  it('parses lists and booleans', () => {
    const c = loadConfig({
      CORS_ORIGINS: 'https://a.example, https://b.example',
      MIGRATIONS_RUN: 'false',
      PUBLIC_URL: 'https://help.example.com/',
      JWT_SECRET: 'x'.repeat(32),
    });
    expect(c.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(c.database.migrationsRun).toBe(false);
    expect(c.http.publicUrl).toBe('https://help.example.com');
    expect(c.auth.jwtSecretIsEphemeral).toBe(false);
  });

  it('describes a database URL without credentials', () => {
    expect(describeDatabaseUrl('postgres://u:secret@db.local:6543/staydesk')).toBe(
      'db.local:6543/staydesk',
    );
  });
});
