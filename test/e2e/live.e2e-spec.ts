import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { redisOptionsFromUrl } from '@staydesk/core';
import { FollowUpsProcessor } from '@staydesk/followups';
import { liveChannel } from '@staydesk/live';
import { TicketsService, ticketFromJson } from '@staydesk/tickets';
import { insertUser, login, ok } from '../support/factories';
import { LiveResult, LiveSocket, liveSocket, untilLive } from '../support/live-client';
import { API_MAIN, RunningChild, listeningUrl, startProcess } from '../support/processes';
import { TestStack, startStack } from '../support/stack';

jest.setTimeout(90_000);

const ACTIVITY = `subscription($id: ID!) { ticketActivity(id: $id) {
  id changes { type from to } ticket { id version subject tags status } message { id kind body }
} }`;
const QUEUE = `subscription($f: QueueViewFilter) { queueChanged(filter: $f) {
  id change changes { type to } ticket { id subject teamId assignee { id } }
} }`;
const VIEWERS = `subscription($id: ID!) { ticketViewers(id: $id) { ticketId viewers { user { id name } composing } } }`;
const FOLLOW_UPS = `subscription { followUpDue { id followUp { id kind note } } }`;

const msgKind = (r: LiveResult) => r.data?.ticketActivity?.message?.kind as string | undefined;

/**
 * Live updates end to end: two api processes (this one, in-process, and a second one as a real
 * child process) on the same PostgreSQL and Redis, the worker's outbox relay publishing after
 * commit, and graphql-ws clients on both.
 */
describe('live updates over graphql-ws', () => {
  let stack: TestStack;
  let second: RunningChild;
  let api2: string;
  const sockets: LiveSocket[] = [];
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const open = (url: string, who: string, options: { lazy?: boolean } = {}) => {
    const s = liveSocket(url, { token: tokens[who] }, options);
    sockets.push(s);
    return s;
  };
  const as = (who: string, query: string, variables?: Record<string, unknown>) =>
    ok(stack, tokens[who], query, variables);
  let n = 0;
  const touch = (ticketId: string) =>
    as(
      'admin',
      `mutation($id: ID!, $s: String!) { updateTicket(id: $id, input: { subject: $s }) { id } }`,
      {
        id: ticketId,
        s: `Printer on fire ${++n}`,
      },
    );

  beforeAll(async () => {
    stack = await startStack({
      env: {
        OUTBOX_POLL_MS: '200',
        LIVE_REAUTH_MS: '300',
        LIVE_IDLE_TIMEOUT_MS: '1500',
        LIVE_MAX_CONNECTIONS_PER_USER: '4',
        LIVE_MAX_SUBSCRIPTIONS: '3',
        LIVE_PRESENCE_SWEEP_MS: '300',
        MAIL_DIR: mkdtempSync(join(tmpdir(), 'staydesk-live-mail-')),
      },
    });
    second = await startProcess(API_MAIN, { ...stack.env, PORT: '0', LOG_LEVEL: 'warn' });
    api2 = listeningUrl(second);

    const { rows: teams } = await stack.db.query<{ id: string }>(
      `INSERT INTO teams (name, is_private) VALUES ('Security', true), ('Billing', false) RETURNING id::text`,
    );
    [ids.privateTeam, ids.otherTeam] = teams.map((t) => t.id);
    ids.admin = await insertUser(stack, { email: 'admin@live.example', role: 'admin' });
    ids.member = await insertUser(stack, {
      email: 'member@live.example',
      role: 'agent',
      teamId: ids.privateTeam,
    });
    ids.outsider = await insertUser(stack, {
      email: 'outsider@live.example',
      role: 'agent',
      teamId: ids.otherTeam,
    });
    ids.leaver = await insertUser(stack, { email: 'leaver@live.example', role: 'agent' });
    for (const who of ['admin', 'member', 'outsider', 'leaver'])
      tokens[who] = await login(stack, `${who}@live.example`);
    const customer = await as(
      'admin',
      `mutation { createCustomer(input: { name: "Acme", contacts: [{ name: "Ann", email: "ann@acme.example" }] }) { id contacts { id } } }`,
    );
    ids.customer = customer.createCustomer.id;
    ids.contact = customer.createCustomer.contacts[0].id;
    const t = await as(
      'admin',
      `mutation($c: ID!, $team: ID!) { createTicket(input: { requesterId: $c, subject: "Printer on fire", channel: email, teamId: $team }) { id } }`,
      { c: ids.contact, team: ids.otherTeam },
    );
    ids.ticket = t.createTicket.id;
    const secret = await as(
      'member',
      `mutation($c: ID!, $team: ID!) { createTicket(input: { requesterId: $c, subject: "Audit findings", channel: email, teamId: $team }) { id } }`,
      { c: ids.contact, team: ids.privateTeam },
    );
    ids.secret = secret.createTicket.id;
  });

  // each test starts without the previous tests' connections (they count against the cap)
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.dispose().catch(() => undefined)));
  });

  afterAll(async () => {
    await second?.stop();
    await stack?.close();
  });

  it('delivers a change made through one api process to a subscriber on the other', async () => {
    const onSecond = open(api2, 'outsider');
    const activity = onSecond.subscribe(ACTIVITY, { id: ids.ticket });
    const queue = onSecond.subscribe(QUEUE, { f: { status: ['new', 'open'] } });
    await untilLive([activity, queue], () => touch(ids.ticket));
    // the second process counts the two subscriptions it holds (/metrics, outside production)
    const metrics = await (await fetch(`${api2}/metrics`)).text();
    expect(metrics).toMatch(/^staydesk_graphql_subscriptions_open 2$/m);

    // a reply through the first process reaches the second one's subscriber
    const from = activity.results.length;
    await ok(
      stack,
      tokens.admin,
      `mutation($id: ID!) { replyToTicket(id: $id, body: "On our way") { ticket { id } } }`,
      {
        id: ids.ticket,
      },
    );
    const reply = await activity.next((r) => msgKind(r) === 'public_reply', 'the reply', from);
    expect(reply.errors).toBeUndefined();
    expect(reply.data!.ticketActivity.message.body).toBe('On our way');
    expect(reply.data!.ticketActivity.ticket.status).toBe('open');
    expect(reply.data!.ticketActivity.changes).toEqual(
      expect.arrayContaining([{ type: 'message', from: null, to: 'public_reply' }]),
    );

    // a new ticket enters the queue view; solving it makes it leave
    const created = await as(
      'admin',
      `mutation($c: ID!) { createTicket(input: { requesterId: $c, subject: "Invoice twice", channel: web }) { id } }`,
      { c: ids.contact },
    );
    const newId = created.createTicket.id as string;
    const entered = await queue.next(
      (r) => r.data?.queueChanged?.ticket?.id === newId && r.data.queueChanged.change === 'entered',
      'the new ticket entering the queue',
    );
    expect(entered.data!.queueChanged.ticket.subject).toBe('Invoice twice');
    await as('admin', `mutation($id: ID!) { changeTicketStatus(id: $id, status: solved) { id } }`, {
      id: newId,
    });
    const left = await queue.next(
      (r) => r.data?.queueChanged?.ticket?.id === newId && r.data.queueChanged.change === 'left',
      'the solved ticket leaving the queue',
    );
    expect(left.data!.queueChanged.changes).toEqual(
      expect.arrayContaining([{ type: 'status_changed', to: 'solved' }]),
    );
  });

  it('publishes each ticket event with its ticket and team, and reads the ticket for an event without them', async () => {
    const channel = liveChannel(stack.config.redis.prefix);
    const listener = new Redis(redisOptionsFromUrl(stack.config.redis.url));
    const publisher = new Redis(redisOptionsFromUrl(stack.config.redis.url));
    try {
      const published: Record<string, any>[] = [];
      listener.on('message', (_c: string, m: string) => published.push(JSON.parse(m)));
      await listener.subscribe(channel);
      const queue = open(stack.url, 'admin').subscribe(QUEUE, {});
      await untilLive([queue], () => touch(ids.ticket));

      // what the worker's relay publishes: the ticket as committed, and its team's visibility
      // (the relay asks at most once a second whether an api has ticket subscribers, so the
      // update is repeated until an event carrying it comes)
      const rename = () => {
        const s = `Audit findings ${++n}`;
        return as(
          'admin',
          `mutation($id: ID!, $s: String!) { updateTicket(id: $id, input: { subject: $s }) { id } }`,
          { id: ids.secret, s },
        ).then(() => s);
      };
      const carried = async (want: (e: Record<string, any>, subject: string) => boolean) => {
        const deadline = Date.now() + 10_000;
        for (;;) {
          const start = published.length;
          const subject = await rename();
          const until = Date.now() + 1500;
          while (Date.now() < until) {
            const e = published
              .slice(start)
              .find((x) => x.ticketId === ids.secret && want(x, subject));
            if (e) return { event: e, subject };
            await new Promise((r) => setTimeout(r, 50));
          }
          if (Date.now() > deadline) throw new Error('no such event was published');
        }
      };
      const { event, subject } = await carried((e, subj) => e.ticket?.subject === subj);
      expect(event).toMatchObject({ kind: 'ticket', ticketId: ids.secret, type: 'updated' });
      expect(event.team).toEqual({ id: ids.privateTeam, isPrivate: true, leadId: null });
      // the ticket survives JSON unchanged (every Date field is made a Date again)
      const [row] = await stack.api.get(TicketsService).byIds([ids.secret]);
      expect(ticketFromJson(event.ticket)).toEqual(row);

      // an event without them (an older worker's): the api reads the ticket as it is now
      const from = queue.results.length;
      await publisher.publish(
        channel,
        JSON.stringify({
          kind: 'ticket',
          id: 'from-an-older-worker',
          ticketId: ids.secret,
          type: 'updated',
          changes: [],
          publishedAt: Date.now(),
        }),
      );
      const read = await queue.next(
        (r) => r.data?.queueChanged?.id === 'from-an-older-worker',
        'the event without its ticket',
        from,
      );
      expect(read.data!.queueChanged.ticket).toMatchObject({
        id: ids.secret,
        subject,
        teamId: ids.privateTeam,
      });

      // with no ticket subscriber left anywhere, the worker stops reading tickets for events
      await Promise.all(sockets.splice(0).map((x) => x.dispose()));
      const bare = await carried((e) => e.ticket === undefined && e.type === 'updated');
      expect(bare.event.team).toBeUndefined();
    } finally {
      listener.disconnect();
      publisher.disconnect();
    }
  });

  it("keeps a private team's tickets from agents of other teams", async () => {
    const member = open(stack.url, 'member');
    const outsider = open(api2, 'outsider');
    const memberActivity = member.subscribe(ACTIVITY, { id: ids.secret });
    const outsiderQueue = outsider.subscribe(QUEUE, {});
    await untilLive([memberActivity], () =>
      as(
        'member',
        `mutation($id: ID!, $s: String!) { updateTicket(id: $id, input: { subject: $s }) { id } }`,
        {
          id: ids.secret,
          s: `Audit findings ${++n}`,
        },
      ),
    );
    await untilLive([outsiderQueue], () => touch(ids.ticket));
    const q0 = outsiderQueue.results.length;
    // the private ticket by id: NOT_FOUND, as for a ticket that does not exist
    for (const query of [ACTIVITY, VIEWERS]) {
      const refused = outsider.subscribe(query, { id: ids.secret });
      await refused.ended;
      expect(refused.results[0].errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }

    await as(
      'member',
      `mutation($id: ID!) { addInternalNote(id: $id, body: "Customer is under audit") { message { id } } }`,
      { id: ids.secret },
    );
    await as(
      'member',
      `mutation($id: ID!) { replyToTicket(id: $id, body: "Looking into it") { message { id } } }`,
      { id: ids.secret },
    );
    // the member sees the note, then the reply
    const note = await memberActivity.next((r) => msgKind(r) === 'internal_note', 'the note');
    expect(note.data!.ticketActivity.message.body).toBe('Customer is under audit');
    await memberActivity.next((r) => msgKind(r) === 'public_reply', 'the reply');
    // the outsider's queue hears of a public ticket changed afterwards, and of nothing before it
    await touch(ids.ticket);
    await outsiderQueue.next(
      (r) => r.data?.queueChanged?.ticket?.id === ids.ticket,
      'the public ticket',
      q0,
    );
    const seen = JSON.stringify(outsiderQueue.results.slice(q0));
    expect(seen).not.toContain(`"id":"${ids.secret}"`);
    expect(seen).not.toContain('Audit findings');
  });

  it('delivers a burst of new tickets, each to those who may read it', async () => {
    // tickets committed together reach the relay (and each api process) as one batch, whose
    // tickets and teams the hub reads at once: each event must still carry its own ticket and
    // be checked against its own team
    const member = open(stack.url, 'member');
    const outsider = open(api2, 'outsider');
    const memberQueue = member.subscribe(QUEUE, {});
    const outsiderQueue = outsider.subscribe(QUEUE, {});
    await untilLive([memberQueue, outsiderQueue], () => touch(ids.ticket));
    const m0 = memberQueue.results.length;
    const o0 = outsiderQueue.results.length;
    const create = (who: string, subject: string, team: string) =>
      as(
        who,
        `mutation($c: ID!, $s: String!, $team: ID!) { createTicket(input: { requesterId: $c, subject: $s, channel: web, teamId: $team }) { id } }`,
        { c: ids.contact, s: subject, team },
      ).then((r) => r.createTicket.id as string);
    const burst = await Promise.all([
      create('admin', 'Burst public 1', ids.otherTeam),
      create('member', 'Burst private', ids.privateTeam),
      create('admin', 'Burst public 2', ids.otherTeam),
      create('member', 'Burst private 2', ids.privateTeam),
      create('admin', 'Burst public 3', ids.otherTeam),
    ]);
    const [pub1, priv1, pub2, priv2, pub3] = burst;
    const entered = (id: string) => (r: LiveResult) =>
      r.data?.queueChanged?.ticket?.id === id && r.data.queueChanged.change === 'entered';
    for (const id of burst) await memberQueue.next(entered(id), `ticket ${id} (member)`, m0);
    for (const id of [pub1, pub2, pub3])
      await outsiderQueue.next(entered(id), `ticket ${id} (outsider)`, o0);
    // each event once, with its own ticket (not another of the batch)
    const memberSeen = memberQueue.results
      .slice(m0)
      .map((r) => r.data!.queueChanged as { ticket: { id: string; subject: string } })
      .filter((q) => burst.includes(q.ticket.id));
    expect(memberSeen.map((q) => q.ticket.id).sort()).toEqual([...burst].sort());
    const subjects = [
      'Burst public 1',
      'Burst private',
      'Burst public 2',
      'Burst private 2',
      'Burst public 3',
    ];
    for (const q of memberSeen) expect(q.ticket.subject).toBe(subjects[burst.indexOf(q.ticket.id)]);
    // a public ticket changed after the burst arrives (after any event of the burst); the
    // private ones never did
    const o1 = outsiderQueue.results.length;
    await touch(ids.ticket);
    await outsiderQueue.next(
      (r) => r.data?.queueChanged?.ticket?.id === ids.ticket,
      'the public ticket',
      o1,
    );
    const seen = JSON.stringify(outsiderQueue.results.slice(o0));
    for (const id of [priv1, priv2]) expect(seen).not.toContain(`"id":"${id}"`);
    expect(seen).not.toContain('Burst private');
  });

  it('executes a shared event separately for callers who see different things', async () => {
    // both on the same process, where one execution per event can serve many subscribers; the
    // customer's timeline holds the private team's ticket for its member only
    const query = `subscription { queueChanged { ticket { id priority customer { timeline(first: 20) { edges { node { ticketId } } } } } } }`;
    const member = open(stack.url, 'member').subscribe(query);
    const outsider = open(stack.url, 'outsider').subscribe(query);
    await untilLive([member, outsider], () => touch(ids.ticket));
    await as(
      'admin',
      `mutation($id: ID!) { updateTicket(id: $id, input: { priority: urgent }) { id } }`,
      { id: ids.ticket },
    );
    const urgent = (r: LiveResult) => r.data?.queueChanged?.ticket?.priority === 'urgent';
    const timelineOf = (r: LiveResult) =>
      r.data!.queueChanged.ticket.customer.timeline.edges.map((e: any) => e.node.ticketId);
    const forMember = await member.next(urgent, 'the priority change (member)');
    const forOutsider = await outsider.next(urgent, 'the priority change (outsider)');
    expect(timelineOf(forMember)).toContain(ids.secret);
    expect(timelineOf(forOutsider)).not.toContain(ids.secret);
    expect(timelineOf(forOutsider)).toContain(ids.ticket);
  });

  it('shows who is viewing and composing, and drops a viewer who leaves', async () => {
    const watcher = open(api2, 'outsider');
    const viewers = watcher.subscribe(VIEWERS, { id: ids.ticket });
    await viewers.next((r) => !!r.data?.ticketViewers, 'the current viewers');
    const report = (composing: boolean, leaving = false) =>
      as(
        'member',
        `mutation($id: ID!, $c: Boolean!, $l: Boolean!) { reportPresence(ticketId: $id, composing: $c, leaving: $l) }`,
        {
          id: ids.ticket,
          c: composing,
          l: leaving,
        },
      );
    await report(true);
    const composing = await viewers.next(
      (r) =>
        r.data?.ticketViewers?.viewers?.some((v: any) => v.user.id === ids.member && v.composing),
      'the member composing',
    );
    expect(composing.data!.ticketViewers.ticketId).toBe(ids.ticket);
    const from = viewers.results.length;
    await report(false, true);
    await viewers.next(
      (r) =>
        !!r.data?.ticketViewers &&
        !r.data.ticketViewers.viewers.some((v: any) => v.user.id === ids.member),
      'the member gone',
      from,
    );
  });

  it('tells the owner, and only the owner, when a follow-up falls due', async () => {
    const owner = open(api2, 'member');
    const other = open(stack.url, 'outsider');
    const mine = owner.subscribe(FOLLOW_UPS);
    const theirs = other.subscribe(FOLLOW_UPS);
    const processor = stack.worker!.get(FollowUpsProcessor, { strict: false });
    const due = async (note: string) => {
      const { rows } = await stack.db.query<{ id: string }>(
        `INSERT INTO follow_ups (customer_id, owner_id, kind, due_at, note) VALUES ($1, $2, 'check_in', now() - interval '1 minute', $3) RETURNING id::text`,
        [ids.customer, ids.member, note],
      );
      await processor.remind(rows[0].id);
      return rows[0].id;
    };
    await untilLive([mine], () => due('warm-up'));
    const id = await due('Call Ann back');
    const event = await mine.next(
      (r) => r.data?.followUpDue?.followUp?.id === id,
      'the due follow-up',
    );
    expect(event.data!.followUpDue.followUp).toEqual({
      id,
      kind: 'check_in',
      note: 'Call Ann back',
    });
    expect(theirs.results).toEqual([]);
  });

  it("ends a deactivated user's subscriptions", async () => {
    const leaver = open(api2, 'leaver');
    const activity = leaver.subscribe(ACTIVITY, { id: ids.ticket });
    await untilLive([activity], () => touch(ids.ticket));
    await as(
      'admin',
      `mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { id } }`,
      { id: ids.leaver },
    );
    const ended = await activity.ended;
    expect(ended).not.toBeNull();
    const closed = await leaver.closed;
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/deactivated/);
  });

  it('makes a user who left a private team subscribe again, then keeps its tickets from them', async () => {
    // what a subscription executes is its caller's as it subscribed (one execution per role and
    // teams): a change of teams must not leave the old view running on an open connection
    ids.mover = await insertUser(stack, {
      email: 'mover@live.example',
      role: 'agent',
      teamId: ids.privateTeam,
    });
    tokens.mover = await login(stack, 'mover@live.example');
    const query = `subscription { queueChanged { ticket { id customer { timeline(first: 20) { edges { node { ticketId } } } } } } }`;
    const timelineOf = (r: LiveResult) =>
      r.data!.queueChanged.ticket.customer.timeline.edges.map((e: any) => e.node.ticketId);
    const first = open(api2, 'mover');
    const before = first.subscribe(query);
    await untilLive([before], () => touch(ids.ticket));
    expect(timelineOf(before.results[before.results.length - 1])).toContain(ids.secret);

    await stack.db.query(`UPDATE users SET team_id = NULL WHERE id = $1`, [ids.mover]);
    await stack.db.query(`DELETE FROM user_teams WHERE user_id = $1`, [ids.mover]);
    const closed = await first.closed;
    expect(closed.code).toBe(4010);
    expect(closed.reason).toMatch(/teams changed/);

    const again = open(api2, 'mover').subscribe(query);
    await untilLive([again], () => touch(ids.ticket));
    const results = again.results.filter((r) => r.data?.queueChanged?.ticket?.id === ids.ticket);
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      expect(timelineOf(r)).toContain(ids.ticket);
      expect(timelineOf(r)).not.toContain(ids.secret);
    }
  });

  it('signs connections in and enforces the connection, subscription and idle limits', async () => {
    // no token: closed at connection_init with a sentence saying how to sign in
    const anonymous = liveSocket(stack.url, {}, { lazy: false });
    sockets.push(anonymous);
    const refused = await anonymous.closed;
    expect(refused.code).toBe(4401);
    expect(refused.reason).toMatch(/sign in first/);

    // the session cookie works like the bearer token
    const byCookie = liveSocket(api2, { cookie: `sd_session=${tokens.admin}` });
    sockets.push(byCookie);
    const viewers = byCookie.subscribe(VIEWERS, { id: ids.ticket });
    await viewers.next(
      (r) => !!r.data?.ticketViewers,
      'viewers over a cookie-authenticated socket',
    );

    // subscriptions per connection (3 here)
    const busy = open(stack.url, 'admin');
    const subs = [1, 2, 3, 4].map(() => busy.subscribe(VIEWERS, { id: ids.ticket }));
    const fourth = await subs[3].ended;
    expect(JSON.stringify(fourth)).toContain('RATE_LIMITED');
    for (const s of subs.slice(0, 3)) await s.next((r) => !!r.data?.ticketViewers, 'viewers');

    // connections per user, over both processes (4 here: byCookie and busy are two of them)
    const more = [open(stack.url, 'admin', { lazy: false }), open(api2, 'admin', { lazy: false })];
    // both are signed in and counted before the fifth one knocks
    const moreSubs = more.map((s) => s.subscribe(VIEWERS, { id: ids.ticket }));
    for (const s of moreSubs) await s.next((r) => !!r.data?.ticketViewers, 'viewers');
    const extra = open(api2, 'admin', { lazy: false });
    const tooMany = await extra.closed;
    expect(tooMany.code).toBe(4029);
    expect(tooMany.reason).toMatch(/at most 4 per user/);

    // a connection without subscriptions is closed when idle
    const idle = open(stack.url, 'member', { lazy: false });
    const idleClosed = await idle.closed;
    expect(idleClosed.code).toBe(4001);
  });

  it('tells its sockets to reconnect when an api process shuts down, and exits cleanly', async () => {
    const socket = open(api2, 'outsider', { lazy: false });
    const s = socket.subscribe(ACTIVITY, { id: ids.ticket });
    await untilLive([s], () => touch(ids.ticket));
    // without closing the WebSockets first, the HTTP server's close would wait for them until
    // SHUTDOWN_TIMEOUT_MS and the process would be killed (exit code 1)
    const exit = await second.stop('SIGTERM');
    expect(exit.code).toBe(0);
    const closed = await socket.closed;
    expect(closed.code).toBe(1012);
    expect(closed.reason).toMatch(/reconnect/);
  });

  it('refuses a subscription to a ticket that does not exist, with NOT_FOUND', async () => {
    const s = open(stack.url, 'outsider').subscribe(ACTIVITY, { id: '999999999' });
    await s.ended;
    expect(s.results).toHaveLength(1);
    expect(s.results[0].errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(s.results[0].errors?.[0]?.message).toMatch(/ticket 999999999 was not found/);
  });
});
