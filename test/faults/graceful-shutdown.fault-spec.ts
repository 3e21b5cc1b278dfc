import { startSmtpSink } from '../support/smtp-sink';
import {
  FaultStack,
  countByRecipient,
  gqlAt,
  loginAt,
  seedTickets,
  sleep,
  startFaultStack,
  surveysSent,
  SURVEYS_AT_ONCE,
  waitFor,
} from './fault-stack';

/**
 * Scenario 4: SIGTERM to the api and the worker under load. The api finishes the requests it
 * accepted (new ones get 503 or a refused connection, never an acknowledgement that is then lost)
 * and exits 0; the worker finishes its active jobs and exits 0, so after a restart every job is
 * done and none ran twice.
 */
describe('fault: graceful shutdown (SIGTERM) under load', () => {
  let stack: FaultStack;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;

  beforeAll(async () => {
    sink = await startSmtpSink({ delayMs: 100 });
    stack = await startFaultStack({
      SMTP_URL: sink.url,
      ...SURVEYS_AT_ONCE,
      WORKER_CONCURRENCY: '10',
      RISK_DEBOUNCE_MS: '60000',
    });
  });

  afterAll(async () => {
    await stack?.close();
    await sink?.close();
  });

  it('api: every acknowledged request is persisted and the process exits 0', async () => {
    const api = await stack.startApi({ OUTBOX_RELAY: 'false' });
    await stack.user('agent@fault.example', 'agent');
    const token = await loginAt(api.url, 'agent@fault.example');
    const [ticketId] = await seedTickets(stack.db, 1, 'open');
    const acknowledged: string[] = [];
    const refusals = new Map<string, number>();
    let stopped = false;
    const writer = async () => {
      while (!stopped) {
        const res = await gqlAt(
          api.url,
          'mutation($id: ID!) { addInternalNote(id: $id, body: "during shutdown") { message { id } } }',
          { id: ticketId },
          token,
        );
        const id = res.data?.addInternalNote?.message?.id as string | undefined;
        if (id) acknowledged.push(id);
        else {
          const key = res.network ?? `${res.status}`;
          refusals.set(key, (refusals.get(key) ?? 0) + 1);
          if (res.network === 'ECONNREFUSED') stopped = true; // the port is closed: done
        }
      }
    };
    const load = Promise.all([writer(), writer(), writer(), writer()]);
    await sleep(1500);
    const before = acknowledged.length;
    const t0 = Date.now();
    const exit = await api.proc.stop('SIGTERM');
    if (process.env.FAULT_DEBUG) process.stdout.write(`api stop took ${Date.now() - t0} ms\n`);
    stopped = true;
    await load;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(before).toBeGreaterThan(0);
    // refusals are only "closed" answers: a 503 while closing, a refused connection, or a reset
    // of a keep-alive connection the server was closing as the next request went out (the
    // client never got an answer, so nothing was acknowledged; HTTP clients retry that case).
    // The reset reaches the client as ECONNRESET from the OS or, when the server's FIN comes
    // first, as undici's UND_ERR_SOCKET ("other side closed"): the same unanswered request.
    for (const key of refusals.keys())
      expect(['503', 'ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(key);
    const { rows } = await stack.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ticket_messages WHERE id = ANY($1::bigint[])`,
      [acknowledged],
    );
    expect(rows[0].n).toBe(acknowledged.length);
    process.stdout.write(
      `[fault 4a] api SIGTERM under load: ${acknowledged.length} acknowledged writes, all persisted; ` +
        `refused: ${JSON.stringify(Object.fromEntries(refusals))}\n`,
    );
  });

  it('worker: active jobs finish, nothing is lost and nothing runs twice', async () => {
    const N = 300;
    await seedTickets(stack.db, N, 'solved', { outbox: true });
    const worker = await stack.startWorker();
    await sink.waitFor(60, 60_000);
    const exit = await worker.stop('SIGTERM');
    if (process.env.FAULT_DEBUG) process.stdout.write(worker.output());
    expect(exit).toEqual({ code: 0, signal: null });
    const atStop = sink.mails.length;
    const { rows: mid } = await stack.db.query<{ sent: number; created: number }>(
      `SELECT count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent, count(*)::int AS created FROM surveys`,
    );
    expect(mid[0].sent).toBeLessThan(N);
    // graceful: every survey row created was also sent and recorded before the exit
    expect(mid[0].created).toBe(mid[0].sent);
    expect(atStop).toBe(mid[0].sent);

    const restarted = await stack.startWorker();
    await waitFor('every survey sent', async () => (await surveysSent(stack.db)) === N, 60_000);
    await sleep(300);
    const perRecipient = countByRecipient(sink.mails);
    expect(perRecipient.size).toBe(N);
    expect(sink.mails).toHaveLength(N); // no duplicates after a graceful stop
    expect(await restarted.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    process.stdout.write(
      `[fault 4b] worker SIGTERM after ${atStop} of ${N} mails: exit 0, ${sink.mails.length} mails in all, 0 duplicates\n`,
    );
  });
});
