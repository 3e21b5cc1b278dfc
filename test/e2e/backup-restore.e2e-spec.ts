import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RiskService } from '@staydesk/risk';
import {
  TEST_DB_PREFIX,
  TEST_REDIS_URL,
  databaseUrl,
  dropTestDatabase,
  uniqueName,
} from '@staydesk/testing';
import { insertUser, login, ok, PASSWORD } from '../support/factories';
import { API_MAIN, ROOT, listeningUrl, runToExit, startProcess } from '../support/processes';
import { stackEnv, testRedisPrefix } from '../support/env';
import { eventually } from '../support/eventually';
import { gqlAt } from '../support/gql';
import { startSmtpSink } from '../support/smtp-sink';
import { TestStack, startStack } from '../support/stack';

const BACKUP = join(ROOT, 'dist', 'scripts', 'backup.js');
const RESTORE = join(ROOT, 'dist', 'scripts', 'restore.js');
const CUSTOMER = `query($id: ID!) { customer(id: $id) { name risk { score band } surveys { kind sentAt } } }`;

/**
 * docs/operations.md's procedure, exactly: `npm run backup` (pg_dump, custom format) of a live
 * database, `npm run restore` into an empty database, start the api on it: the ticket, its
 * survey and the customer's risk score are all there.
 */
describe('backup → restore into an empty database → start', () => {
  let stack: TestStack;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  const restored = uniqueName(TEST_DB_PREFIX);
  const dir = mkdtempSync(join(tmpdir(), 'staydesk-backup-'));

  beforeAll(async () => {
    sink = await startSmtpSink();
    stack = await startStack({
      env: { SMTP_URL: sink.url, CSAT_DELAY_SECONDS: '0', OUTBOX_POLL_MS: '200' },
    });
  });

  afterAll(async () => {
    await stack?.close();
    await sink?.close();
    await dropTestDatabase(restored).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a ticket, a survey and a risk score', async () => {
    await insertUser(stack, { email: 'admin@b.test', role: 'admin' });
    const admin = await login(stack, 'admin@b.test');
    const c = await ok(
      stack,
      admin,
      `mutation { createCustomer(input: { name: "Vandelay Industries", mrr: 700, contacts: [{ name: "Art", email: "art@vandelay.example" }] }) { id contacts { id } } }`,
    );
    const customer = c.createCustomer.id as string;
    const t = await ok(
      stack,
      admin,
      `mutation($r: ID!) { createTicket(input: { requesterId: $r, subject: "Latex samples lost", channel: email, message: { body: "Where are they?", kind: customer_message } }) { id } }`,
      { r: c.createCustomer.contacts[0].id },
    );
    const ticket = t.createTicket.id as string;
    await ok(
      stack,
      admin,
      `mutation($id: ID!) { replyToTicket(id: $id, body: "Found them") { ticket { id } } }`,
      { id: ticket },
    );
    await ok(
      stack,
      admin,
      `mutation($id: ID!) { changeTicketStatus(id: $id, status: solved) { id } }`,
      { id: ticket },
    );
    await sink.waitFor(1);
    // the survey's sent_at is written after SMTP accepted the mail (decision 73): wait for it,
    // so that the survey read before the backup is the one the backup holds
    await eventually('the survey marked sent', async () => {
      const { rows } = await stack.db.query<{ sent: boolean }>(
        `SELECT sent_at IS NOT NULL AS sent FROM surveys WHERE ticket_id = $1`,
        [ticket],
      );
      return rows[0]?.sent;
    });
    const score = (await stack.worker!.get(RiskService).rescoreCustomer(customer))!;
    const before = await ok(stack, admin, CUSTOMER, { id: customer });
    expect(before.customer.surveys).toHaveLength(1);

    const file = join(dir, 'staydesk.dump');
    const env = { DATABASE_URL: stack.config.database.url, REDIS_URL: TEST_REDIS_URL };
    const backup = await runToExit(BACKUP, env, 60_000, ['--out', file]);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(statSync(file).size).toBeGreaterThan(1000);

    const target = { ...env, DATABASE_URL: databaseUrl(restored) };
    const restore = await runToExit(RESTORE, target, 60_000, [file]);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain('created the database');

    // a second restore would mix two histories: refused
    const again = await runToExit(RESTORE, target, 60_000, [file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has \d+ table\(s\): restore into an empty database/);

    // start the api on the restored database: the schema check passes without migrating
    const api = await startProcess(API_MAIN, stackEnv(target.DATABASE_URL, testRedisPrefix()));
    try {
      const url = listeningUrl(api);
      const gql = (query: string, variables: Record<string, unknown>, token?: string) =>
        gqlAt(url, query, variables, { token });
      const signIn = await gql(
        'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
        { e: 'admin@b.test', p: PASSWORD },
      );
      const token = signIn.data!.login.token as string;
      const after = await gql(CUSTOMER, { id: customer }, token);
      expect(after.errors).toBeUndefined();
      expect(after.data!.customer).toEqual(before.customer);
      expect(after.data!.customer.risk.score).toBe(Math.round(score.score * 100) / 100);
      const t2 = await gql(
        `query($id: ID!) { ticket(id: $id) { subject status } }`,
        { id: ticket },
        token,
      );
      expect(t2.data!.ticket).toEqual({ subject: 'Latex samples lost', status: 'solved' });
    } finally {
      await api.stop('SIGTERM');
    }
  });
});
