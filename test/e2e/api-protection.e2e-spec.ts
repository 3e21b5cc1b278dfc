import { randomBytes } from 'node:crypto';
import {
  createTestDatabase,
  dropTestDatabase,
  databaseUrl,
  deleteRedisPrefix,
  TEST_REDIS_URL,
} from '@staydesk/testing';
import { createApi } from '../../apps/api/src/bootstrap';
import { insertUser, login } from '../support/factories';
import { API_MAIN, listeningUrl, startProcess } from '../support/processes';
import { eventually } from '../support/eventually';
import { TestStack, startStack } from '../support/stack';

const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }';

describe('api protection: rate limits, body limit, CORS, headers, production mode', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: {
        LOGIN_RATE_LIMIT_IP_PER_MINUTE: '6',
        LOGIN_RATE_LIMIT_EMAIL_PER_MINUTE: '4',
        RATE_LIMIT_USER_PER_MINUTE: '15',
        RATE_LIMIT_IP_PER_MINUTE: '8',
        CORS_ORIGINS: 'https://desk.example',
        BODY_LIMIT_BYTES: '65536',
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('limits sign-ins per e-mail and per IP (Redis-backed: shared by every api process), 429 + Retry-After', async () => {
    await insertUser(stack, { email: 'victim@t.local', role: 'agent' });
    const attempt = (email: string, url = stack.url) =>
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': `10.0.0.${Math.floor(Math.random() * 200)}`,
        },
        body: JSON.stringify({ query: LOGIN, variables: { e: email, p: 'guess' } }),
      });
    // per e-mail: 4 guesses a minute, the 5th is refused before the password is even checked
    for (let i = 0; i < 4; i++) {
      const body = (await (await attempt('victim@t.local')).json()) as any;
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    const limited = await attempt('VICTIM@t.local');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await limited.json()) as any;
    expect(body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(body.errors[0].message).toMatch(/too many requests \(login-email\)/);

    // per IP, across two api processes on the same Redis (X-Forwarded-For is not trusted by
    // default, so a spoofed header does not buy fresh counters): 6 a minute from this address
    const second = await createApi(stack.config);
    await second.listen({ port: 0, host: '127.0.0.1' });
    try {
      // five hits so far from this address; the sixth (first api) passes, the seventh (second
      // api process) is over the limit
      expect((await attempt('nobody@t.local')).status).toBe(200);
      const res = await attempt('someone-else@t.local', await second.getUrl());
      expect(res.status).toBe(429);
      expect(((await res.json()) as any).errors[0].message).toMatch(/login-ip/);
    } finally {
      await second.close();
    }
  });

  it('limits operations per signed-in user', async () => {
    await insertUser(stack, { email: 'busy@t.local', role: 'agent' });
    // the test above used up this address's sign-in budget: start a fresh window
    await deleteRedisPrefix(stack.config.redis.prefix);
    const token = await login(stack, 'busy@t.local');
    let first429 = -1;
    for (let i = 1; i <= 20 && first429 < 0; i++) {
      const res = await stack.gql('{ me { id } }', undefined, { token });
      if (res.status === 429) first429 = i;
      else expect(res.errors).toBeUndefined();
    }
    expect(first429).toBe(16);
  });

  it('limits anonymous operations per IP', async () => {
    let first429 = -1;
    for (let i = 1; i <= 12 && first429 < 0; i++) {
      const res = await stack.gql('{ health { status } }');
      if (res.status === 429) first429 = i;
    }
    expect(first429).toBe(9);
  });

  it('refuses a request body over BODY_LIMIT_BYTES with 413 and a clear message', async () => {
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ health { status } }',
        variables: { pad: 'x'.repeat(70_000) },
      }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0]).toEqual({
      message: 'the request body is larger than the limit of 65536 bytes',
      extensions: { code: 'BAD_USER_INPUT', httpStatus: 413 },
    });
  });

  it('puts the CSV exports behind the same authentication, roles and per-user rate limit as GraphQL', async () => {
    await deleteRedisPrefix(stack.config.redis.prefix);
    await insertUser(stack, { email: 'export-admin@t.local', role: 'admin' });
    await insertUser(stack, { email: 'export-agent@t.local', role: 'agent' });
    const admin = await login(stack, 'export-admin@t.local');
    const agent = await login(stack, 'export-agent@t.local');
    const q = new URLSearchParams({ from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z' });
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${stack.url}/exports/${path}?${path === 'kpis.csv' ? q : ''}`, { headers });
    for (const path of ['kpis.csv', 'risk-list.csv']) {
      const anon = await get(path);
      expect(anon.status).toBe(401);
      expect(((await anon.json()) as any).error.code).toBe('UNAUTHENTICATED');
      const refused = await get(path, { authorization: `Bearer ${agent}` });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as any).error).toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringMatching(/^a agent may not export .*; allowed: /),
      });
    }
    // the browser session cookie works like the bearer token
    const byCookie = await get('kpis.csv', { cookie: `theme=dark; sd_session=${admin}` });
    expect(byCookie.status).toBe(200);
    expect(byCookie.headers.get('content-type')).toMatch(/text\/csv/);
    await byCookie.text();
    // one per-user budget (15 a minute here) shared with GraphQL: 1 used above
    let first429 = -1;
    for (let i = 2; i <= 20 && first429 < 0; i++) {
      const res = await get(i % 2 ? 'kpis.csv' : 'risk-list.csv', {
        authorization: `Bearer ${admin}`,
      });
      if (res.status === 429) {
        first429 = i;
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(((await res.json()) as any).error.code).toBe('RATE_LIMITED');
      } else {
        expect(res.status).toBe(200);
        await res.text();
      }
    }
    expect(first429).toBe(16);
    const gql = await stack.gql('{ me { id } }', undefined, { token: admin });
    expect(gql.status).toBe(429);
  });

  it('gives "Did you mean" suggestions outside production', async () => {
    await deleteRedisPrefix(stack.config.redis.prefix);
    const res = await stack.gql('{ tickes { id } }');
    expect(res.errors?.[0].message).toMatch(/Did you mean .*"tickets"\?/);
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.url}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      });
    const allowed = await preflight('https://desk.example');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://desk.example');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends helmet-style security headers on the survey pages', async () => {
    const res = await fetch(`${stack.url}/s/${'A'.repeat(43)}?score=5`);
    expect(res.status).toBe(404);
    const h = Object.fromEntries(res.headers.entries());
    expect(h).toMatchObject({
      'content-security-policy': expect.stringContaining("default-src 'none'"),
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': expect.stringContaining('max-age='),
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'no-store',
    });
  });
});

describe('api protection: production mode', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: {
        NODE_ENV: 'production',
        SURVEY_TOKEN_SECRET: randomBytes(32).toString('hex'),
        SCHEMA_FILE: 'off',
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('turns introspection and the landing page off', async () => {
    const res = await stack.gql('{ __schema { types { name } } }');
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0].message).toMatch(/introspection/i);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const page = await fetch(`${stack.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).not.toMatch(/html/);
    expect(await page.text()).not.toMatch(/<html|sandbox/i);
  });

  it('gives no "Did you mean" suggestions that would reveal the schema', async () => {
    const messages: string[] = [];
    for (const [query, variables] of [
      ['{ tickes { id } }', undefined],
      ['{ me { emial } }', undefined],
      ['{ tickets(ordrBy: due) { edges { cursor } } }', undefined],
      ['{ tickets(orderBy: priorty) { edges { cursor } } }', undefined],
      ['query($o: TicketOrder) { tickets(orderBy: $o) { edges { cursor } } }', { o: 'priorty' }],
      ['query($o: TickeOrder) { tickets(orderBy: $o) { edges { cursor } } }', { o: 'due' }],
    ] as const) {
      const res = await stack.gql(query, variables as Record<string, unknown> | undefined);
      expect(res.errors?.length).toBeGreaterThan(0);
      messages.push(...res.errors!.map((e) => e.message));
    }
    expect(messages.filter((m) => /did you mean/i.test(m))).toEqual([]);
  });
});

describe('logs never carry passwords, tokens or survey links', () => {
  it('redacts them in a real api process logging at trace level', async () => {
    const dbName = await createTestDatabase();
    const prefix = `sdt_${randomBytes(5).toString('hex')}`;
    const secret = `Pw-${randomBytes(6).toString('hex')}`;
    const surveyToken = randomBytes(32).toString('base64url');
    const api = await startProcess(API_MAIN, {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl(dbName),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      PORT: '0',
      LOG_LEVEL: 'trace',
      MIGRATIONS_RUN: 'false',
      SCHEMA_FILE: 'off',
    });
    try {
      const url = listeningUrl(api);
      const post = (query: string, variables: Record<string, unknown>, token?: string) =>
        fetch(`${url}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ query, variables }),
        }).then((r) => r.json() as Promise<any>);
      const wrong = await post(LOGIN, { e: 'nobody@t.local', p: secret });
      expect(wrong.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      // a variable that does not coerce (validation error paths log too)
      await post('mutation($e: String!, $p: Int!) { login(email: $e, password: $p) { token } }', {
        e: 'x@t.local',
        p: secret,
      });
      await post('{ me { id } }', {}, `${secret}.${secret}`);
      await fetch(`${url}/s/${surveyToken}?score=4`);
      await fetch(`${url}/s/${surveyToken}/opt-out`);
      // barrier: all five requests have logged their completion
      await eventually(
        'the five requests to be logged',
        () => (api.output().match(/request completed/g) ?? []).length >= 5,
      );
      const out = api.output();
      expect(out).toMatch(/request completed/); // it did log the requests
      expect(out).not.toContain(secret);
      expect(out).not.toContain(surveyToken);
    } finally {
      await api.stop('SIGTERM');
      await dropTestDatabase(dbName);
      await deleteRedisPrefix(prefix);
    }
  });
});
