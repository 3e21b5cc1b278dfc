import { liveSocket, LiveSocket, LiveSubscription, untilLive } from '../support/live-client';
import {
  FaultStack,
  gqlAt,
  loginAt,
  seedTickets,
  sleep,
  startFaultStack,
  waitFor,
} from './fault-stack';

const ACTIVITY = `subscription($id: ID!) { ticketActivity(id: $id) { id ticket { id subject } } }`;

/**
 * Live updates and a Redis outage: the subscriptions of an open console end with a clear
 * SERVICE_UNAVAILABLE error when Redis (the bus between the worker's outbox relay and the api
 * processes) stops, new ones are refused meanwhile, and once Redis is back a new subscription
 * receives events again.
 */
describe('fault: Redis stopped under live subscriptions', () => {
  let stack: FaultStack;
  const sockets: LiveSocket[] = [];

  beforeAll(async () => {
    stack = await startFaultStack({ LIVE_REAUTH_MS: '60000' });
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.dispose().catch(() => undefined)));
    await stack?.close();
  });

  it('ends subscriptions with SERVICE_UNAVAILABLE, then delivers again after Redis returns', async () => {
    const api = await stack.startApi();
    await stack.startWorker();
    await stack.user('agent@fault.example', 'agent');
    const token = await loginAt(api.url, 'agent@fault.example');
    const [ticketId] = await seedTickets(stack.db, 1, 'open');
    let n = 0;
    const touch = async () => {
      const res = await gqlAt(
        api.url,
        'mutation($id: ID!, $s: String!) { updateTicket(id: $id, input: { subject: $s }) { id } }',
        { id: ticketId, s: `Case ${++n}` },
        token,
      );
      if (!res.data?.updateTicket) throw new Error(`updateTicket failed: ${JSON.stringify(res)}`);
    };
    const subscribe = () => {
      const socket = liveSocket(api.url, { token });
      sockets.push(socket);
      return socket.subscribe(ACTIVITY, { id: ticketId });
    };

    const before = subscribe();
    await untilLive([before], touch);

    await stack.redis.stop();
    await before.ended;
    const last = before.results[before.results.length - 1];
    expect(last.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(last.errors?.[0]?.message).toMatch(/Redis.*unreachable/);

    // writes still work (PostgreSQL only); presence and live subscriptions are refused until
    // Redis is back, with a code that says so
    await touch();
    const presence = await gqlAt(
      api.url,
      'mutation($id: ID!) { reportPresence(ticketId: $id) }',
      { id: ticketId },
      token,
    );
    expect(presence.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    const during = liveSocket(api.url, { token });
    sockets.push(during);
    during.subscribe(ACTIVITY, { id: ticketId });
    const refused = await during.closed;
    expect(refused.code).toBe(4503);
    expect(refused.reason).toMatch(/Redis is unreachable/);

    await stack.redis.start();
    // clients resubscribe (and refetch); once the api's subscriber is back, events flow again
    let after: LiveSubscription | undefined;
    await waitFor(
      'a subscription accepted after Redis returned',
      async () => {
        const s = subscribe();
        const outcome = await Promise.race([
          s.ended.then(() => 'ended'),
          sleep(1000).then(() => 'open'),
        ]);
        if (outcome === 'open') after = s;
        return outcome === 'open';
      },
      30_000,
    );
    await untilLive([after!], touch);
    const from = after!.results.length;
    await touch();
    const event = await after!.next(
      (r) => r.data?.ticketActivity?.ticket?.subject === `Case ${n}`,
      'the latest change',
      from,
    );
    expect(event.errors).toBeUndefined();
    expect(api.proc.child.exitCode).toBeNull();
  });
});
