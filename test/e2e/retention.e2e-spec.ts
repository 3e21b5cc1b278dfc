import { fails, insertUser, login, ok } from '../support/factories';
import { TransactionRunner } from '@staydesk/core';
import { RiskRepository } from '@staydesk/risk';
import { TestStack, startStack } from '../support/stack';

/*
 * The risk list fixture (all active, customers since 2024-01-01):
 *   c1 pro,        MRR 1000, score 80 critical, renewal in 10 days, 40 days ago 60 → change +20
 *   c2 enterprise, MRR 5000, score 55 high,     renewal in 100 days, 40 days ago 70 → change −15
 *   c3 starter,    MRR  200, score 30 medium,   no history (change null), an open follow-up
 *   c4 free,       MRR    0, score 90 critical, no history; snoozed in a test
 *   c5 pro,        MRR 3000, score 40 medium,   owned by am2; 10 days ago 30 (first point in the window) → +10
 *   c6 churned (score 95): never listed
 * score × MRR / 100: c1 800, c2 2750, c3 60, c4 0, c5 1200.
 */
const LIST = `query($f: RiskListFilter, $o: RiskListOrder, $first: Int, $after: String) {
  riskList(filter: $f, orderBy: $o, first: $first, after: $after) {
    edges { cursor node { customerId score band mrr riskWeightedMrr scoreChange topFactors openTickets lastCsat
      npsCategory daysToRenewal accountManagerId openFollowUps snoozedUntil customer { name } owner { email } } }
    pageInfo { hasNextPage endCursor } } }`;
const SUMMARY = `query($p: RetentionPeriod!) { retentionSummary(period: $p) {
  current { from to customersAtStart customersAtEnd acquired churned retentionRatePercent churnRatePercent revenueAtRisk customersByBand { band customers } }
  previous { from to customersAtStart customersAtEnd acquired churned retentionRatePercent churnRatePercent revenueAtRisk customersByBand { band customers } } } }`;

describe('retention: churn-risk list, actions, summary', () => {
  let stack: TestStack;
  let admin: string;
  let am1: string;
  let am2: string;
  let agent: string;
  const ids: Record<string, string> = {};

  async function customer(
    name: string,
    c: {
      tier: string;
      mrr: number;
      am?: string;
      since?: string;
      status?: string;
      churnedAt?: string;
      renewalDays?: number;
    },
  ) {
    const { rows } = await stack.db.query<{ id: string }>(
      `INSERT INTO customers (name, tier, mrr, account_manager_id, customer_since, status, churned_at, renewal_date)
       VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $8::int IS NULL THEN NULL ELSE current_date + $8::int END) RETURNING id::text`,
      [
        name,
        c.tier,
        c.mrr,
        c.am ?? null,
        c.since ?? '2024-01-01T00:00:00Z',
        c.status ?? 'active',
        c.churnedAt ?? null,
        c.renewalDays ?? null,
      ],
    );
    return rows[0].id;
  }

  async function score(
    customerId: string,
    s: number,
    band: string,
    factors: [string, number][] = [],
  ) {
    await stack.db.query(
      `INSERT INTO risk_scores (customer_id, score, band, factors, model_version) VALUES ($1, $2, $3, $4, 'test')`,
      [
        customerId,
        s,
        band,
        JSON.stringify(
          factors.map(([label, contribution]) => ({
            name: 'x',
            label,
            value: 1,
            input: 1,
            contribution,
          })),
        ),
      ],
    );
  }

  async function history(customerId: string, s: number, band: string, at: string) {
    await stack.db.query(
      `INSERT INTO risk_score_history (customer_id, score, band, model_version, computed_at) VALUES ($1, $2, $3, 'test', $4::timestamptz)`,
      [customerId, s, band, at],
    );
  }

  const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

  beforeAll(async () => {
    stack = await startStack({ env: { OUTBOX_RELAY: 'false' } });
    await insertUser(stack, { email: 'admin@r.local', role: 'admin' });
    admin = await login(stack, 'admin@r.local');
    ids.am1 = await insertUser(stack, { email: 'am1@r.local', role: 'account_manager' });
    ids.am2 = await insertUser(stack, { email: 'am2@r.local', role: 'account_manager' });
    ids.agent = await insertUser(stack, { email: 'agent@r.local', role: 'agent' });
    am1 = await login(stack, 'am1@r.local');
    am2 = await login(stack, 'am2@r.local');
    agent = await login(stack, 'agent@r.local');

    ids.c1 = await customer('C1', { tier: 'pro', mrr: 1000, am: ids.am1, renewalDays: 10 });
    ids.c2 = await customer('C2', { tier: 'enterprise', mrr: 5000, am: ids.am1, renewalDays: 100 });
    ids.c3 = await customer('C3', { tier: 'starter', mrr: 200, am: ids.am1 });
    ids.c4 = await customer('C4', { tier: 'free', mrr: 0, am: ids.am1 });
    ids.c5 = await customer('C5', { tier: 'pro', mrr: 3000, am: ids.am2 });
    ids.c6 = await customer('C6', {
      tier: 'pro',
      mrr: 900,
      am: ids.am1,
      status: 'churned',
      churnedAt: '2025-12-15T00:00:00Z',
    });
    await stack.db.query(
      `INSERT INTO customer_status_changes (customer_id, from_status, to_status, changed_at) VALUES ($1, 'active', 'churned', '2025-12-15T00:00:00Z')`,
      [ids.c6],
    );
    await score(ids.c1, 80, 'critical', [
      ['A: 4 SLA breaches', 20],
      ['B: low CSAT', 10],
      ['C: tenure', -2],
      ['D: 3 open tickets', 5],
      ['E: quiet', 3],
    ]);
    await score(ids.c2, 55, 'high');
    await score(ids.c3, 30, 'medium');
    await score(ids.c4, 90, 'critical');
    await score(ids.c5, 40, 'medium');
    await score(ids.c6, 95, 'critical');
    await history(ids.c1, 60, 'high', ago(40));
    await history(ids.c2, 70, 'high', ago(40));
    await history(ids.c5, 30, 'medium', ago(10));

    // c1: two open tickets and a solved one, CSAT 2 then 4, NPS 6 (detractor)
    const contact = await stack.db.query<{ id: string }>(
      `INSERT INTO contacts (customer_id, name, email) VALUES ($1, 'Ann', 'ann@c1.example') RETURNING id::text`,
      [ids.c1],
    );
    const t = await stack.db.query<{ id: string }>(
      `INSERT INTO tickets (customer_id, requester_id, subject, channel, priority, status)
       VALUES ($1, $2, 'a', 'email', 'normal', 'open'), ($1, $2, 'b', 'email', 'normal', 'pending'), ($1, $2, 'c', 'email', 'normal', 'solved')
       RETURNING id::text`,
      [ids.c1, contact.rows[0].id],
    );
    for (const [ticket, s, days] of [
      [t.rows[2].id, 2, 5],
      [t.rows[0].id, 4, 2],
    ] as const) {
      await stack.db.query(
        `INSERT INTO surveys (kind, ticket_id, solve_cycle, contact_id, customer_id, token_salt, token_hash, sent_at, expires_at, responded_at, score)
         VALUES ('csat', $1, 1, $2, $3, 's', md5(random()::text), now() - interval '6 days', now() + interval '8 days', $4::timestamptz, $5)`,
        [ticket, contact.rows[0].id, ids.c1, ago(days), s],
      );
    }
    await stack.db.query(
      `INSERT INTO surveys (kind, period, contact_id, customer_id, token_salt, token_hash, sent_at, expires_at, responded_at, score)
       VALUES ('nps', '2026-Q1', $1, $2, 's', md5(random()::text), now() - interval '3 days', now() + interval '8 days', now() - interval '1 day', 6)`,
      [contact.rows[0].id, ids.c1],
    );
    // c3 has an open at-risk outreach
    await stack.db.query(
      `INSERT INTO follow_ups (customer_id, owner_id, kind, due_at, note) VALUES ($1, $2, 'at_risk_outreach', now() + interval '1 day', 'call them')`,
      [ids.c3, ids.am1],
    );
  });

  afterAll(async () => {
    await stack?.close();
  });

  const list = async (token: string, vars: Record<string, unknown> = {}) =>
    (await ok(stack, token, LIST, vars)).riskList;
  const names = (conn: any) => conn.edges.map((e: any) => e.node.customer.name);

  it('ranks by score, by revenue at risk and by score change', async () => {
    expect(names(await list(admin))).toEqual(['C4', 'C1', 'C2', 'C5', 'C3']);
    expect(names(await list(admin, { o: 'revenue_at_risk' }))).toEqual([
      'C2',
      'C5',
      'C1',
      'C3',
      'C4',
    ]);
    expect(names(await list(admin, { o: 'score_change' }))).toEqual(['C1', 'C5', 'C2', 'C4', 'C3']);
  });

  it('orders by score change from the base the full rescore materializes, with the same result', async () => {
    const page = async () =>
      (await list(admin, { o: 'score_change' })).edges.map((e: any) => [
        e.node.customer.name,
        e.node.scoreChange,
      ]);
    const fromHistory = await page();
    // what rescoreAll does after a full run: each customer's score at the start of the UTC day
    // 30 days ago (C1 60 and C2 70 from 40 days ago, C5's first score 10 days ago: 30)
    const w = stack.worker!;
    await w.get(TransactionRunner).run((tx) => w.get(RiskRepository).refreshChangeBase(tx, 30));
    const base = await stack.db.query<{ id: string; b: number | null }>(
      `SELECT customer_id::text AS id, base_score::float8 AS b FROM risk_scores`,
    );
    const byId = new Map(base.rows.map((r) => [r.id, r.b]));
    expect([ids.c1, ids.c2, ids.c5, ids.c3].map((id) => byId.get(id))).toEqual([60, 70, 30, null]);
    expect(await page()).toEqual(fromHistory);
    expect(fromHistory.slice(0, 3)).toEqual([
      ['C1', 20],
      ['C5', 10],
      ['C2', -15],
    ]);
  });

  it("re-ranks revenue at risk when a customer's MRR changes (kept by a trigger)", async () => {
    const UPDATE = `mutation($id: ID!, $m: Float!) { updateCustomer(id: $id, input: { mrr: $m }) { mrr } }`;
    // C4 (score 90, free, MRR 0) becomes the biggest account: 90 % of 100,000 is at risk
    await ok(stack, admin, UPDATE, { id: ids.c4, m: 100_000 });
    const top = (await list(admin, { o: 'revenue_at_risk' })).edges[0].node;
    expect(top).toMatchObject({ customerId: ids.c4, riskWeightedMrr: 90_000 });
    await ok(stack, admin, UPDATE, { id: ids.c4, m: 0 });
    expect(names(await list(admin, { o: 'revenue_at_risk' }))).toEqual([
      'C2',
      'C5',
      'C1',
      'C3',
      'C4',
    ]);
  });

  it('shows why and what is going on in each row', async () => {
    const c1 = (await list(am1)).edges.find((e: any) => e.node.customerId === ids.c1).node;
    expect(c1).toMatchObject({
      score: 80,
      band: 'critical',
      mrr: 1000,
      riskWeightedMrr: 800,
      scoreChange: 20,
      topFactors: ['A: 4 SLA breaches', 'B: low CSAT', 'D: 3 open tickets'],
      openTickets: 2,
      lastCsat: 4,
      npsCategory: 'detractor',
      daysToRenewal: 10,
      accountManagerId: ids.am1,
      owner: { email: 'am1@r.local' },
      snoozedUntil: null,
    });
    const c5 = (await list(admin)).edges.find((e: any) => e.node.customerId === ids.c5).node;
    expect(c5.scoreChange).toBe(10);
  });

  it.each([
    [{ mine: true }, 'am1', ['C4', 'C1', 'C2', 'C3']],
    [{ bands: ['critical'] }, 'admin', ['C4', 'C1']],
    [{ tiers: ['pro'] }, 'admin', ['C1', 'C5']],
    [{ mrrMin: 1000, mrrMax: 3000 }, 'admin', ['C1', 'C5']],
    [{ renewalWithinDays: 30 }, 'admin', ['C1']],
    [{ risingDays: 30 }, 'admin', ['C1', 'C5']],
    [{ hasOpenFollowUp: true }, 'admin', ['C3']],
    [{ accountManagerId: 'AM2' }, 'admin', ['C5']],
  ])('filters %j', async (f, who, expected) => {
    const filter = { ...f } as Record<string, unknown>;
    if (filter.accountManagerId === 'AM2') filter.accountManagerId = ids.am2;
    expect(names(await list(who === 'am1' ? am1 : admin, { f: filter }))).toEqual(expected);
  });

  it('paginates with cursors', async () => {
    const p1 = await list(admin, { first: 2 });
    expect(names(p1)).toEqual(['C4', 'C1']);
    expect(p1.pageInfo.hasNextPage).toBe(true);
    const p2 = await list(admin, { first: 2, after: p1.pageInfo.endCursor });
    expect(names(p2)).toEqual(['C2', 'C5']);
    const p3 = await list(admin, { first: 2, after: p2.pageInfo.endCursor });
    expect(names(p3)).toEqual(['C3']);
    expect(p3.pageInfo.hasNextPage).toBe(false);
    const wrong = await fails(stack, admin, LIST, {
      o: 'revenue_at_risk',
      after: p1.pageInfo.endCursor,
    });
    expect(wrong.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses bad filters with the reason', async () => {
    const e1 = await fails(stack, admin, LIST, { f: { mrrMin: 500, mrrMax: 100 } });
    expect(e1.extensions?.code).toBe('BAD_USER_INPUT');
    expect(e1.message).toMatch(/filter.mrrMax: must not be below filter.mrrMin/);
    const e2 = await fails(stack, admin, LIST, { f: { renewalWithinDays: 0 } });
    expect(e2.message).toMatch(/renewalWithinDays: must be a whole number of days/);
  });

  it('keeps agents and team leads out of the list', async () => {
    expect((await fails(stack, agent, LIST, {})).extensions?.code).toBe('FORBIDDEN');
    await insertUser(stack, { email: 'lead@r.local', role: 'team_lead' });
    const lead = await login(stack, 'lead@r.local');
    expect((await fails(stack, lead, LIST, {})).extensions?.code).toBe('FORBIDDEN');
    expect(
      (
        await fails(stack, agent, SUMMARY, {
          p: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
        })
      ).extensions?.code,
    ).toBe('FORBIDDEN');
  });

  it('snoozes a customer off the list until the snooze ends, unless asked for', async () => {
    const SNOOZE = `mutation($c: ID!, $d: Int!, $r: String!) { snoozeCustomer(customerId: $c, days: $d, reason: $r) { customerId until reason } }`;
    const bad = await fails(stack, am1, SNOOZE, { c: ids.c4, d: 0, r: 'x' });
    expect(bad.extensions?.code).toBe('BAD_USER_INPUT');
    const notMine = await fails(stack, am2, SNOOZE, { c: ids.c4, d: 7, r: 'x' });
    expect(notMine.extensions?.code).toBe('FORBIDDEN');
    // a sentence with the customer's name, not who the other manager is
    expect(notMine.message).toBe(
      'C4 belongs to another account manager; only they or an admin may change it',
    );
    const s = (
      await ok(stack, am1, SNOOZE, { c: ids.c4, d: 7, r: 'Free tier, renewal handled by sales' })
    ).snoozeCustomer;
    const days = (new Date(s.until).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    expect(names(await list(admin))).toEqual(['C1', 'C2', 'C5', 'C3']);
    expect(names(await list(admin, { f: { snoozed: 'only' } }))).toEqual(['C4']);
    expect(names(await list(admin, { f: { snoozed: 'include' } }))).toEqual([
      'C4',
      'C1',
      'C2',
      'C5',
      'C3',
    ]);
    // an expired snooze no longer hides the customer
    await stack.db.query(
      `UPDATE retention_snoozes SET until = now() - interval '1 second' WHERE customer_id = $1`,
      [ids.c4],
    );
    expect(names(await list(admin))[0]).toBe('C4');
    const audit = await stack.db.query(
      `SELECT actor_id::text, details->>'reason' AS reason FROM audit_log WHERE action = 'customer.snooze'`,
    );
    expect(audit.rows).toEqual([
      { actor_id: ids.am1, reason: 'Free tier, renewal handled by sales' },
    ]);
  });

  it('logs an outreach by completing (or creating and completing) the at-risk follow-up', async () => {
    const LOG = `mutation($c: ID!, $n: String!, $next: DateTime) { logOutreach(customerId: $c, note: $n, nextFollowUpAt: $next) {
      completed { id kind status outcome owner { email } } next { id kind status dueAt } } }`;
    const next = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const r = (await ok(stack, am1, LOG, { c: ids.c3, n: 'Called, they want a training', next }))
      .logOutreach;
    expect(r.completed).toEqual([
      expect.objectContaining({
        kind: 'at_risk_outreach',
        status: 'done',
        outcome: 'Called, they want a training',
        owner: { email: 'am1@r.local' },
      }),
    ]);
    expect(r.next).toMatchObject({ kind: 'at_risk_outreach', status: 'open', dueAt: next });
    expect(
      (await list(admin, { f: { hasOpenFollowUp: true } })).edges.map(
        (e: any) => e.node.customer.name,
      ),
    ).toEqual(['C3']);

    const r2 = (await ok(stack, am1, LOG, { c: ids.c2, n: 'Met the CTO' })).logOutreach;
    expect(r2.completed).toHaveLength(1);
    expect(r2.completed[0]).toMatchObject({ status: 'done', outcome: 'Met the CTO' });
    expect(r2.next).toBeNull();
    const rows = await stack.db.query(
      `SELECT status, outcome FROM follow_ups WHERE customer_id = $1`,
      [ids.c2],
    );
    expect(rows.rows).toEqual([{ status: 'done', outcome: 'Met the CTO' }]);
    const empty = await fails(stack, am1, LOG, { c: ids.c2, n: '  ' });
    expect(empty.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('marks churned and retained through the customers status change (history + outbox)', async () => {
    const CHURN = `mutation($c: ID!, $r: String!) { markChurned(customerId: $c, reason: $r) { id status churnedAt } }`;
    const RETAIN = `mutation($c: ID!, $n: String!) { markRetained(customerId: $c, note: $n) { id status } }`;
    expect((await fails(stack, am2, CHURN, { c: ids.c2, r: 'gone' })).extensions?.code).toBe(
      'FORBIDDEN',
    );
    const churned = (await ok(stack, am1, CHURN, { c: ids.c2, r: 'Moved to a competitor' }))
      .markChurned;
    expect(churned.status).toBe('churned');
    expect(names(await list(admin))).not.toContain('C2');
    const retained = (await ok(stack, am1, RETAIN, { c: ids.c2, n: 'Won back with a discount' }))
      .markRetained;
    expect(retained.status).toBe('active');
    const changes = await stack.db.query(
      `SELECT from_status, to_status, reason, actor_id::text FROM customer_status_changes WHERE customer_id = $1 ORDER BY id`,
      [ids.c2],
    );
    expect(changes.rows).toEqual([
      {
        from_status: 'active',
        to_status: 'churned',
        reason: 'Moved to a competitor',
        actor_id: ids.am1,
      },
      {
        from_status: 'churned',
        to_status: 'active',
        reason: 'Won back: Won back with a discount',
        actor_id: ids.am1,
      },
    ]);
    const events = await stack.db.query(
      `SELECT payload FROM outbox WHERE type = 'customer.status_changed' ORDER BY id`,
    );
    expect(events.rows.map((e) => [e.payload.from, e.payload.to])).toEqual([
      ['active', 'churned'],
      ['churned', 'active'],
    ]);
    // retaining an active customer closes its open outreach and changes no status
    const before = await stack.db.query(`SELECT count(*)::int AS n FROM customer_status_changes`);
    await ok(stack, am1, RETAIN, { c: ids.c3, n: 'Training booked' });
    const open = await stack.db.query(
      `SELECT count(*)::int AS n FROM follow_ups WHERE customer_id = $1 AND status = 'open'`,
      [ids.c3],
    );
    expect(open.rows[0].n).toBe(0);
    expect(
      (await stack.db.query(`SELECT count(*)::int AS n FROM customer_status_changes`)).rows[0].n,
    ).toBe(before.rows[0].n);
    expect((await fails(stack, am1, CHURN, { c: ids.c6, r: 'again' })).message).toMatch(
      /already churned/,
    );
  });

  it('computes retention and churn rates of a period and the one before (hand-computed)', async () => {
    // s1 acquired in January; s2 churns on Jan 20; s3 acquired in December; s4 churns on Dec 20
    const s1 = await customer('S1', { tier: 'pro', mrr: 700, since: '2026-01-10T00:00:00Z' });
    const s2 = await customer('S2', {
      tier: 'pro',
      mrr: 100,
      since: '2025-06-01T00:00:00Z',
      status: 'churned',
      churnedAt: '2026-01-20T00:00:00Z',
    });
    const s3 = await customer('S3', { tier: 'pro', mrr: 300, since: '2025-12-05T00:00:00Z' });
    const s4 = await customer('S4', {
      tier: 'pro',
      mrr: 100,
      since: '2025-11-01T00:00:00Z',
      status: 'churned',
      churnedAt: '2025-12-20T00:00:00Z',
    });
    await stack.db.query(
      `INSERT INTO customer_status_changes (customer_id, from_status, to_status, changed_at)
       VALUES ($1, 'active', 'churned', '2026-01-20T00:00:00Z'), ($2, 'active', 'churned', '2025-12-20T00:00:00Z')`,
      [s2, s4],
    );
    // bands as of Feb 1: c1 critical, c2 high, s1 high, s3 critical, c5 medium (c4's point is later)
    await history(ids.c1, 80, 'critical', '2026-01-15T00:00:00Z');
    await history(ids.c2, 55, 'high', '2026-01-15T00:00:00Z');
    await history(ids.c5, 40, 'medium', '2025-12-01T00:00:00Z');
    await history(s1, 60, 'high', '2026-01-20T00:00:00Z');
    await history(s3, 10, 'low', '2025-12-10T00:00:00Z');
    await history(s3, 80, 'critical', '2026-01-25T00:00:00Z');
    await history(ids.c4, 90, 'critical', '2026-02-10T00:00:00Z');

    const s = (
      await ok(stack, admin, SUMMARY, {
        p: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
      })
    ).retentionSummary;
    // January: at start c1–c5, s2, s3 = 7; at end c1–c5, s1, s3 = 7; acquired s1; churned s2
    expect(s.current).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-02-01T00:00:00.000Z',
      customersAtStart: 7,
      customersAtEnd: 7,
      acquired: 1,
      churned: 1,
      retentionRatePercent: 85.71, // (7 − 1) / 7
      churnRatePercent: 14.29, // 1 / 7
      revenueAtRisk: 7000, // c1 1000 + c2 5000 + s1 700 + s3 300
      customersByBand: [
        { band: 'low', customers: 0 },
        { band: 'medium', customers: 1 },
        { band: 'high', customers: 2 },
        { band: 'critical', customers: 2 },
      ],
    });
    // revenue per band as of Feb 1: medium c5 3000; high c2 5000 + s1 700; critical c1 1000 + s3 300
    const bandMrr = (
      await ok(
        stack,
        admin,
        `query($p: RetentionPeriod!) { retentionSummary(period: $p) { current { customersByBand { band mrr } } } }`,
        { p: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' } },
      )
    ).retentionSummary.current.customersByBand;
    expect(bandMrr).toEqual([
      { band: 'low', mrr: 0 },
      { band: 'medium', mrr: 3000 },
      { band: 'high', mrr: 5700 },
      { band: 'critical', mrr: 1300 },
    ]);
    // and the customers behind a band's count
    const high = (
      await ok(
        stack,
        admin,
        `query($p: RetentionPeriod!) { retentionCustomers(period: $p, figure: customers_at_end, band: high) { edges { node { customerId } } } }`,
        { p: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' } },
      )
    ).retentionCustomers.edges.map((e: any) => e.node.customerId);
    expect(high.sort()).toEqual([ids.c2, s1].sort());
    // December: at start c1–c6, s2, s4 = 8; at end c1–c5, s2, s3 = 7; acquired s3; churned c6, s4
    expect(s.previous).toMatchObject({
      from: '2025-12-01T00:00:00.000Z',
      customersAtStart: 8,
      customersAtEnd: 7,
      acquired: 1,
      churned: 2,
      retentionRatePercent: 75, // (7 − 1) / 8
      churnRatePercent: 25, // 2 / 8
      revenueAtRisk: 0,
    });
    expect(s.previous.customersByBand).toEqual([
      { band: 'low', customers: 1 },
      { band: 'medium', customers: 1 },
      { band: 'high', customers: 0 },
      { band: 'critical', customers: 0 },
    ]);
    const inverted = await fails(stack, admin, SUMMARY, {
      p: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
    });
    expect(inverted.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('exports the risk list as streamed CSV, audited', async () => {
    const res = await fetch(
      `${stack.url}/exports/risk-list.csv?orderBy=revenue_at_risk&snoozed=include`,
      {
        headers: { authorization: `Bearer ${admin}` },
      },
    );
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'customer_id,score,band,mrr,risk_weighted_mrr,score_change,top_factors,open_tickets,last_csat,nps_category,renewal_date,days_to_renewal,account_manager_id,open_follow_ups,snoozed_until,customer_name,account_manager_name,value_segment,lifetime_value,expected_lifetime_value,expected_value_at_risk,value_basis',
    );
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([
      ids.c2,
      ids.c5,
      ids.c1,
      ids.c3,
      ids.c4,
    ]);
    expect(lines[3]).toContain('A: 4 SLA breaches; B: low CSAT; D: 3 open tickets');
    const audit = await stack.db.query(
      `SELECT actor_id::text, details->>'order' AS o FROM audit_log WHERE action = 'export.risk_list'`,
    );
    expect(audit.rows).toEqual([{ actor_id: expect.any(String), o: 'revenue_at_risk' }]);
    const denied = await fetch(`${stack.url}/exports/risk-list.csv`, {
      headers: { authorization: `Bearer ${agent}` },
    });
    expect(denied.status).toBe(403);
    const bad = await fetch(`${stack.url}/exports/risk-list.csv?bands=purple`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(bad.status).toBe(400);
  });
});
