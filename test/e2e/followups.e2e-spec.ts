import type { AddressInfo } from 'node:net';
import { DynamicModule, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import bcrypt from 'bcryptjs';
import { QueueEvents } from 'bullmq';
import { Logger } from 'nestjs-pino';
import { SMTPServer } from 'smtp-server';
import { AppConfig, JobPublisher, PlatformModule } from '@staydesk/core';
import { FollowUpsWorkerModule } from '@staydesk/followups';
import { TestStack, startStack } from '../support/stack';
import { eventually } from '../support/eventually';

/**
 * The follow-ups processor on its own, so this file does not depend on how the real worker is
 * wired (the stack runs without its worker).
 */
@Module({})
class FollowUpsTestWorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: FollowUpsTestWorkerModule,
      imports: [PlatformModule.forRoot(config), FollowUpsWorkerModule],
    };
  }
}

interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

const PASSWORD = 'correct-horse-battery';

const FOLLOW_UP = `
  id kind status dueAt note outcome createdAt completedAt remindedAt
  customerId ticketId ownerId overdue
  owner { id email } customer { id name } createdBy { id }
`;
const CREATE = `mutation ($input: CreateFollowUpInput!) { createFollowUp(input: $input) { ${FOLLOW_UP} } }`;
const COMPLETE = `mutation ($id: ID!, $outcome: String!) { completeFollowUp(id: $id, outcome: $outcome) { ${FOLLOW_UP} } }`;
const CANCEL = `mutation ($id: ID!, $reason: String) { cancelFollowUp(id: $id, reason: $reason) { ${FOLLOW_UP} } }`;
const RESCHEDULE = `mutation ($id: ID!, $dueAt: DateTime!) { rescheduleFollowUp(id: $id, dueAt: $dueAt) { ${FOLLOW_UP} } }`;
const LIST = `query ($filter: FollowUpFilter, $first: Int, $after: String) {
  followUps(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id dueAt overdue ownerId status } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

describe('follow-ups: GraphQL, rules, audit and e-mail reminders', () => {
  let stack: TestStack;
  let worker: INestApplicationContext | undefined;
  let smtp: SMTPServer;
  const mails: ReceivedMail[] = [];
  const users: Record<
    'alice' | 'bob' | 'lena' | 'ivan',
    { id: string; email: string; token: string }
  > = {} as never;
  let customerId: string;
  let otherCustomerId: string;
  let ticketId: string;

  const gql = async (who: keyof typeof users, query: string, variables?: Record<string, unknown>) =>
    stack.gql(query, variables, { token: users[who]?.token });

  /** The data of a successful operation (fails the test on errors). */
  const ok = async (
    who: keyof typeof users,
    query: string,
    variables?: Record<string, unknown>,
  ) => {
    const res = await gql(who, query, variables);
    expect(res.errors).toBeUndefined();
    return res.data!;
  };

  /** The single error of a failed operation. */
  const fail = async (
    who: keyof typeof users,
    query: string,
    variables?: Record<string, unknown>,
  ) => {
    const res = await gql(who, query, variables);
    expect(res.errors).toHaveLength(1);
    return res.errors![0];
  };

  const create = async (who: keyof typeof users, input: Record<string, unknown>) =>
    (await ok(who, CREATE, { input })).createFollowUp as Record<string, any>;

  const auditActions = async (followUpId: string) =>
    (
      await stack.db.query<{ action: string; actor_id: string | null }>(
        `SELECT action, actor_id::text FROM audit_log WHERE entity = 'follow_up' AND entity_id = $1 ORDER BY id`,
        [followUpId],
      )
    ).rows;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;

    stack = await startStack({
      worker: false,
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, PUBLIC_URL: 'https://desk.example.test' },
    });
    worker = await NestFactory.createApplicationContext(
      FollowUpsTestWorkerModule.forRoot(stack.config),
      { bufferLogs: true, abortOnError: false },
    );
    worker.useLogger(worker.get(Logger));
    await worker.init();

    const hash = await bcrypt.hash(PASSWORD, 4);
    const seed: [keyof typeof users, string, boolean][] = [
      ['alice', 'agent', true],
      ['bob', 'agent', true],
      ['lena', 'team_lead', true],
      ['ivan', 'agent', false],
    ];
    for (const [name, role, active] of seed) {
      const email = `${name}@staydesk.test`;
      const { rows } = await stack.db.query<{ id: string }>(
        `INSERT INTO users (email, name, password_hash, role, active) VALUES ($1, $2, $3, $4, $5) RETURNING id::text`,
        [email, name[0].toUpperCase() + name.slice(1), hash, role, active],
      );
      users[name] = { id: rows[0].id, email, token: '' };
    }
    for (const name of ['alice', 'bob', 'lena'] as const) {
      const res = await stack.gql<{ login: { token: string } }>(
        'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
        { e: users[name].email, p: PASSWORD },
      );
      expect(res.errors).toBeUndefined();
      users[name].token = res.data!.login.token;
    }
    const c = await stack.db.query<{ id: string }>(
      `INSERT INTO customers (name, tier) VALUES ('Acme Corp', 'pro'), ('Globex', 'starter') RETURNING id::text`,
    );
    [customerId, otherCustomerId] = c.rows.map((r) => r.id);
    const contact = await stack.db.query<{ id: string }>(
      `INSERT INTO contacts (customer_id, name, email) VALUES ($1, 'Wile E.', 'wile@acme.test') RETURNING id::text`,
      [customerId],
    );
    const t = await stack.db.query<{ id: string }>(
      `INSERT INTO tickets (customer_id, requester_id, subject, channel, priority)
       VALUES ($1, $2, 'Rocket skates broke', 'email', 'high') RETURNING id::text`,
      [customerId, contact.rows[0].id],
    );
    ticketId = t.rows[0].id;
  });

  afterAll(async () => {
    await worker?.close();
    await stack?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  it('creates a follow-up on a ticket (its customer implied) and on a customer', async () => {
    const onTicket = await create('alice', {
      ticketId,
      kind: 'check_in',
      dueAt: inMinutes(60),
      note: '  Check the replacement skates arrived  ',
    });
    expect(onTicket).toMatchObject({
      kind: 'check_in',
      status: 'open',
      ticketId,
      customerId,
      ownerId: users.alice.id,
      note: 'Check the replacement skates arrived',
      outcome: null,
      completedAt: null,
      remindedAt: null,
      overdue: false,
      owner: { id: users.alice.id, email: users.alice.email },
      customer: { id: customerId, name: 'Acme Corp' },
      createdBy: { id: users.alice.id },
    });

    const onCustomer = await create('lena', {
      customerId: otherCustomerId,
      ownerId: users.bob.id,
      kind: 'at_risk_outreach',
      dueAt: inMinutes(24 * 60),
    });
    expect(onCustomer).toMatchObject({
      customerId: otherCustomerId,
      ticketId: null,
      ownerId: users.bob.id,
      note: null,
      createdBy: { id: users.lena.id },
      customer: { name: 'Globex' },
    });

    const read = await ok('bob', `query ($id: ID!) { followUp(id: $id) { ${FOLLOW_UP} } }`, {
      id: onCustomer.id,
    });
    expect(read.followUp).toEqual(onCustomer);

    expect(await auditActions(onTicket.id)).toEqual([
      { action: 'follow_up.create', actor_id: users.alice.id },
    ]);
    expect(await auditActions(onCustomer.id)).toEqual([
      { action: 'follow_up.create', actor_id: users.lena.id },
    ]);
  });

  it.each([
    [
      'both ticketId and customerId',
      () => ({ ticketId, customerId }),
      'BAD_USER_INPUT',
      'customerId',
    ],
    ['neither ticketId nor customerId', () => ({}), 'BAD_USER_INPUT', 'ticketId'],
    [
      'a dueAt that is not a date',
      () => ({ customerId, dueAt: 'next tuesday' }),
      'BAD_USER_INPUT',
      'dueAt',
    ],
    [
      'a dueAt 3 years ahead',
      () => ({ customerId, dueAt: inMinutes(3 * 366 * 24 * 60) }),
      'BAD_USER_INPUT',
      'dueAt',
    ],
    [
      'a note over 5000 characters',
      () => ({ customerId, note: 'n'.repeat(5001) }),
      'BAD_USER_INPUT',
      'note',
    ],
    [
      'a deactivated owner',
      () => ({ customerId, ownerId: users.ivan.id }),
      'BAD_USER_INPUT',
      'ownerId',
    ],
    ['an unknown owner', () => ({ customerId, ownerId: '987654' }), 'NOT_FOUND', undefined],
    ['an unknown ticket', () => ({ ticketId: '987654' }), 'NOT_FOUND', undefined],
    ['an unknown customer', () => ({ customerId: '987654' }), 'NOT_FOUND', undefined],
  ])('refuses to create with %s', async (_title, input, code, field) => {
    const before = await stack.db.query('SELECT count(*)::int AS n FROM follow_ups');
    const error = await fail('alice', CREATE, {
      input: { kind: 'custom', dueAt: inMinutes(30), ...input() },
    });
    expect(error.extensions).toMatchObject({ code });
    if (field) expect(error.extensions?.field).toBe(field);
    if (code === 'NOT_FOUND') expect(error.message).toMatch(/ 987654 was not found$/);
    const after = await stack.db.query('SELECT count(*)::int AS n FROM follow_ups');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('lists my overdue follow-ups soonest first, across pages, keeping microseconds in cursors', async () => {
    const mine = [];
    for (const minutes of [-300, -200, -100]) {
      mine.push(await create('alice', { customerId, kind: 'check_in', dueAt: inMinutes(minutes) }));
    }
    // Three due within the same millisecond: a cursor that dropped microseconds would repeat or
    // skip rows at the page boundary.
    const base = '2020-01-01T10:00:00.123';
    await stack.db.query(
      `UPDATE follow_ups SET due_at = ($1 || (CASE id WHEN $2 THEN '100' WHEN $3 THEN '200' ELSE '300' END))::timestamptz
        WHERE id IN ($2, $3, $4)`,
      [base, mine[2].id, mine[1].id, mine[0].id],
    );
    const expected = [mine[2].id, mine[1].id, mine[0].id];
    // Noise that must not show: bob's overdue one, alice's future one.
    await create('bob', { customerId, kind: 'check_in', dueAt: inMinutes(-50) });
    await create('alice', { customerId, kind: 'check_in', dueAt: inMinutes(500) });

    const page1 = (await ok('alice', LIST, { filter: { mine: true, overdue: true }, first: 2 }))
      .followUps;
    expect(page1.edges.map((e: any) => e.node.id)).toEqual(expected.slice(0, 2));
    expect(page1.edges.every((e: any) => e.node.overdue && e.node.ownerId === users.alice.id)).toBe(
      true,
    );
    expect(page1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });

    const page2 = (
      await ok('alice', LIST, {
        filter: { mine: true, overdue: true },
        first: 2,
        after: page1.pageInfo.endCursor,
      })
    ).followUps;
    expect(page2.edges.map((e: any) => e.node.id)).toEqual(expected.slice(2));
    expect(page2.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    // Other filters combine with the keyset order.
    const lenaView = (
      await ok('lena', LIST, {
        filter: { ownerId: users.alice.id, status: 'open', dueBefore: inMinutes(0) },
        first: 10,
      })
    ).followUps;
    expect(lenaView.edges.map((e: any) => e.node.id)).toEqual(expected);
    const onTicket = (await ok('alice', LIST, { filter: { ticketId } })).followUps;
    expect(onTicket.edges).toHaveLength(1);

    const badCursor = await fail('alice', LIST, { after: 'bm90LWEtY3Vyc29y' });
    expect(badCursor.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('completes, cancels and reschedules only open follow-ups, for the people allowed to', async () => {
    const f = await create('alice', {
      customerId,
      kind: 'bad_csat_recovery',
      dueAt: inMinutes(10),
    });

    const empty = await fail('alice', COMPLETE, { id: f.id, outcome: '   ' });
    expect(empty.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'outcome' });

    const notHers = await fail('bob', COMPLETE, { id: f.id, outcome: 'called them' });
    expect(notHers.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(notHers.message).toMatch(
      /only the owner, the creator, a team lead or an admin may complete/,
    );

    const moved = (await ok('lena', RESCHEDULE, { id: f.id, dueAt: inMinutes(120) }))
      .rescheduleFollowUp;
    expect(moved.status).toBe('open');

    const done = (await ok('alice', COMPLETE, { id: f.id, outcome: 'Called: happy again' }))
      .completeFollowUp;
    expect(done).toMatchObject({ status: 'done', outcome: 'Called: happy again', overdue: false });
    expect(done.completedAt).not.toBeNull();

    const twice = await fail('alice', COMPLETE, { id: f.id, outcome: 'again' });
    expect(twice.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id', status: 'done' });
    expect(twice.message).toBe(
      `id: follow-up ${f.id} is done: only open follow-ups can be completed`,
    );
    expect((await fail('alice', CANCEL, { id: f.id })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    expect(
      (await fail('alice', RESCHEDULE, { id: f.id, dueAt: inMinutes(5) })).extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT' });

    const g = await create('bob', {
      customerId,
      ownerId: users.alice.id,
      kind: 'custom',
      dueAt: inMinutes(10),
    });
    // bob is not the owner but created it, so he may cancel it.
    const cancelled = (await ok('bob', CANCEL, { id: g.id, reason: 'Customer replied first' }))
      .cancelFollowUp;
    expect(cancelled).toMatchObject({ status: 'cancelled', outcome: 'Customer replied first' });

    expect(
      (await fail('alice', COMPLETE, { id: '987654', outcome: 'x' })).extensions,
    ).toMatchObject({
      code: 'NOT_FOUND',
    });

    expect(await auditActions(f.id)).toEqual([
      { action: 'follow_up.create', actor_id: users.alice.id },
      { action: 'follow_up.reschedule', actor_id: users.lena.id },
      { action: 'follow_up.complete', actor_id: users.alice.id },
    ]);
    expect(await auditActions(g.id)).toEqual([
      { action: 'follow_up.create', actor_id: users.bob.id },
      { action: 'follow_up.cancel', actor_id: users.bob.id },
    ]);
  });

  it('e-mails the owner once when a follow-up falls due, and again after a reschedule', async () => {
    const f = await create('bob', {
      ticketId,
      ownerId: users.alice.id,
      kind: 'check_in',
      dueAt: inMinutes(-5),
      note: 'Ask whether <the skates> fit',
    });
    const { rows: due } = await stack.db.query<{ id: string }>(
      `SELECT id::text FROM follow_ups WHERE status = 'open' AND due_at <= now() AND reminded_at IS NULL`,
    );
    expect(due.map((r) => r.id)).toContain(f.id);
    const publisher = worker!.get(JobPublisher);
    const events = new QueueEvents('followups', {
      connection: { url: stack.config.redis.url },
      prefix: stack.config.redis.prefix,
    });
    try {
      await events.waitUntilReady();
      const scan = async () => {
        const job = await publisher.publish('followups.scan-due', {});
        return (await job.waitUntilFinished(events, 15_000)) as { queued: number };
      };

      expect(await scan()).toEqual({ queued: due.length });
      const toAlice = await eventually('the reminder to alice', () =>
        mails.find((m) => m.raw.includes(`X-Staydesk-Follow-Up: ${f.id}`)),
      );
      expect(toAlice.to).toEqual([users.alice.email]);
      expect(toAlice.raw).toMatch(/^Subject: Follow-up due: check-in for Acme Corp\r?$/m);
      expect(toAlice.raw).toContain('Ask whether <the skates> fit');
      expect(toAlice.raw).toContain('https://desk.example.test/graphql');
      await eventually('every due follow-up to be marked reminded', async () => {
        const { rows } = await stack.db.query(
          `SELECT 1 FROM follow_ups WHERE id = ANY($1::bigint[]) AND reminded_at IS NULL`,
          [due.map((r) => r.id)],
        );
        return rows.length === 0;
      });
      expect(mails).toHaveLength(due.length);
      const reminded = (
        await ok('alice', `query ($id: ID!) { followUp(id: $id) { remindedAt } }`, {
          id: f.id,
        })
      ).followUp;
      expect(reminded.remindedAt).not.toBeNull();
      expect((await auditActions(f.id)).map((a) => a.action)).toEqual([
        'follow_up.create',
        'follow_up.remind',
      ]);

      // A second scan finds nothing: no job, so no mail (the barrier: every reminder job of the
      // first scan has finished and none is waiting, active or delayed).
      expect(await scan()).toEqual({ queued: 0 });
      const counts = await publisher
        .queue('followups')
        .getJobCounts('waiting', 'active', 'delayed');
      expect(counts).toEqual({ waiting: 0, active: 0, delayed: 0 });
      expect(mails).toHaveLength(due.length);

      // Rescheduling clears reminded_at; once due again, the owner is reminded again.
      const moved = (await ok('alice', RESCHEDULE, { id: f.id, dueAt: inMinutes(-1) }))
        .rescheduleFollowUp;
      expect(moved.remindedAt).toBeNull();
      expect(await scan()).toEqual({ queued: 1 });
      await eventually('the second reminder', () => mails.length === due.length + 1);
      expect(mails[mails.length - 1].raw).toContain(`X-Staydesk-Follow-Up: ${f.id}`);
    } finally {
      await events.close();
    }
  });
});
