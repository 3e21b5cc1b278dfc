import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApi } from '../../apps/api/src/bootstrap';
import { PASSWORD, insertUser, login, ok } from '../support/factories';
import { NO_LOGIN_RATE_LIMITS, NO_RATE_LIMITS } from '../support/env';
import { GqlResponse, gqlAt } from '../support/gql';
import { TestStack, startStack } from '../support/stack';

jest.setTimeout(60_000);

/**
 * Each api process keeps signed-in users' rows for a few seconds (docs/decisions.md 53). These
 * tests run two api processes on one database and Redis, warm both caches, change the user
 * through one of them and expect the other to apply the change on the very next request:
 * role changes, deactivation, logout, password changes and resets made through the api must
 * never wait for the cache to expire.
 */
describe('signed-in users cached per process: changes apply at once in every process', () => {
  let stack: TestStack;
  let other: NestFastifyApplication;
  let otherUrl: string;
  let admin: string;
  let n = 0;

  /** A GraphQL request to the second api process. */
  const gqlOther = (query: string, token: string, variables?: Record<string, unknown>) =>
    gqlAt(otherUrl, query, variables, { token });
  const code = (r: { errors?: GqlResponse['errors'] }) => r.errors?.[0]?.extensions?.code ?? null;
  const meOn = async (token: string) => {
    const [a, b] = [
      await stack.gql('{ me { id role } }', undefined, { token }),
      await gqlOther('{ me { id role } }', token),
    ];
    return [a, b];
  };
  /** An admin-only operation (adds a team), on the second process. */
  const adminOnly = (token: string) =>
    gqlOther('mutation($n: String!) { createTeam(input: { name: $n }) { id } }', token, {
      n: `Team ${++n}`,
    });
  const update = (id: string, input: Record<string, unknown>) =>
    ok(
      stack,
      admin,
      'mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }',
      {
        id,
        i: input,
      },
    );

  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: { ...NO_RATE_LIMITS, ...NO_LOGIN_RATE_LIMITS },
    });
    other = await createApi(stack.config);
    await other.listen({ port: 0, host: '127.0.0.1' });
    otherUrl = await other.getUrl();
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    admin = await login(stack, 'admin@t.local');
  });
  afterAll(async () => {
    await other?.close();
    await stack?.close();
  });

  it('applies a role change made in one process on the next request to the other', async () => {
    const id = await insertUser(stack, { email: 'role@t.local', role: 'agent' });
    const token = await login(stack, 'role@t.local');
    for (const r of await meOn(token)) expect(r.data?.me).toEqual({ id, role: 'agent' });
    expect(code(await adminOnly(token))).toBe('FORBIDDEN'); // cached as an agent now
    await update(id, { role: 'admin' });
    expect((await adminOnly(token)).errors).toBeUndefined();
    await update(id, { role: 'agent' });
    expect(code(await adminOnly(token))).toBe('FORBIDDEN');
  });

  it('refuses a deactivated user at once in both processes', async () => {
    const id = await insertUser(stack, { email: 'off@t.local', role: 'agent' });
    const token = await login(stack, 'off@t.local');
    for (const r of await meOn(token)) expect(r.errors).toBeUndefined();
    await update(id, { active: false });
    for (const r of await meOn(token)) expect(code(r)).toBe('UNAUTHENTICATED');
    await update(id, { active: true });
    for (const r of await meOn(token)) expect(r.errors).toBeUndefined();
  });

  it('ends a logged-out session at once in the other process', async () => {
    await insertUser(stack, { email: 'out@t.local', role: 'agent' });
    const token = await login(stack, 'out@t.local');
    const kept = await login(stack, 'out@t.local');
    for (const r of await meOn(token)) expect(r.errors).toBeUndefined();
    await ok(stack, token, 'mutation { logout }');
    const after = await gqlOther('{ me { id } }', token);
    expect(code(after)).toBe('UNAUTHENTICATED');
    expect(after.errors?.[0].message).toMatch(/signed out/);
    expect((await gqlOther('{ me { id } }', kept)).errors).toBeUndefined(); // other sessions stay
  });

  it('ends older tokens at once on a password change and an admin password reset', async () => {
    const id = await insertUser(stack, { email: 'pw@t.local', role: 'agent' });
    const token = await login(stack, 'pw@t.local');
    for (const r of await meOn(token)) expect(r.errors).toBeUndefined();
    const changed = await ok(
      stack,
      token,
      'mutation($c: String!, $p: String!) { changePassword(currentPassword: $c, newPassword: $p) { token } }',
      { c: PASSWORD, p: 'a-new-long-password-1' },
    );
    expect(code(await gqlOther('{ me { id } }', token))).toBe('UNAUTHENTICATED');
    const fresh = changed.changePassword.token as string;
    expect((await gqlOther('{ me { id } }', fresh)).errors).toBeUndefined();
    await update(id, { password: 'another-long-password-2' });
    const refused = await gqlOther('{ me { id } }', fresh);
    expect(code(refused)).toBe('UNAUTHENTICATED');
    expect(refused.errors?.[0].message).toMatch(/password was changed/);
  });

  it('answers from the cache (a change by hand in SQL waits for the TTL), then re-reads', async () => {
    const id = await insertUser(stack, { email: 'sql@t.local', role: 'agent' });
    const token = await login(stack, 'sql@t.local');
    expect((await gqlOther('{ me { id } }', token)).errors).toBeUndefined();
    // outside the api: no stamp, so the other process keeps its copy for at most the TTL (5 s)
    await stack.db.query(`UPDATE users SET active = false WHERE id = $1`, [id]);
    expect((await gqlOther('{ me { id } }', token)).errors).toBeUndefined();
    await new Promise((r) => setTimeout(r, 5_200));
    expect(code(await gqlOther('{ me { id } }', token))).toBe('UNAUTHENTICATED');
  });
});
