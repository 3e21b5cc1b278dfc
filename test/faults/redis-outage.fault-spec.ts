import { startSmtpSink } from '../support/smtp-sink';
import {
  FaultStack,
  GqlResult,
  gqlAt,
  loginAt,
  seedTickets,
  sleep,
  startFaultStack,
  SURVEYS_AT_ONCE,
  waitFor,
} from './fault-stack';

/**
 * Scenario 2: Redis stops for a while under write load (agents solving tickets). The api keeps
 * accepting writes (they only need PostgreSQL: the outbox row is in the same transaction),
 * readiness says Redis is down, and once Redis is back every outbox event is published and
 * processed: one CSAT survey per acknowledged solve.
 */
describe('fault: Redis stopped under ticket-solve load', () => {
  const N = 240;
  let stack: FaultStack;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;

  beforeAll(async () => {
    sink = await startSmtpSink();
    // Redis with an append-only file: BullMQ's queues must survive a Redis restart (see
    // docs/reliability.md for what a Redis without persistence loses)
    stack = await startFaultStack(
      {
        SMTP_URL: sink.url,
        ...SURVEYS_AT_ONCE,
        RISK_DEBOUNCE_MS: '1000',
      },
      { persistentRedis: true },
    );
  });

  afterAll(async () => {
    await stack?.close();
    await sink?.close();
  });

  it('accepts every write while Redis is down and relays all events once it is back', async () => {
    const api = await stack.startApi();
    const worker = await stack.startWorker();
    await stack.user('agent@fault.example', 'agent');
    const token = await loginAt(api.url, 'agent@fault.example');
    const ids = await seedTickets(stack.db, N, 'open');

    const acknowledged: string[] = [];
    const refused: GqlResult[] = [];
    let next = 0;
    const solveAll = async () => {
      while (next < ids.length) {
        const id = ids[next++];
        const res = await gqlAt(
          api.url,
          'mutation($id: ID!) { changeTicketStatus(id: $id, status: solved) { id status } }',
          { id },
          token,
        );
        if (res.data?.changeTicketStatus?.status === 'solved') acknowledged.push(id);
        else refused.push(res);
        await sleep(15);
      }
    };
    const load = Promise.all([solveAll(), solveAll(), solveAll()]);

    await waitFor('a third solved', async () => acknowledged.length >= N / 3, 30_000);
    await stack.redis.stop();
    const outageStarted = Date.now();
    const solvedBeforeOutage = acknowledged.length;
    const ready = await fetch(`${api.url}/health/ready`);
    const readyBody = (await ready.json()) as { error?: Record<string, { status: string }> };
    expect(ready.status).toBe(503);
    expect(readyBody.error?.redis?.status).toBe('down');
    await waitFor(
      'two thirds solved, three seconds into the outage',
      async () => acknowledged.length >= (2 * N) / 3 && Date.now() - outageStarted > 3000,
      30_000,
    );
    const solvedDuringOutage = acknowledged.length - solvedBeforeOutage;
    const { rows: waiting } = await stack.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`,
    );
    await stack.redis.start();
    await load;

    expect(refused).toEqual([]);
    expect(acknowledged).toHaveLength(N);
    expect(solvedDuringOutage).toBeGreaterThan(0);
    expect(waiting[0].n).toBeGreaterThan(0); // events queued up in PostgreSQL meanwhile

    const recoveryStarted = Date.now();
    await waitFor(
      'every acknowledged solve surveyed',
      async () => {
        const { rows } = await stack.db.query<{ sent: number; pending: number }>(
          `SELECT (SELECT count(*)::int FROM surveys WHERE sent_at IS NOT NULL) AS sent,
                  (SELECT count(*)::int FROM outbox WHERE published_at IS NULL) AS pending`,
        );
        return rows[0].sent === N && rows[0].pending === 0;
      },
      60_000,
    );
    const recoveryMs = Date.now() - recoveryStarted;
    const { rows } = await stack.db.query<{ surveys: number; tickets: number }>(
      `SELECT count(*)::int AS surveys, count(DISTINCT ticket_id)::int AS tickets FROM surveys`,
    );
    expect(rows[0]).toEqual({ surveys: N, tickets: N });
    await waitFor('all mails', async () => sink.mails.length >= N, 10_000);
    expect(new Set(sink.mails.flatMap((m) => m.to)).size).toBe(N);

    // both processes rode the outage out
    expect(api.proc.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
    process.stdout.write(
      `[fault 2] ${N} solves acknowledged (${solvedDuringOutage} while Redis was down, ` +
        `${waiting[0].n} events waiting in the outbox); all surveyed ${recoveryMs} ms after Redis returned\n`,
    );
  });
});
