import { NO_RATE_LIMITS } from '../support/env';
import {
  FaultStack,
  GqlResult,
  gqlAt,
  loginAt,
  seedTickets,
  sleep,
  startFaultStack,
  waitFor,
} from './fault-stack';

/**
 * Scenario 3: PostgreSQL restarts under read/write load. While it is down the api answers with a
 * clear error (HTTP 503, `extensions.code` SERVICE_UNAVAILABLE), never a generic 500 or a hang;
 * it reconnects by itself; and every write it acknowledged is in the database afterwards.
 */
describe('fault: PostgreSQL restarted under read/write load', () => {
  let stack: FaultStack;

  beforeAll(async () => {
    // The writer and reader loop as fast as the api answers (hundreds of requests a minute from one
    // user, more while the outage answers 503 at once): with the per-user limit on, a quiet
    // machine reached it and every request was refused 429 for the rest of the minute, which is
    // what "no write succeeded within 20 s after the restart" was. Limits have their own tests.
    stack = await startFaultStack({
      OUTBOX_RELAY: 'false',
      ...NO_RATE_LIMITS,
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('answers 503 during the outage, reconnects, and loses no acknowledged write', async () => {
    const api = await stack.startApi();
    await stack.user('agent@fault.example', 'agent');
    const token = await loginAt(api.url, 'agent@fault.example');
    const [ticketId] = await seedTickets(stack.db, 1, 'open');

    const acknowledged: string[] = [];
    const outcomes = new Map<string, number>();
    const odd: GqlResult[] = [];
    /** Every answer with a 5xx status other than the outage's 503, or code INTERNAL_SERVER_ERROR. */
    const internal: string[] = [];
    let stop = false;
    let seq = 0;
    const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    /** What the writers got back after PostgreSQL was started again (shown if they stall). */
    const afterRestart = new Map<string, number>();
    let restarted = false;
    const classify = (res: GqlResult, ok: boolean) => {
      const codes = (res.errors ?? []).map((e) => e.extensions?.code);
      if ((res.status >= 500 && res.status !== 503) || codes.includes('INTERNAL_SERVER_ERROR'))
        internal.push(`${res.status} ${JSON.stringify(res.errors ?? res.network)}`);
      if (ok) return count('ok');
      const code = res.errors?.[0]?.extensions?.code ?? res.network ?? 'none';
      count(`${res.status}:${code}`);
      if (!(res.status === 503 && code === 'SERVICE_UNAVAILABLE')) odd.push(res);
    };
    const writer = async () => {
      while (!stop) {
        const body = `note ${++seq}`;
        const res = await gqlAt(
          api.url,
          'mutation($id: ID!, $b: String!) { addInternalNote(id: $id, body: $b) { message { id } } }',
          { id: ticketId, b: body },
          token,
        );
        const id = res.data?.addInternalNote?.message?.id as string | undefined;
        if (id) acknowledged.push(id);
        classify(res, !!id);
        if (restarted) {
          const key = id
            ? 'ok'
            : `${res.status}:${res.errors?.[0]?.extensions?.code ?? res.network}: ${res.errors?.[0]?.message ?? ''}`;
          afterRestart.set(key, (afterRestart.get(key) ?? 0) + 1);
        }
        await sleep(10);
      }
    };
    const reader = async () => {
      while (!stop) {
        const res = await gqlAt(
          api.url,
          'query($id: ID!) { ticket(id: $id) { id status } }',
          { id: ticketId },
          token,
        );
        classify(res, res.data?.ticket?.id === ticketId);
        await sleep(10);
      }
    };
    const load = Promise.all([writer(), writer(), reader()]);

    await sleep(1500);
    const beforeOutage = acknowledged.length;
    await stack.pg.stop('fast');
    const down = Date.now();
    await sleep(500);
    const ready = await fetch(`${api.url}/health/ready`);
    expect(ready.status).toBe(503);
    await sleep(2500);
    await stack.pg.start();
    const up = Date.now();
    restarted = true;
    let reconnectedAfterMs = -1;
    await waitFor(
      'a write to succeed again',
      async () => {
        const n = acknowledged.length;
        await sleep(100);
        if (acknowledged.length > n) reconnectedAfterMs = Date.now() - up;
        return acknowledged.length > n;
      },
      20_000,
    ).catch((err: Error) => {
      const lines = api.proc
        .output()
        .split('\n')
        .filter((l) => /"level":(40|50)/.test(l));
      throw new Error(
        `${err.message}; the writers got ${JSON.stringify(Object.fromEntries(afterRestart))}; ` +
          `api's last warnings/errors:\n${lines.slice(-8).join('\n')}`,
      );
    });
    await sleep(1000);
    stop = true;
    await load;

    // an unexpected answer: show the api's own error lines (they name the cause)
    if (odd.length) {
      const errors = api.proc
        .output()
        .split('\n')
        .filter((l) => /"level":50/.test(l) && !/dependency unavailable/.test(l));
      process.stdout.write(`api errors:\n${errors.slice(-5).join('\n')}\n`);
    }
    // a 500 (INTERNAL_SERVER_ERROR) during the outage is an unmapped connection error: fail
    expect(internal).toEqual([]);
    expect(odd).toEqual([]);
    expect(outcomes.get('503:SERVICE_UNAVAILABLE') ?? 0).toBeGreaterThan(0);
    expect(beforeOutage).toBeGreaterThan(0);
    const { rows } = await stack.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ticket_messages WHERE id = ANY($1::bigint[])`,
      [acknowledged],
    );
    expect(rows[0].n).toBe(acknowledged.length);
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
    expect(api.proc.child.exitCode).toBeNull();
    process.stdout.write(
      `[fault 3] ${acknowledged.length} acknowledged notes, all in the database; outage ${up - down} ms; ` +
        `first write ${reconnectedAfterMs} ms after PostgreSQL was back; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}\n`,
    );
  });
});
