import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@staydesk/core';
import { createApi } from '../../apps/api/src/bootstrap';
import { PASSWORD, insertUser, login, ok } from '../support/factories';
import { NO_LOGIN_RATE_LIMITS, NO_RATE_LIMITS } from '../support/env';
import { gqlAt } from '../support/gql';
import { TestStack, startStack } from '../support/stack';

jest.setTimeout(60_000);

const LOGIN =
  'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token user { id } } }';

/**
 * Sign-in as an attacker would try it: the answers must not tell accounts apart, guessing from
 * one address must not lock the owner out elsewhere, admins can lift locks, and a password
 * change ends every older token at once.
 */
describe('sign-in: lockout, unlock, password changes, session cookie', () => {
  let stack: TestStack;
  let admin: string;

  /** A sign-in attempt from a given client address (the api trusts X-Forwarded-For here). */
  const attempt = async (email: string, password: string, ip: string) =>
    stack.gql<{ login: { token: string; user: { id: string } } }>(
      LOGIN,
      { e: email, p: password },
      { headers: { 'x-forwarded-for': ip } },
    );
  const me = (token: string) => stack.gql('{ me { id } }', undefined, { token });

  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: {
        TRUST_PROXY: 'true',
        LOGIN_MAX_FAILURES: '3',
        ...NO_LOGIN_RATE_LIMITS,
        ...NO_RATE_LIMITS,
      },
    });
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    admin = await login(stack, 'admin@t.local');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('gives every failed sign-in the same answer (unknown, wrong password, locked, deactivated)', async () => {
    await insertUser(stack, { email: 'same@t.local', role: 'agent' });
    const gone = await insertUser(stack, { email: 'gone@t.local', role: 'agent' });
    await stack.db.query(`UPDATE users SET active = false WHERE id = $1`, [gone]);
    const answers: unknown[] = [];
    const record = async (email: string, password: string, ip: string) => {
      const res = await attempt(email, password, ip);
      expect(res.data?.login ?? null).toBeNull();
      answers.push({ status: res.status, errors: res.errors });
    };
    await record('nobody@t.local', PASSWORD, '10.1.0.1');
    await record('same@t.local', 'wrong-password', '10.1.0.1');
    await record('same@t.local', 'wrong-password', '10.1.0.1');
    await record('same@t.local', 'wrong-password', '10.1.0.1'); // the third locks this address
    await record('same@t.local', PASSWORD, '10.1.0.1'); // locked: the right password fails too
    await record('gone@t.local', PASSWORD, '10.1.0.1'); // deactivated
    const first = answers[0] as { errors: { message: string; extensions: { code: string } }[] };
    expect(first.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(first.errors[0].message).toMatch(/^sign-in failed: the e-mail or password is wrong/);
    for (const a of answers) expect(a).toEqual(answers[0]);
  });

  it('locks guessing per account and client address, so the owner signs in from elsewhere', async () => {
    const ownerId = await insertUser(stack, { email: 'owner@t.local', role: 'admin' });
    for (let i = 0; i < 5; i++) await attempt('owner@t.local', 'guess', '203.0.113.9');
    expect(
      (await attempt('owner@t.local', PASSWORD, '203.0.113.9')).data?.login ?? null,
    ).toBeNull();
    const owner = await attempt('owner@t.local', PASSWORD, '198.51.100.7');
    expect(owner.errors).toBeUndefined();
    expect(owner.data!.login.user.id).toBe(ownerId);
    // the stranger's address stays locked after the owner's success elsewhere
    expect(
      (await attempt('owner@t.local', PASSWORD, '203.0.113.9')).data?.login ?? null,
    ).toBeNull();
  });

  it('lets an admin unlock a user (audited), and an admin password reset clears the lock too', async () => {
    const id = await insertUser(stack, { email: 'locked@t.local', role: 'agent' });
    const lockOut = async () => {
      for (let i = 0; i < 3; i++) await attempt('locked@t.local', 'guess', '10.9.9.9');
    };
    await lockOut();
    expect((await attempt('locked@t.local', PASSWORD, '10.9.9.9')).data?.login ?? null).toBeNull();

    // same@t.local is locked from 10.1.0.1 only (test above): from another address it signs in
    const other = await attempt('same@t.local', PASSWORD, '10.1.0.2');
    const forbidden = await stack.gql(
      `mutation($id: ID!) { unlockUser(id: $id) { id } }`,
      { id },
      {
        token: other.data!.login.token,
      },
    );
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const unlocked = await ok(
      stack,
      admin,
      `mutation($id: ID!) { unlockUser(id: $id) { id email } }`,
      {
        id,
      },
    );
    expect(unlocked.unlockUser).toEqual({ id, email: 'locked@t.local' });
    expect((await attempt('locked@t.local', PASSWORD, '10.9.9.9')).errors).toBeUndefined();
    const audit = await stack.db.query(
      `SELECT actor_id::text AS actor, entity_id::text AS entity FROM audit_log WHERE action = 'user.unlock'`,
    );
    expect(audit.rows).toEqual([{ actor: expect.any(String), entity: id }]);

    await lockOut();
    await ok(
      stack,
      admin,
      `mutation($id: ID!) { updateUser(id: $id, input: { password: "a-brand-new-password" }) { id } }`,
      { id },
    );
    expect(
      (await attempt('locked@t.local', 'a-brand-new-password', '10.9.9.9')).errors,
    ).toBeUndefined();
  });

  it('ends every token issued before a password change at once (self-service and admin reset)', async () => {
    const id = await insertUser(stack, { email: 'changer@t.local', role: 'agent' });
    const t1 = await login(stack, 'changer@t.local');
    const t2 = await login(stack, 'changer@t.local');
    expect((await me(t1)).data).toEqual({ me: { id } });

    const wrong = await stack.gql(
      `mutation { changePassword(currentPassword: "not-it-at-all", newPassword: "another-long-password") { token } }`,
      undefined,
      { token: t1 },
    );
    expect(wrong.errors?.[0]).toMatchObject({
      message: 'currentPassword: is not your current password',
      extensions: { code: 'BAD_USER_INPUT', field: 'currentPassword' },
    });
    expect((await me(t1)).data).toEqual({ me: { id } }); // nothing changed

    const changed = await ok(
      stack,
      t1,
      `mutation($c: String!) { changePassword(currentPassword: $c, newPassword: "another-long-password") { token user { id } } }`,
      { c: PASSWORD },
    );
    const t3 = changed.changePassword.token as string;
    for (const old of [t1, t2]) {
      const res = await me(old);
      expect(res.errors?.[0]).toMatchObject({
        message: 'the password was changed since this token was issued: sign in again',
        extensions: { code: 'UNAUTHENTICATED' },
      });
    }
    expect((await me(t3)).data).toEqual({ me: { id } });
    expect((await attempt('changer@t.local', PASSWORD, '10.2.0.1')).data?.login ?? null).toBeNull();
    const t4 = await login(stack, 'changer@t.local', 'another-long-password');
    const audit = await stack.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'user.password_change' AND entity_id = $1`,
      [id],
    );
    expect(audit.rows[0].n).toBe(1);

    // an admin's reset ends the user's tokens too
    await ok(
      stack,
      admin,
      `mutation($id: ID!) { updateUser(id: $id, input: { password: "reset-by-the-admin" }) { id } }`,
      { id },
    );
    for (const old of [t3, t4])
      expect((await me(old)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await me(await login(stack, 'changer@t.local', 'reset-by-the-admin'))).data).toEqual({
      me: { id },
    });
  });

  it('accepts the sd_session cookie when there is no Authorization header', async () => {
    const res = await stack.gql('{ me { id } }', undefined, {
      headers: { cookie: `theme=dark; sd_session=${admin}` },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.me.id).toMatch(/^\d+$/);
    // the Authorization header wins: a bad bearer token is not rescued by a good cookie
    const both = await stack.gql('{ me { id } }', undefined, {
      headers: { cookie: `sd_session=${admin}`, authorization: 'Bearer not-a-token' },
    });
    expect(both.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const forged = await stack.gql('{ me { id } }', undefined, {
      headers: { cookie: `sd_session=${admin.slice(0, -2)}xx` },
    });
    expect(forged.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('keeps development sessions across a restart: the dev JWT secret is generated once and kept', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sd-secret-')), 'var', 'jwt-secret');
    const devEnv = { ...stack.env, NODE_ENV: 'development', JWT_SECRET: '', JWT_SECRET_FILE: file };
    const boot = async () => {
      const api = await createApi(loadConfig(devEnv));
      await api.listen({ port: 0, host: '127.0.0.1' });
      return api;
    };
    const first = await boot();
    let token: string;
    try {
      const res = await gqlAt(await first.getUrl(), LOGIN, { e: 'admin@t.local', p: PASSWORD });
      token = res.data!.login.token;
    } finally {
      await first.close();
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await boot(); // "restarted": a new process would load the same file
    try {
      const res = await gqlAt(await second.getUrl(), '{ me { email } }', undefined, { token });
      expect(res.data).toEqual({ me: { email: 'admin@t.local' } });
    } finally {
      await second.close();
    }
    // production still refuses to start without JWT_SECRET
    expect(() => loadConfig({ ...devEnv, NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET is required in production/,
    );
  });
});

describe('transactions read through their own connection', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // one connection: a read through the pool while a transaction holds it would wait forever
    stack = await startStack({
      worker: false,
      env: { DATABASE_POOL_SIZE: '1', OUTBOX_RELAY: 'false', RATE_LIMIT_USER_PER_MINUTE: '0' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('changes priority, team and messages of a ticket with a pool of one connection', async () => {
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    const admin = await login(stack, 'admin@t.local');
    const team = (
      await ok(
        stack,
        admin,
        `mutation { createTeam(input: { name: "Ops", timezone: "Europe/Paris" }) { id } }`,
      )
    ).createTeam.id;
    const c = await ok(
      stack,
      admin,
      `mutation { createCustomer(input: { name: "Solo", contacts: [{ name: "Sol", email: "sol@solo.example" }, { name: "Lu", email: "lu@solo.example" }] }) { contacts { id } } }`,
    );
    const [requester, colleague] = c.createCustomer.contacts.map((x: { id: string }) => x.id);
    const ticket = (
      await ok(
        stack,
        admin,
        `mutation($r: ID!, $t: ID) { createTicket(input: { requesterId: $r, subject: "One pipe", channel: email, teamId: $t }) { id } }`,
        { r: requester, t: team },
      )
    ).createTicket.id;
    const changed = await ok(
      stack,
      admin,
      `mutation($id: ID!) { updateTicket(id: $id, input: { priority: urgent }) { priority } }`,
      { id: ticket },
    );
    expect(changed.updateTicket.priority).toBe('urgent');
    const message = await ok(
      stack,
      admin,
      `mutation($id: ID!, $c: ID) { addCustomerMessage(id: $id, body: "Also this", contactId: $c) { message { authorContact { id } } } }`,
      { id: ticket, c: colleague },
    );
    expect(message.addCustomerMessage.message.authorContact.id).toBe(colleague);
  });
});
