import { KpisService, rebuildKpis } from '@staydesk/kpis';
import { fails, insertUser, login, ok } from '../support/factories';
import { TestStack, startStack } from '../support/stack';

/*
 * A week small enough to compute by hand: Monday 2026-03-02 to Monday 2026-03-09 (UTC).
 * Team "Support" has no calendar; team "Billing" is open Mon–Fri 09:00–17:00 UTC.
 *
 * t1 Support, email:  created Mon 10:00, first reply 11:00, pending 12:00–14:00, solved Mon 16:00.
 *                     FRT 1 h, resolution 6 h, wait (new/open/on_hold) 1 + 1 + 2 = 4 h, 1 reply.
 *                     FR due Mon 10:30 (missed), resolution due Tue 10:00 (met).
 * t2 Support, chat:   created Mon 12:00, reply 12:30, solved Tue 12:00, reopened Tue 13:00,
 *                     solved Wed 12:00. FRT 0.5 h, resolution 48 h, wait 0.5 + 23.5 + 23 = 47 h,
 *                     2 replies, reopened. FR due Mon 13:00 (met), resolution due Tue 12:00 (missed).
 * t3 Support, email:  created Tue 09:00, reply 13:00, still open. FRT 4 h. FR due Tue 10:00
 *                     (missed), resolution due Wed 09:00 (missed: passed unsolved).
 * t4 Billing, email:  created Fri 16:00, reply 16:30, solved Sat 10:00. Business hours: FRT 0.5 h,
 *                     resolution 1 h (Fri 16–17; the weekend is closed), wait 0.5 + 0.5 = 1 h.
 *                     1 reply. FR due Fri 17:00 (met), resolution due next Mon (outside the week).
 * t5 Support, phone:  created Fri 2026-02-27, never answered. Resolution due Mon 03-02 10:00 (missed).
 * CSAT: t1 sent Mon 17:00 answered 5; t2 sent Wed 13:00 answered Thu 2; t4 sent Sat 11:00, no answer.
 */
const WEEK = { from: '2026-03-02T00:00:00.000Z', to: '2026-03-09T00:00:00.000Z' };
const ROW = `periodStart periodEnd teamId agentId channel ticketsCreated ticketsSolved
  firstResponseTime { count meanHours medianHours p90Hours hoursBasis }
  resolutionTime { count meanHours medianHours p90Hours hoursBasis }
  requesterWaitTime { count meanHours medianHours p90Hours hoursBasis }
  slaFirstResponse { due met compliancePercent } slaResolution { due met compliancePercent }
  reopenedTickets reopenRatePercent oneTouchTickets oneTouchPercent backlogAtEnd
  csatRatings csatPercent surveysSent surveysResponded csatResponseRatePercent hoursBasis source`;
const KPIS = `query($f: KpiFilter!, $g: [String!]) { supportKpis(filter: $f, groupBy: $g) { from to groupBy rows { ${ROW} } } }`;

const at = (s: string) => new Date(s);

describe('support KPIs', () => {
  let stack: TestStack;
  let admin: string;
  let lead: string;
  let agentToken: string;
  const ids: Record<string, string> = {};

  async function ticket(t: {
    team: string;
    agent: string;
    channel: string;
    created: string;
    reply?: string;
    replies?: string[];
    status: string;
    solved?: string;
    reopens?: number;
    frDue?: string;
    resDue?: string;
    events: [string, string][];
  }): Promise<string> {
    const { rows } = await stack.db.query<{ id: string }>(
      `INSERT INTO tickets (customer_id, requester_id, subject, channel, priority, status, assignee_id, team_id,
         created_at, updated_at, first_response_at, solved_at, reopen_count, solve_count, first_response_due_at, resolution_due_at)
       VALUES ($1, $2, 'fixture', $3, 'normal', $4, $5, $6, $7, $7, $8, $9, $10, 1, $11, $12) RETURNING id::text`,
      [
        ids.customer,
        ids.contact,
        t.channel,
        t.status,
        t.agent,
        t.team,
        at(t.created),
        t.reply ? at(t.reply) : null,
        t.solved ? at(t.solved) : null,
        t.reopens ?? 0,
        t.frDue ? at(t.frDue) : null,
        t.resDue ? at(t.resDue) : null,
      ],
    );
    const id = rows[0].id;
    await stack.db.query(
      `INSERT INTO ticket_events (ticket_id, type, from_value, to_value, created_at)
       SELECT $1, CASE WHEN ord = 1 THEN 'created' ELSE 'status_changed' END, NULL, s, a
         FROM unnest($2::text[], $3::timestamptz[]) WITH ORDINALITY AS e(s, a, ord)`,
      [id, t.events.map((e) => e[0]), t.events.map((e) => at(e[1]))],
    );
    for (const r of t.replies ?? (t.reply ? [t.reply] : [])) {
      await stack.db.query(
        `INSERT INTO ticket_messages (ticket_id, kind, author_user_id, body, created_at) VALUES ($1, 'public_reply', $2, 'hi', $3)`,
        [id, t.agent, at(r)],
      );
    }
    return id;
  }

  async function csat(
    ticketId: string,
    sent: string,
    responded: string | null,
    score: number | null,
  ) {
    await stack.db.query(
      `INSERT INTO surveys (kind, ticket_id, solve_cycle, contact_id, customer_id, token_salt, token_hash, created_at, sent_at, expires_at, responded_at, score)
       VALUES ('csat', $1, 1, $2, $3, 's', md5(random()::text), $4, $4, $4::timestamptz + interval '14 days', $5, $6)`,
      [ticketId, ids.contact, ids.customer, at(sent), responded ? at(responded) : null, score],
    );
  }

  beforeAll(async () => {
    stack = await startStack({ env: { KPI_MAX_RANGE_DAYS: '120', OUTBOX_POLL_MS: '200' } });
    await insertUser(stack, { email: 'admin@k.local', role: 'admin' });
    admin = await login(stack, 'admin@k.local');
    const teams = await stack.db.query<{ id: string }>(
      `INSERT INTO teams (name, timezone, business_hours) VALUES
         ('Support', NULL, NULL),
         ('Billing', 'UTC', '{"mon":[["09:00","17:00"]],"tue":[["09:00","17:00"]],"wed":[["09:00","17:00"]],"thu":[["09:00","17:00"]],"fri":[["09:00","17:00"]]}')
       RETURNING id::text`,
    );
    [ids.support, ids.billing] = teams.rows.map((r) => r.id);
    ids.lead = await insertUser(stack, {
      email: 'lead@k.local',
      role: 'team_lead',
      teamId: ids.support,
    });
    await stack.db.query(`UPDATE teams SET lead_id = $1 WHERE id = $2`, [ids.lead, ids.support]);
    lead = await login(stack, 'lead@k.local');
    ids.a1 = await insertUser(stack, { email: 'a1@k.local', role: 'agent', teamId: ids.support });
    ids.a2 = await insertUser(stack, { email: 'a2@k.local', role: 'agent', teamId: ids.billing });
    agentToken = await login(stack, 'a1@k.local');
    const c = await ok(
      stack,
      admin,
      `mutation { createCustomer(input: { name: "Acme", tier: pro, customerSince: "2025-01-01T00:00:00Z", contacts: [{ name: "Ann", email: "ann@acme.example" }] }) { id contacts { id } } }`,
    );
    ids.customer = c.createCustomer.id;
    ids.contact = c.createCustomer.contacts[0].id;

    ids.t1 = await ticket({
      team: ids.support,
      agent: ids.a1,
      channel: 'email',
      status: 'solved',
      created: '2026-03-02T10:00:00Z',
      reply: '2026-03-02T11:00:00Z',
      solved: '2026-03-02T16:00:00Z',
      frDue: '2026-03-02T10:30:00Z',
      resDue: '2026-03-03T10:00:00Z',
      events: [
        ['new', '2026-03-02T10:00:00Z'],
        ['open', '2026-03-02T11:00:00Z'],
        ['pending', '2026-03-02T12:00:00Z'],
        ['open', '2026-03-02T14:00:00Z'],
        ['solved', '2026-03-02T16:00:00Z'],
      ],
    });
    ids.t2 = await ticket({
      team: ids.support,
      agent: ids.a1,
      channel: 'chat',
      status: 'solved',
      reopens: 1,
      created: '2026-03-02T12:00:00Z',
      reply: '2026-03-02T12:30:00Z',
      solved: '2026-03-04T12:00:00Z',
      replies: ['2026-03-02T12:30:00Z', '2026-03-03T11:00:00Z'],
      frDue: '2026-03-02T13:00:00Z',
      resDue: '2026-03-03T12:00:00Z',
      events: [
        ['new', '2026-03-02T12:00:00Z'],
        ['open', '2026-03-02T12:30:00Z'],
        ['solved', '2026-03-03T12:00:00Z'],
        ['open', '2026-03-03T13:00:00Z'],
        ['solved', '2026-03-04T12:00:00Z'],
      ],
    });
    ids.t3 = await ticket({
      team: ids.support,
      agent: ids.a1,
      channel: 'email',
      status: 'open',
      created: '2026-03-03T09:00:00Z',
      reply: '2026-03-03T13:00:00Z',
      frDue: '2026-03-03T10:00:00Z',
      resDue: '2026-03-04T09:00:00Z',
      events: [
        ['new', '2026-03-03T09:00:00Z'],
        ['open', '2026-03-03T13:00:00Z'],
      ],
    });
    ids.t4 = await ticket({
      team: ids.billing,
      agent: ids.a2,
      channel: 'email',
      status: 'solved',
      created: '2026-03-06T16:00:00Z',
      reply: '2026-03-06T16:30:00Z',
      solved: '2026-03-07T10:00:00Z',
      frDue: '2026-03-06T17:00:00Z',
      resDue: '2026-03-09T12:00:00Z',
      events: [
        ['new', '2026-03-06T16:00:00Z'],
        ['open', '2026-03-06T16:30:00Z'],
        ['solved', '2026-03-07T10:00:00Z'],
      ],
    });
    ids.t5 = await ticket({
      team: ids.support,
      agent: ids.a1,
      channel: 'phone',
      status: 'new',
      created: '2026-02-27T10:00:00Z',
      frDue: '2026-02-27T11:00:00Z',
      resDue: '2026-03-02T10:00:00Z',
      events: [['new', '2026-02-27T10:00:00Z']],
    });
    await csat(ids.t1, '2026-03-02T17:00:00Z', '2026-03-02T18:00:00Z', 5);
    await csat(ids.t2, '2026-03-04T13:00:00Z', '2026-03-05T09:00:00Z', 2);
    await csat(ids.t4, '2026-03-07T11:00:00Z', null, null);
    // the bulk-load path: rebuild from scratch with the exported function on a plain pg pool
    const r = await rebuildKpis(stack.db);
    expect(r.facts).toBe(5);
    expect(r.calendars).toBe(1);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const kpis = (token: string, f: Record<string, unknown>, g: string[] = []) =>
    ok(stack, token, KPIS, { f, g }).then((d) => d.supportKpis);

  it('computes every figure of the week from the definitions (all teams)', async () => {
    const t = await kpis(admin, WEEK, ['week']);
    expect(t.rows).toHaveLength(1);
    const r = t.rows[0];
    expect(r.source).toBe('cells');
    expect(r.periodStart).toBe(WEEK.from);
    expect(r.ticketsCreated).toBe(4);
    // FRT over t1..t4: 1, 0.5, 4, 0.5 h → mean 1.5, median (0.5 + 1) / 2, p90 = 1 + 0.7 × 3
    expect(r.firstResponseTime).toEqual({
      count: 4,
      meanHours: 1.5,
      medianHours: 0.75,
      p90Hours: expect.closeTo(3.1, 9),
      hoursBasis: 'mixed',
    });
    expect(r.ticketsSolved).toBe(3);
    // resolution t1 6, t2 48, t4 1 (business) → mean 55/3, median 6, p90 = 6 + 0.8 × 42
    expect(r.resolutionTime.count).toBe(3);
    expect(r.resolutionTime.meanHours).toBeCloseTo(55 / 3, 9);
    expect(r.resolutionTime.medianHours).toBeCloseTo(6, 9);
    expect(r.resolutionTime.p90Hours).toBeCloseTo(39.6, 9);
    // wait t1 4, t2 47, t4 1 → mean 52/3, median 4, p90 = 4 + 0.8 × 43
    expect(r.requesterWaitTime.count).toBe(3);
    expect(r.requesterWaitTime.meanHours).toBeCloseTo(52 / 3, 9);
    expect(r.requesterWaitTime.medianHours).toBeCloseTo(4, 9);
    expect(r.requesterWaitTime.p90Hours).toBeCloseTo(38.4, 9);
    expect(r.slaFirstResponse).toEqual({ due: 4, met: 2, compliancePercent: 50 });
    expect(r.slaResolution).toEqual({ due: 4, met: 1, compliancePercent: 25 });
    expect(r.reopenedTickets).toBe(1);
    expect(r.reopenRatePercent).toBe(33.33);
    expect(r.oneTouchTickets).toBe(2);
    expect(r.oneTouchPercent).toBe(66.67);
    expect(r.backlogAtEnd).toBe(2);
    expect(r.csatRatings).toBe(2);
    expect(r.csatPercent).toBe(50);
    expect(r.surveysSent).toBe(3);
    expect(r.surveysResponded).toBe(2);
    expect(r.csatResponseRatePercent).toBe(66.67);
    expect(r.hoursBasis).toBe('mixed');
  });

  it('groups by team, with business hours where the team has a calendar', async () => {
    const t = await kpis(admin, WEEK, ['team', 'week']);
    const byTeam = Object.fromEntries(t.rows.map((r: any) => [r.teamId, r]));
    const s = byTeam[ids.support];
    expect(s.ticketsCreated).toBe(3);
    expect(s.firstResponseTime).toEqual({
      count: 3,
      meanHours: expect.closeTo(5.5 / 3, 9),
      medianHours: 1,
      p90Hours: expect.closeTo(3.4, 9),
      hoursBasis: 'calendar',
    });
    expect(s.resolutionTime).toEqual({
      count: 2,
      meanHours: 27,
      medianHours: 27,
      p90Hours: expect.closeTo(43.8, 9),
      hoursBasis: 'calendar',
    });
    expect(s.requesterWaitTime).toEqual({
      count: 2,
      meanHours: 25.5,
      medianHours: 25.5,
      p90Hours: expect.closeTo(42.7, 9),
      hoursBasis: 'calendar',
    });
    expect(s.slaFirstResponse).toEqual({ due: 3, met: 1, compliancePercent: 33.33 });
    expect(s.slaResolution).toEqual({ due: 4, met: 1, compliancePercent: 25 });
    expect([s.reopenRatePercent, s.oneTouchPercent, s.backlogAtEnd]).toEqual([50, 50, 2]);
    expect([s.csatPercent, s.csatResponseRatePercent]).toEqual([50, 100]);
    const b = byTeam[ids.billing];
    expect(b.ticketsCreated).toBe(1);
    expect(b.firstResponseTime).toEqual({
      count: 1,
      meanHours: 0.5,
      medianHours: 0.5,
      p90Hours: 0.5,
      hoursBasis: 'business',
    });
    // calendar time would be 18 h; the calendar counts Friday 16:00–17:00 only
    expect(b.resolutionTime).toEqual({
      count: 1,
      meanHours: 1,
      medianHours: 1,
      p90Hours: 1,
      hoursBasis: 'business',
    });
    expect(b.requesterWaitTime.meanHours).toBe(1);
    expect(b.slaFirstResponse).toEqual({ due: 1, met: 1, compliancePercent: 100 });
    expect(b.slaResolution).toEqual({ due: 0, met: 0, compliancePercent: null });
    expect([b.oneTouchPercent, b.backlogAtEnd, b.csatPercent, b.csatResponseRatePercent]).toEqual([
      100,
      0,
      null,
      0,
    ]);
  });

  it('answers the same from the facts as from the cells, and clips partial buckets', async () => {
    const cells = await kpis(admin, WEEK, ['week']);
    // a filter on a second dimension forces the facts path over the same tickets
    const facts = await kpis(
      admin,
      { ...WEEK, channels: ['email', 'chat', 'phone', 'web', 'social'] },
      ['week'],
    );
    expect(facts.rows[0].source).toBe('facts');
    expect({ ...facts.rows[0], source: 'cells' }).toEqual(cells.rows[0]);
    // from Monday noon: t2 (12:00, inclusive), t3, t4 were created; t1 no longer counts
    const part = await kpis(admin, { from: '2026-03-02T12:00:00Z', to: WEEK.to }, ['week']);
    expect(part.rows[0]).toMatchObject({
      periodStart: '2026-03-02T12:00:00.000Z',
      ticketsCreated: 3,
      source: 'facts',
    });
    // by day: Monday has t1 and t2, Tuesday t3; the backlog at Monday's end is t2 (open) and t5
    const days = await kpis(admin, { from: WEEK.from, to: '2026-03-04T00:00:00Z' }, ['day']);
    expect(
      days.rows.map((r: any) => [r.periodStart.slice(0, 10), r.ticketsCreated, r.backlogAtEnd]),
    ).toEqual([
      ['2026-03-02', 2, 2],
      ['2026-03-03', 1, 3],
    ]);
    // by agent and channel (facts path): a1/email = t1, t3
    const ac = await kpis(admin, WEEK, ['agent', 'channel']);
    const a1email = ac.rows.find((r: any) => r.agentId === ids.a1 && r.channel === 'email');
    expect(a1email.ticketsCreated).toBe(2);
  });

  it('answers partial buckets of whole past days from their day cells as the facts do', async () => {
    // Thursday 02-26 to Friday 03-06: two partial weeks (Thu–Sun, Mon–Thu) of whole days the
    // rebuild has passed; a filter on a second dimension (every tier) forces the facts path
    const range = { from: '2026-02-26T00:00:00.000Z', to: '2026-03-06T00:00:00.000Z' };
    const allTiers = { ...range, tiers: ['free', 'starter', 'pro', 'enterprise'] };
    const q = `query($f: KpiFilter!, $g: [String!]) { supportKpis(filter: $f, groupBy: $g) { rows { ${ROW} csatRevenueWeightedPercent } } }`;
    const read = (f: Record<string, unknown>, g: string[]) =>
      ok(stack, admin, q, { f, g }).then((d) => d.supportKpis.rows as any[]);
    for (const g of [['week'], ['team', 'week'], ['channel', 'week'], ['agent', 'week']]) {
      const days = await read(range, g);
      const facts = await read(allTiers, g);
      expect(days.length).toBeGreaterThan(0);
      expect(days).toEqual(facts);
    }
    const [, week] = await read(range, ['week']);
    // t1 and t2 surveyed (Mon, Wed) and answered (Mon, Thu); the backlog at Friday 00:00 is t3, t5
    expect([week.surveysSent, week.csatRatings, week.backlogAtEnd]).toEqual([2, 2, 2]);
    expect(week.slaFirstResponse.due).toBe(3);
  });

  it('shows a team lead only their own team, and refuses other teams and other roles', async () => {
    const t = await kpis(lead, WEEK, ['week']);
    expect(t.rows).toHaveLength(1);
    expect(t.rows[0].ticketsCreated).toBe(3); // Support only
    expect(t.rows[0].source).toBe('cells');
    const other = await fails(stack, lead, KPIS, { f: { ...WEEK, teamIds: [ids.billing] }, g: [] });
    expect(other.extensions?.code).toBe('FORBIDDEN');
    const agent = await fails(stack, agentToken, KPIS, { f: WEEK, g: [] });
    expect(agent.extensions?.code).toBe('FORBIDDEN');
  });

  it.each([
    [{ from: WEEK.to, to: WEEK.from }, [], /filter.to: must be after filter.from/],
    [{ from: WEEK.from }, [], /filter.to: is required/],
    [{ to: WEEK.to }, [], /filter.from: is required/],
    [{ from: '2026-01-01T00:00:00Z', to: '2026-06-01T00:00:00Z' }, [], /at most 120 days/],
    [WEEK, ['week', 'fortnight'], /unknown group key "fortnight"/],
    [WEEK, ['week', 'month'], /one time grain at most/],
    [{ ...WEEK, channels: ['fax'] }, [], /"fax" does not exist in "Channel" enum/],
  ])('refuses bad input %#', async (f, g, message) => {
    const e = await fails(stack, admin, KPIS, { f, g });
    expect(e.extensions?.code).toBe('BAD_USER_INPUT');
    expect(e.message).toMatch(message);
  });

  it('groups by a ticket custom field: one row per value plus the tickets without one', async () => {
    const DEF = `mutation($i: CustomFieldDefinitionInput!) { createCustomFieldDefinition(input: $i) { id } }`;
    await ok(stack, admin, DEF, {
      i: {
        entity: 'ticket',
        key: 'plan',
        label: 'Plan',
        type: 'dropdown',
        options: ['gold', 'silver'],
      },
    });
    await ok(stack, admin, DEF, {
      i: { entity: 'ticket', key: 'vip', label: 'VIP', type: 'checkbox' },
    });
    await ok(stack, admin, DEF, {
      i: { entity: 'ticket', key: 'seats', label: 'Seats', type: 'number' },
    });
    const set = (id: string, v: object) =>
      stack.db.query(`UPDATE tickets SET custom_fields = $2 WHERE id = $1`, [
        id,
        JSON.stringify(v),
      ]);
    await set(ids.t1, { plan: 'gold', vip: false });
    await set(ids.t2, { plan: 'gold' });
    await set(ids.t4, { plan: 'silver', vip: true });
    const CROW = `customValue ticketsCreated ticketsSolved backlogAtEnd firstResponseTime { count medianHours }
      resolutionTime { count medianHours } slaFirstResponse { due met } source`;
    const Q = `query($f: KpiFilter!, $g: [String!]) { supportKpis(filter: $f, groupBy: $g) { groupBy rows { ${CROW} } } }`;
    const t = (await ok(stack, admin, Q, { f: WEEK, g: ['custom.plan'] })).supportKpis;
    expect(t.groupBy).toEqual(['custom.plan']);
    const by = Object.fromEntries(t.rows.map((r: any) => [r.customValue ?? 'none', r]));
    expect(Object.keys(by).sort()).toEqual(['gold', 'none', 'silver']);
    // gold = t1, t2: FRT 1 h and 0.5 h; resolution 6 h and 48 h; FR SLA met by t2 only
    expect(by.gold).toMatchObject({
      ticketsCreated: 2,
      ticketsSolved: 2,
      backlogAtEnd: 0,
      firstResponseTime: { count: 2, medianHours: 0.75 },
      resolutionTime: { count: 2, medianHours: 27 },
      slaFirstResponse: { due: 2, met: 1 },
      source: 'facts',
    });
    // silver = t4 (Billing, business hours): FRT 0.5 h, resolution 1 business hour
    expect(by.silver).toMatchObject({
      ticketsCreated: 1,
      ticketsSolved: 1,
      backlogAtEnd: 0,
      firstResponseTime: { count: 1, medianHours: 0.5 },
      resolutionTime: { count: 1, medianHours: 1 },
    });
    // no value = t3 (created in the week, open) and t5 (created before it, never answered)
    expect(by.none).toMatchObject({
      ticketsCreated: 1,
      ticketsSolved: 0,
      backlogAtEnd: 2,
      firstResponseTime: { count: 1, medianHours: 4 },
    });
    // a checkbox groups by true / false / no value, and combines with another dimension
    const v = (await ok(stack, admin, Q, { f: WEEK, g: ['custom.vip', 'week'] })).supportKpis.rows;
    expect(
      Object.fromEntries(v.map((r: any) => [r.customValue ?? 'none', r.ticketsCreated])),
    ).toEqual({ true: 1, false: 1, none: 2 });
    // the CSV export carries the value
    const csv = await fetch(
      `${stack.url}/exports/kpis.csv?${new URLSearchParams({ ...WEEK, groupBy: 'custom.plan' })}`,
      { headers: { authorization: `Bearer ${admin}` } },
    );
    const [header, ...lines] = (await csv.text()).trim().split('\r\n');
    const cols = header.split(',');
    const created = Object.fromEntries(
      lines
        .map((l) => l.split(','))
        .map((l) => [
          l[cols.indexOf('custom_value')] || 'none',
          Number(l[cols.indexOf('tickets_created')]),
        ]),
    );
    expect(created).toEqual({ gold: 2, silver: 1, none: 1 });
    // only active text, dropdown and checkbox fields; one at a time
    for (const [g, message] of [
      [['custom.nope'], /no active ticket field "nope"/],
      [['custom.seats'], /number field/],
      [['custom.plan', 'custom.vip'], /one custom field at most/],
      [['custom.Plan'], /unknown group key/],
    ] as const) {
      const err = await fails(stack, admin, Q, { f: WEEK, g });
      expect([err.extensions?.code, err.extensions?.field]).toEqual(['BAD_USER_INPUT', 'groupBy']);
      expect(err.message).toMatch(message);
    }
    // leave the fixture as the later tests expect it
    for (const id of [ids.t1, ids.t2, ids.t4]) await set(id, {});
  });

  it('keeps facts and cells up to date from ticket changes (worker refresh)', async () => {
    const service = stack.worker!.get(KpisService);
    // the same week from the facts before the changes: the api caches fact-computed buckets
    // until the next refresh, so after the refresh it must not answer with these figures
    const allTiers = { ...WEEK, tiers: ['free', 'starter', 'pro', 'enterprise'] };
    const before = await kpis(admin, allTiers, ['team', 'week']);
    // move t3 (open since Tuesday) to Billing through the api: its created count and its
    // backlog move with it in every bucket it touched
    await ok(
      stack,
      admin,
      `mutation($id: ID!, $t: ID) { updateTicket(id: $id, input: { teamId: $t }) { id } }`,
      {
        id: ids.t3,
        t: ids.billing,
      },
    );
    // and a ticket today, created and solved through the api
    const created = await ok(
      stack,
      agentToken,
      `mutation($r: ID!, $t: ID) { createTicket(input: { requesterId: $r, subject: "Today", channel: web, teamId: $t, message: { body: "Hello", kind: customer_message } }) { id } }`,
      { r: ids.contact, t: ids.support },
    );
    await ok(
      stack,
      agentToken,
      `mutation($id: ID!) { replyToTicket(id: $id, body: "Done") { ticket { id } } }`,
      {
        id: created.createTicket.id,
      },
    );
    await ok(
      stack,
      agentToken,
      `mutation($id: ID!) { changeTicketStatus(id: $id, status: solved) { id } }`,
      {
        id: created.createTicket.id,
      },
    );
    const r = await service.refresh();
    expect(r.rebuilt).toBeUndefined();
    expect(r.tickets).toBeGreaterThanOrEqual(2);

    const t = await kpis(admin, WEEK, ['team', 'week']);
    const byTeam = Object.fromEntries(t.rows.map((x: any) => [x.teamId, x]));
    expect([byTeam[ids.support].ticketsCreated, byTeam[ids.support].backlogAtEnd]).toEqual([2, 1]);
    expect([byTeam[ids.billing].ticketsCreated, byTeam[ids.billing].backlogAtEnd]).toEqual([2, 1]);
    // the facts path agrees with the refreshed cells
    const viaFacts = await kpis(admin, allTiers, ['team', 'week']);
    const strip = (rows: any[]) => rows.map((x) => ({ ...x, source: null }));
    expect(strip(viaFacts.rows)).toEqual(strip(t.rows));
    expect(strip(viaFacts.rows)).not.toEqual(strip(before.rows));

    const today = new Date();
    const from = new Date(
      Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()),
    );
    const to = new Date(from.getTime() + 86_400_000);
    const day = await kpis(admin, { from: from.toISOString(), to: to.toISOString() }, ['day']);
    expect(day.rows[0]).toMatchObject({ ticketsCreated: 1, ticketsSolved: 1, source: 'cells' });
    expect(day.rows[0].resolutionTime.count).toBe(1);

    // t2 (solved Wed, its CSAT answered Thu) raised to high, refreshed on its own: its CSAT
    // answer moves to the high-priority cells of Thursday, a day none of its own anchors or
    // unsolved periods falls on (the comparison with a rebuild below checks that it moved)
    await ok(
      stack,
      admin,
      `mutation($id: ID!) { updateTicket(id: $id, input: { priority: high }) { id } }`,
      { id: ids.t2 },
    );
    await service.refresh();

    // a rebuild from scratch gives the same cells as the incremental path
    const cellsBefore = await stack.db.query(
      `SELECT * FROM kpi_cells ORDER BY grain, dim, dim_value, bucket_start`,
    );
    await service.rebuild();
    const after = await stack.db.query(
      `SELECT * FROM kpi_cells ORDER BY grain, dim, dim_value, bucket_start`,
    );
    const norm = (rows: any[]) => rows.map(({ computed_at: _c, ...rest }) => rest);
    expect(norm(after.rows)).toEqual(norm(cellsBefore.rows));
  });

  it('exports a KPI table as streamed CSV, audited, with the same rules', async () => {
    const q = new URLSearchParams({ from: WEEK.from, to: WEEK.to, groupBy: 'team,week' });
    const res = await fetch(`${stack.url}/exports/kpis.csv?${q}`, {
      headers: { authorization: `Bearer ${lead}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^period_start,period_end,team_id,/);
    expect(lines).toHaveLength(2); // header + the lead's one team
    expect(lines[1]).toContain(`,${ids.support},`);
    const audit = await stack.db.query(
      `SELECT actor_id::text, details FROM audit_log WHERE action = 'export.kpis' AND actor_id = $1`,
      [ids.lead],
    );
    expect(audit.rows).toEqual([
      { actor_id: ids.lead, details: expect.objectContaining({ groupBy: ['team', 'week'] }) },
    ]);

    const bad = await fetch(`${stack.url}/exports/kpis.csv?from=${WEEK.to}&to=${WEEK.from}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.code).toBe('BAD_USER_INPUT');
    const anon = await fetch(`${stack.url}/exports/kpis.csv?${q}`);
    expect(anon.status).toBe(401);
    const agent = await fetch(`${stack.url}/exports/kpis.csv?${q}`, {
      headers: { authorization: `Bearer ${agentToken}` },
    });
    expect(agent.status).toBe(403);
  });
});
