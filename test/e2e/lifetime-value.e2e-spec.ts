import { QueueEvents } from 'bullmq';
import { JobPublisher } from '@staydesk/core';
import { KpisService } from '@staydesk/kpis';
import { ValueService } from '@staydesk/value';
import { fails, insertUser, login, ok } from '../support/factories';
import { TestStack, startStack } from '../support/stack';

/*
 * The hand-built set, values computed as of AT = 2026-01-01 (a month = 30.4375 days):
 *   A since 2025-01-01, active, MRR 1000 then 2000 from 2025-07-01: (1000 × 181 + 2000 × 184) ÷ 30.4375 = 18,036.96
 *   B since 2025-03-01, MRR 500, churned 2025-09-01, reactivated 2025-11-01: 500 × (184 + 61) ÷ 30.4375 = 4,024.64
 *   C since 2025-06-01, MRR 300, churned 2025-12-01: 300 × 183 ÷ 30.4375 = 1,803.70
 *   D since 2025-10-01, MRR 100: 100 × 92 ÷ 30.4375 = 302.26
 *   E since 2024-01-01, MRR 50: 50 × 731 ÷ 30.4375 = 1,200.82
 *   F since 2025-01-01, imported without MRR: unknown
 * Placement values: D has only 92 days (< 6 months) of history, so it is placed by its run rate
 * MRR × 6 = 600 (higher than 302.26); everyone else by the value to date. (Before the short-history
 * rule the low bound was D's 302.26; the order D < E < B < A and every segment are unchanged.)
 * Quartiles of the active known (D < E < B < A): low ≥ 600, mid ≥ 1,200.82, high ≥ 4,024.64,
 * top ≥ 18,036.96; churned C (1,803.70) falls in mid.
 * Churn in (2025-01-01, 2026-01-01]: top A 0 churns / 365 days; high B 1 / 245 days;
 * mid E + C 1 / (365 + 183) days; low D 0 / 92 days.
 */
const AT = new Date('2026-01-01T00:00:00Z');
const MONTH_DAYS = 30.4375;
const m = (days: number) => days / MONTH_DAYS;
const r2 = (x: number) => Math.round(x * 100) / 100;

const LTV = `query($id: ID!) { customer(id: $id) { name lifetimeValue { toDate monthsAsCustomer expected expectedMonths segment segmentValue segmentBasis basis basisDetail computedAt }
  mrrHistory { mrr source } } }`;

describe('customer lifetime value', () => {
  let stack: TestStack;
  let admin: string;
  let agent: string;
  const ids: Record<string, string> = {};

  async function customer(
    name: string,
    c: { since: string; mrr: number; status?: string; churnedAt?: string },
  ) {
    const { rows } = await stack.db.query<{ id: string }>(
      `INSERT INTO customers (name, tier, mrr, customer_since, status, churned_at)
       VALUES ($1, 'pro', $2, $3, $4, $5) RETURNING id::text`,
      [name, c.mrr, c.since, c.status ?? 'active', c.churnedAt ?? null],
    );
    return rows[0].id;
  }
  const mrr = (id: string, value: number | null, from: string, source = 'backfill') =>
    stack.db.query(
      `INSERT INTO customer_mrr_history (customer_id, mrr, effective_from, source) VALUES ($1, $2, $3, $4)`,
      [id, value, from, source],
    );
  const status = (id: string, from: string, to: string, at: string) =>
    stack.db.query(
      `INSERT INTO customer_status_changes (customer_id, from_status, to_status, changed_at) VALUES ($1, $2, $3, $4)`,
      [id, from, to, at],
    );
  const score = (id: string, s: number, model = 'default-v1') =>
    stack.db.query(
      `INSERT INTO risk_scores (customer_id, score, band, factors, model_version) VALUES ($1, $2, 'low', '[]', $3)`,
      [id, s, model],
    );
  const ltv = async (id: string) => (await ok(stack, admin, LTV, { id })).customer;

  beforeAll(async () => {
    stack = await startStack({ env: { OUTBOX_RELAY: 'false' } });
    await insertUser(stack, { email: 'admin@v.local', role: 'admin' });
    admin = await login(stack, 'admin@v.local');
    await insertUser(stack, { email: 'agent@v.local', role: 'agent' });
    agent = await login(stack, 'agent@v.local');
    ids.A = await customer('A', { since: '2025-01-01T00:00:00Z', mrr: 2000 });
    await mrr(ids.A, 1000, '2025-01-01T00:00:00Z');
    await mrr(ids.A, 2000, '2025-07-01T00:00:00Z', 'app');
    ids.B = await customer('B', { since: '2025-03-01T00:00:00Z', mrr: 500 });
    await mrr(ids.B, 500, '2025-03-01T00:00:00Z');
    await status(ids.B, 'active', 'churned', '2025-09-01T00:00:00Z');
    await status(ids.B, 'churned', 'active', '2025-11-01T00:00:00Z');
    ids.C = await customer('C', {
      since: '2025-06-01T00:00:00Z',
      mrr: 300,
      status: 'churned',
      churnedAt: '2025-12-01T00:00:00Z',
    });
    await mrr(ids.C, 300, '2025-06-01T00:00:00Z');
    await status(ids.C, 'active', 'churned', '2025-12-01T00:00:00Z');
    // D has no MRR history (e.g. bulk-loaded): its current MRR counts from the start
    ids.D = await customer('D', { since: '2025-10-01T00:00:00Z', mrr: 100 });
    ids.E = await customer('E', { since: '2024-01-01T00:00:00Z', mrr: 50 });
    await mrr(ids.E, 50, '2024-01-01T00:00:00Z');
    ids.F = await customer('F', { since: '2025-01-01T00:00:00Z', mrr: 0 });
    await mrr(ids.F, null, '2025-01-01T00:00:00Z', 'import');
    await score(ids.A, 50);
    await score(ids.B, 80);
    await score(ids.D, 10, 'fitted-2025-06-01-h90');
    await score(ids.E, 20);
    await score(ids.F, 90);
    await stack.worker!.get(ValueService).recomputeAll(AT);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('lifetime value to date follows MRR changes, churns and reactivations (hand-computed)', async () => {
    // churned C is fixed in time: exact
    const c = await ltv(ids.C);
    expect(c.lifetimeValue).toMatchObject({
      toDate: r2((300 * 183) / MONTH_DAYS),
      monthsAsCustomer: r2(m(183)),
      expected: 0,
      segment: 'mid',
      basis: 'churned',
    });
    // active ones run to now: hand formula with the seconds since AT
    const since = (Date.now() - AT.getTime()) / 86_400_000;
    const a = await ltv(ids.A);
    expect(a.lifetimeValue.toDate).toBeCloseTo((1000 * 181 + 2000 * (184 + since)) / MONTH_DAYS, 0);
    expect(a.mrrHistory).toEqual([
      { mrr: 1000, source: 'backfill' },
      { mrr: 2000, source: 'app' },
    ]);
    const b = await ltv(ids.B);
    expect(b.lifetimeValue.toDate).toBeCloseTo((500 * (184 + 61 + since)) / MONTH_DAYS, 0);
    expect(b.lifetimeValue.monthsAsCustomer).toBeCloseTo(m(184 + 61 + since), 1);
  });

  it('segments are quartiles of the active customers; stored values as of the computation', async () => {
    const { rows } = await stack.db.query(
      `SELECT c.name, v.to_date::float8 AS "toDate", v.segment, v.segment_basis AS basis FROM customer_values v JOIN customers c ON c.id = v.customer_id ORDER BY c.name`,
    );
    expect(rows).toEqual([
      {
        name: 'A',
        toDate: r2((1000 * 181 + 2000 * 184) / MONTH_DAYS),
        segment: 'top',
        basis: 'to_date',
      },
      { name: 'B', toDate: r2((500 * 245) / MONTH_DAYS), segment: 'high', basis: 'to_date' },
      { name: 'C', toDate: r2((300 * 183) / MONTH_DAYS), segment: 'mid', basis: 'to_date' },
      { name: 'D', toDate: r2((100 * 92) / MONTH_DAYS), segment: 'low', basis: 'run_rate' },
      { name: 'E', toDate: r2((50 * 731) / MONTH_DAYS), segment: 'mid', basis: 'to_date' },
      { name: 'F', toDate: null, segment: null, basis: null },
    ]);
    expect((await ltv(ids.D)).lifetimeValue).toMatchObject({
      segmentValue: 600,
      segmentBasis: 'run_rate',
    });
    const seg = (
      await ok(
        stack,
        admin,
        `{ valueSegments { segment minToDate activeCustomers churned12m customerMonths12m monthlyChurnRate scheme } }`,
      )
    ).valueSegments;
    expect(seg).toEqual([
      {
        segment: 'top',
        minToDate: r2((1000 * 181 + 2000 * 184) / MONTH_DAYS),
        activeCustomers: 1,
        churned12m: 0,
        customerMonths12m: expect.closeTo(m(365), 9),
        monthlyChurnRate: 0,
        scheme: 'quartiles',
      },
      {
        segment: 'high',
        minToDate: r2((500 * 245) / MONTH_DAYS),
        activeCustomers: 1,
        churned12m: 1,
        customerMonths12m: expect.closeTo(m(245), 9),
        monthlyChurnRate: expect.closeTo(1 / m(245), 9),
        scheme: 'quartiles',
      },
      {
        segment: 'mid',
        minToDate: r2((50 * 731) / MONTH_DAYS),
        activeCustomers: 1,
        churned12m: 1,
        customerMonths12m: expect.closeTo(m(365 + 183), 9),
        monthlyChurnRate: expect.closeTo(1 / m(548), 9),
        scheme: 'quartiles',
      },
      {
        segment: 'low',
        minToDate: 600, // D's run rate 100 × 6 (was its 302.26 to date before the short-history rule)
        activeCustomers: 1,
        churned12m: 0,
        customerMonths12m: expect.closeTo(m(92), 9),
        monthlyChurnRate: 0,
        scheme: 'quartiles',
      },
    ]);
  });

  it('expected value from the segment churn rate, or from a fitted model, and says which', async () => {
    const a = (await ltv(ids.A)).lifetimeValue;
    expect(a).toMatchObject({
      expected: 2000 * 60,
      expectedMonths: 60,
      basis: 'segment_churn_rate',
    });
    const b = (await ltv(ids.B)).lifetimeValue;
    expect(b).toMatchObject({ expected: r2(500 * m(245)), basis: 'segment_churn_rate' });
    expect(b.basisDetail).toContain('segment high');
    const e = (await ltv(ids.E)).lifetimeValue;
    expect(e).toMatchObject({ expected: r2(50 * m(548)), basis: 'segment_churn_rate' });
    // D scored by a fitted 90-day model at 10 %: monthly 1 − 0.9^(30.4375/90)
    const pm = 1 - Math.pow(0.9, MONTH_DAYS / 90);
    const d = (await ltv(ids.D)).lifetimeValue;
    expect(d).toMatchObject({ basis: 'fitted_model', expected: r2(100 * (1 / pm)) });
    expect(d.basisDetail).toContain('fitted-2025-06-01-h90');
  });

  it('an MRR never given says unknown, not 0', async () => {
    const f = (await ltv(ids.F)).lifetimeValue;
    expect(f).toMatchObject({ toDate: null, expected: null, segment: null, basis: 'unknown' });
    expect(f.basisDetail).toContain('MRR not known');
  });

  it('orders and filters customers and the risk list by value', async () => {
    const LIST = `query($o: CustomerOrder, $f: CustomerFilter, $after: String) { customers(orderBy: $o, filter: $f, first: 2, after: $after) { edges { node { name } } pageInfo { endCursor hasNextPage } } }`;
    const names: string[] = [];
    let after: string | null = null;
    do {
      const page: any = (await ok(stack, admin, LIST, { o: 'lifetime_value_desc', after }))
        .customers;
      names.push(...page.edges.map((e: any) => e.node.name));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(names).toEqual(['A', 'B', 'C', 'E', 'D', 'F']);
    const mid = (await ok(stack, admin, LIST, { f: { valueSegments: ['mid'] } })).customers;
    expect(mid.edges.map((e: any) => e.node.name)).toEqual(['C', 'E']);
    const bad = await fails(stack, admin, LIST, { f: { valueSegments: ['gold'] } });
    expect(bad.extensions?.code).toBe('BAD_USER_INPUT');

    const RISK = `query($o: RiskListOrder, $f: RiskListFilter) { riskList(orderBy: $o, filter: $f) { edges { node { customer { name } expectedValueAtRisk expectedLifetimeValue lifetimeValue valueSegment valueBasis } } } }`;
    const risk = (await ok(stack, admin, RISK, { o: 'expected_value_at_risk' })).riskList.edges.map(
      (e: any) => e.node,
    );
    // A 120,000 × 0.5; B 4,024.64 × 0.8; D 100 ÷ pm × 0.1; E 900.21 × 0.2; F unknown last
    const pm = 1 - Math.pow(0.9, MONTH_DAYS / 90);
    expect(risk.map((n: any) => [n.customer.name, n.expectedValueAtRisk])).toEqual([
      ['A', 60000],
      ['B', r2(r2(500 * m(245)) * 0.8)],
      ['D', r2(r2(100 / pm) * 0.1)],
      ['E', r2(r2(50 * m(548)) * 0.2)],
      ['F', null],
    ]);
    const top = (await ok(stack, admin, RISK, { f: { valueSegments: ['top', 'low'] } })).riskList;
    expect(top.edges.map((e: any) => e.node.customer.name).sort()).toEqual(['A', 'D']);
    expect((await fails(stack, agent, RISK, {})).extensions?.code).toBe('FORBIDDEN');
  });

  it('retention summary by segment: revenue churn and net revenue retention (hand-computed)', async () => {
    // [2025-06-15, 2026-01-01): at start A 1000, B 500, C 300, E 50, F unknown; at end A, B, D, E, F
    const SUMMARY = `query($p: RetentionPeriod!) { retentionSummary(period: $p) { current {
      customersAtStart customersAtEnd acquired churned retentionRatePercent churnRatePercent
      revenue { segment revenueAtStart revenueChurned revenueRetained revenueChurnRatePercent netRevenueRetentionPercent unknownMrr }
      bySegment { segment customersAtStart customersAtEnd acquired churned retentionRatePercent churnRatePercent
        revenueAtStart revenueChurned revenueRetained revenueChurnRatePercent netRevenueRetentionPercent unknownMrr } } } }`;
    const s = (
      await ok(stack, admin, SUMMARY, {
        p: { from: '2025-06-15T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      })
    ).retentionSummary.current;
    expect(s).toMatchObject({
      customersAtStart: 5,
      customersAtEnd: 5,
      acquired: 1,
      churned: 2,
      retentionRatePercent: 80,
      churnRatePercent: 40,
    });
    expect(s.revenue).toEqual({
      segment: null,
      revenueAtStart: 1850,
      revenueChurned: 300,
      revenueRetained: 2550, // A 2000 + B 500 + E 50
      revenueChurnRatePercent: r2((300 / 1850) * 100),
      netRevenueRetentionPercent: r2((2550 / 1850) * 100),
      unknownMrr: 1,
    });
    const row = (
      seg: string | null,
      c: number[],
      rev: number[],
      rates: (number | null)[],
      unknown = 0,
    ) => ({
      segment: seg,
      customersAtStart: c[0],
      customersAtEnd: c[1],
      acquired: c[2],
      churned: c[3],
      revenueAtStart: rev[0],
      revenueChurned: rev[1],
      revenueRetained: rev[2],
      retentionRatePercent: rates[0],
      churnRatePercent: rates[1],
      revenueChurnRatePercent: rates[2],
      netRevenueRetentionPercent: rates[3],
      unknownMrr: unknown,
    });
    expect(s.bySegment).toEqual([
      row('top', [1, 1, 0, 0], [1000, 0, 2000], [100, 0, 0, 200]),
      row('high', [1, 1, 0, 1], [500, 0, 500], [100, 100, 0, 100]),
      row(
        'mid',
        [2, 1, 0, 1],
        [350, 300, 50],
        [50, 50, r2((300 / 350) * 100), r2((50 / 350) * 100)],
      ),
      row('low', [0, 1, 1, 0], [0, 0, 0], [null, null, null, null]),
      row(null, [1, 1, 0, 0], [0, 0, 0], [100, 0, null, null], 1),
    ]);
  });

  it('lists the customers behind each retention figure (same definitions, paged)', async () => {
    const LIST = `query($p: RetentionPeriod!, $f: RetentionFigure!, $s: ValueSegment, $u: Boolean, $after: String) {
      retentionCustomers(period: $p, figure: $f, segment: $s, unknownSegment: $u, first: 2, after: $after) {
        totalCount edges { node { customerId segment mrrAtStart mrrAtEnd customer { name } } } pageInfo { hasNextPage endCursor } } }`;
    const p = { from: '2025-06-15T00:00:00Z', to: '2026-01-01T00:00:00Z' };
    const names = async (vars: Record<string, unknown>) => {
      const out: any[] = [];
      const totals: number[] = [];
      let after: string | null = null;
      do {
        const page: any = (await ok(stack, admin, LIST, { p, ...vars, after })).retentionCustomers;
        out.push(...page.edges.map((e: any) => e.node));
        totals.push(page.totalCount);
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      // every page (first or after a cursor) gives the exact size of the whole list
      expect(totals).toEqual(totals.map(() => out.length));
      return out;
    };
    const start = await names({ f: 'customers_at_start' });
    expect(start.map((n) => n.customer.name).sort()).toEqual(['A', 'B', 'C', 'E', 'F']);
    expect(start.find((n) => n.customer.name === 'A')).toMatchObject({
      mrrAtStart: 1000,
      mrrAtEnd: 2000,
    });
    expect((await names({ f: 'customers_at_end' })).map((n) => n.customer.name).sort()).toEqual([
      'A',
      'B',
      'D',
      'E',
      'F',
    ]);
    expect((await names({ f: 'acquired' })).map((n) => n.customer.name)).toEqual(['D']);
    expect((await names({ f: 'churned' })).map((n) => n.customer.name).sort()).toEqual(['B', 'C']);
    expect((await names({ f: 'lost' })).map((n) => [n.customer.name, n.mrrAtStart])).toEqual([
      ['C', 300],
    ]);
    expect(
      (await names({ f: 'customers_at_start', s: 'mid' })).map((n) => n.customer.name).sort(),
    ).toEqual(['C', 'E']);
    expect((await names({ f: 'customers_at_start', u: true })).map((n) => n.customer.name)).toEqual(
      ['F'],
    );
  });

  it('KPIs and survey stats by value segment, revenue-weighted CSAT; one CSAT with supportKpis', async () => {
    // December 2025: A (top) 2 tickets rated 5 and 2, B (high) 1 ticket rated 4, E (mid) 1 rated 1
    const contact = async (c: string) =>
      (
        await stack.db.query<{ id: string }>(
          `INSERT INTO contacts (customer_id, name, email) VALUES ($1, 'P', $2) RETURNING id::text`,
          [c, `p${c}@v.example`],
        )
      ).rows[0].id;
    const rated = async (c: string, score: number) => {
      const who = await contact(c).catch(
        async () =>
          (await stack.db.query(`SELECT id::text FROM contacts WHERE customer_id = $1`, [c]))
            .rows[0].id,
      );
      const t = await stack.db.query<{ id: string }>(
        `INSERT INTO tickets (customer_id, requester_id, subject, channel, priority, status, created_at)
         VALUES ($1, $2, 'q', 'email', 'normal', 'open', '2025-12-10T10:00:00Z') RETURNING id::text`,
        [c, who],
      );
      await stack.db.query(
        `INSERT INTO surveys (kind, ticket_id, solve_cycle, contact_id, customer_id, token_salt, token_hash, sent_at, expires_at, responded_at, score)
         VALUES ('csat', $1, 1, $2, $3, 's', md5(random()::text), '2025-12-12T00:00:00Z', '2025-12-26T00:00:00Z', '2025-12-13T00:00:00Z', $4)`,
        [t.rows[0].id, who, c, score],
      );
      return t.rows[0].id;
    };
    await rated(ids.A, 5);
    await rated(ids.A, 2);
    await rated(ids.B, 4);
    await rated(ids.E, 1);
    await stack.worker!.get(KpisService).rebuild();
    const f = { from: '2025-12-01T00:00:00Z', to: '2026-01-01T00:00:00Z' };
    const kpis = (
      await ok(
        stack,
        admin,
        `query($f: KpiFilter!, $g: [String!]) { supportKpis(filter: $f, groupBy: $g) { rows { segment ticketsCreated csatRatings csatPercent csatRevenueWeightedPercent csatResponseRatePercent source } } }`,
        { f, g: ['segment'] },
      )
    ).supportKpis.rows;
    expect(kpis).toEqual([
      {
        segment: 'high',
        ticketsCreated: 1,
        csatRatings: 1,
        csatPercent: 100,
        csatRevenueWeightedPercent: 100,
        csatResponseRatePercent: 100,
        source: 'facts',
      },
      {
        segment: 'mid',
        ticketsCreated: 1,
        csatRatings: 1,
        csatPercent: 0,
        csatRevenueWeightedPercent: 0,
        csatResponseRatePercent: 100,
        source: 'facts',
      },
      {
        segment: 'top',
        ticketsCreated: 2,
        csatRatings: 2,
        csatPercent: 50,
        csatRevenueWeightedPercent: 50,
        csatResponseRatePercent: 100,
        source: 'facts',
      },
    ]);
    const onlyTop = (
      await ok(
        stack,
        admin,
        `query($f: KpiFilter!) { supportKpis(filter: $f) { rows { ticketsCreated } } }`,
        {
          f: { ...f, valueSegments: ['top'] },
        },
      )
    ).supportKpis.rows;
    expect(onlyTop).toEqual([{ ticketsCreated: 2 }]);
    // December as a whole month: the same figures from the precomputed segment cells
    const cells = (
      await ok(
        stack,
        admin,
        `query($f: KpiFilter!, $g: [String!]) { supportKpis(filter: $f, groupBy: $g) { rows { segment ticketsCreated csatRatings csatPercent csatRevenueWeightedPercent csatResponseRatePercent source } } }`,
        { f, g: ['segment', 'month'] },
      )
    ).supportKpis.rows;
    expect(cells).toEqual((kpis as { source: string }[]).map((r) => ({ ...r, source: 'cells' })));

    const STATS = `query($f: SurveyStatsFilter!, $g: SurveyGroup) { surveyStats(filter: $f, groupBy: $g) {
      groupKey csatResponses csatPercent csatRevenueWeightedPercent csatSent csatResponded csatResponseRatePercent responseRatePercent } }`;
    const bySeg = (await ok(stack, admin, STATS, { f, g: 'segment' })).surveyStats;
    const row = (k: string, n: number, pct: number, w: number) => ({
      groupKey: k,
      csatResponses: n,
      csatPercent: pct,
      csatRevenueWeightedPercent: w,
      csatSent: n,
      csatResponded: n,
      csatResponseRatePercent: 100,
      responseRatePercent: 100,
    });
    expect(bySeg).toEqual([row('high', 1, 100, 100), row('mid', 1, 0, 0), row('top', 2, 50, 50)]);
    const all = (await ok(stack, admin, STATS, { f })).surveyStats[0];
    // weights: A 2000 (×2), B 500, E 50 → (2000 + 500) ÷ 4550
    expect(all).toMatchObject({
      csatPercent: 50,
      csatRevenueWeightedPercent: r2((2500 / 4550) * 100),
    });
    // one definition: the same CSAT % and response rate % as supportKpis for the same range
    const total = (
      await ok(
        stack,
        admin,
        `query($f: KpiFilter!) { supportKpis(filter: $f) { rows { csatPercent csatRevenueWeightedPercent csatResponseRatePercent } } }`,
        { f },
      )
    ).supportKpis.rows[0];
    expect(total).toEqual({
      csatPercent: all.csatPercent,
      csatRevenueWeightedPercent: all.csatRevenueWeightedPercent,
      csatResponseRatePercent: all.csatResponseRatePercent,
    });
  });

  it('updateCustomer writes the MRR history; expected value and value at risk follow at once', async () => {
    await ok(
      stack,
      admin,
      `mutation($id: ID!) { updateCustomer(id: $id, input: { mrr: 1000 }) { mrr } }`,
      {
        id: ids.B,
      },
    );
    const b = await ltv(ids.B);
    expect(b.mrrHistory).toEqual([
      { mrr: 500, source: 'backfill' },
      { mrr: 1000, source: 'app' },
    ]);
    expect(b.lifetimeValue.expected).toBe(r2(1000 * m(245)));
    const { rows } = await stack.db.query(
      `SELECT expected_value_at_risk AS v FROM risk_scores WHERE customer_id = $1`,
      [ids.B],
    );
    expect(rows[0].v).toBeCloseTo(r2(1000 * m(245)) * 0.8, 6);
    // the same MRR again writes nothing
    await ok(
      stack,
      admin,
      `mutation($id: ID!) { updateCustomer(id: $id, input: { mrr: 1000 }) { mrr } }`,
      {
        id: ids.B,
      },
    );
    expect((await ltv(ids.B)).mrrHistory).toHaveLength(2);
    // a customer created without MRR: unknown
    const created = await ok(
      stack,
      admin,
      `mutation { createCustomer(input: { name: "NoMrr", customerSince: "2025-05-01T00:00:00Z" }) { id lifetimeValue { toDate } mrrHistory { mrr source } } }`,
    );
    expect(created.createCustomer).toMatchObject({
      lifetimeValue: { toDate: null },
      mrrHistory: [{ mrr: null, source: 'app' }],
    });
  });

  it('an imported customer list without MRR says unknown; with MRR it counts', async () => {
    const START = `mutation($input: StartImportInput!) { startImport(input: $input) { id } }`;
    const RUN = `query($id: ID!) { importRun(id: $id) { status created } }`;
    const content = 'external_id,name,customer_since\nX1,Imported One,2025-02-01T00:00:00Z\n';
    const withMrr =
      'external_id,name,customer_since,mrr\nX2,Imported Two,2025-02-01T00:00:00Z,400\n';
    for (const [csv, source] of [
      [content, 'crm1'],
      [withMrr, 'crm2'],
    ]) {
      const id = (
        await ok(stack, admin, START, {
          input: { kind: 'customers', content: csv, fileName: 'c.csv', source },
        })
      ).startImport.id;
      let run: any;
      const deadline = Date.now() + 20_000;
      do {
        await new Promise((res) => setTimeout(res, 100));
        run = (await ok(stack, admin, RUN, { id })).importRun;
      } while (run.status !== 'completed' && run.status !== 'failed' && Date.now() < deadline);
      expect(run).toMatchObject({ status: 'completed', created: 1 });
    }
    const { rows } = await stack.db.query(
      `SELECT id::text, name FROM customers WHERE external_source IN ('crm1', 'crm2') ORDER BY name`,
    );
    const one = await ltv(rows[0].id);
    expect(one.lifetimeValue.toDate).toBeNull();
    expect(one.mrrHistory).toEqual([{ mrr: null, source: 'import' }]);
    const two = await ltv(rows[1].id);
    const days = (Date.now() - Date.parse('2025-02-01T00:00:00Z')) / 86_400_000;
    expect(two.lifetimeValue.toDate).toBeCloseTo((400 * days) / MONTH_DAYS, 0);
  });

  it('the worker recomputes on the value queue (one round trip)', async () => {
    const events = new QueueEvents('value', {
      connection: { url: stack.config.redis.url },
      prefix: stack.config.redis.prefix,
    });
    await events.waitUntilReady();
    try {
      const job = await stack.worker!.get(JobPublisher).publish('value.recompute', {});
      await job.waitUntilFinished(events, 30_000);
      const { rows } = await stack.db.query(
        `SELECT count(*)::int AS n, min(computed_at) > $1 AS fresh FROM customer_values`,
        [AT],
      );
      expect(rows[0]).toEqual({ n: 9, fresh: true }); // A–F, NoMrr and the two imported
    } finally {
      await events.close();
    }
  });

  /*
   * As of AT again, with everyone the earlier cases added: NoMrr and Imported One unknown;
   * Imported Two since 2025-02-01 at 400: 400 × 334 ÷ 30.4375 = 4,389.16 (10.97 months: to date).
   * New G since 2025-12-01 at 5,000: 31 days = 5,092.40 to date, run rate 5,000 × 6 = 30,000.
   * Placement of the active known: D 600 (run rate) < E 1,200.82 < B 4,024.64 < Two 4,389.16
   * < A 18,036.96 < G 30,000 (run rate); ntile(4) of 6 = 2, 2, 1, 1: low {D, E} ≥ 600,
   * mid {B, Two} ≥ 4,024.64, high {A} ≥ 18,036.96, top {G} ≥ 30,000; churned C 1,803.70 → low.
   * (By value to date alone G would be high and A top.)
   * Bands low ≥ 0, mid ≥ 1,000, top ≥ 20,000: D low; E, C, B, Two, A mid; G top.
   */
  it('short histories are placed by run rate; admins set bands (validated, audited, recomputed)', async () => {
    ids.G = await customer('G', { since: '2025-12-01T00:00:00Z', mrr: 5000 });
    await mrr(ids.G, 5000, '2025-12-01T00:00:00Z');
    const service = stack.worker!.get(ValueService);
    await service.recomputeAll(AT);
    const segs = async () =>
      Object.fromEntries(
        (
          await stack.db.query<{ name: string; segment: string }>(
            `SELECT c.name, v.segment FROM customer_values v JOIN customers c ON c.id = v.customer_id
              WHERE c.name IN ('A', 'B', 'C', 'D', 'E', 'G', 'Imported Two') ORDER BY c.name`,
          )
        ).rows.map((r) => [r.name, r.segment]),
      );
    expect(await segs()).toEqual({
      A: 'high',
      B: 'mid',
      C: 'low',
      D: 'low',
      E: 'low',
      G: 'top',
      'Imported Two': 'mid',
    });
    expect((await ltv(ids.G)).lifetimeValue).toMatchObject({
      segment: 'top',
      segmentValue: 30000,
      segmentBasis: 'run_rate',
    });
    const BOUNDS = `{ valueSegments { segment minToDate activeCustomers scheme } }`;
    expect((await ok(stack, admin, BOUNDS)).valueSegments).toEqual([
      { segment: 'top', minToDate: 30000, activeCustomers: 1, scheme: 'quartiles' },
      {
        segment: 'high',
        minToDate: r2((1000 * 181 + 2000 * 184) / MONTH_DAYS),
        activeCustomers: 1,
        scheme: 'quartiles',
      },
      {
        segment: 'mid',
        minToDate: r2((500 * 245) / MONTH_DAYS),
        activeCustomers: 2,
        scheme: 'quartiles',
      },
      { segment: 'low', minToDate: 600, activeCustomers: 2, scheme: 'quartiles' },
    ]);

    const SET = `mutation($s: ValueSegmentScheme!, $b: [ValueSegmentBandInput!]) {
      setValueSegmentScheme(scheme: $s, bands: $b) { scheme bands { segment minValue } setAt setById } }`;
    const bands = [
      { segment: 'low', minValue: 0 },
      { segment: 'mid', minValue: 1000 },
      { segment: 'top', minValue: 20000 },
    ];
    expect((await fails(stack, agent, SET, { s: 'bands', b: bands })).extensions?.code).toBe(
      'FORBIDDEN',
    );
    for (const [b, field] of [
      [[bands[0]], 'bands'],
      [[bands[0], { segment: 'top', minValue: 0 }], 'bands[1].minValue'],
      [[bands[0], { segment: 'low', minValue: 10 }], 'bands[1].segment'],
      [[bands[2], { segment: 'mid', minValue: 30000 }], 'bands[1].segment'],
      [[{ segment: 'low', minValue: -5 }, bands[1]], 'bands[0].minValue'],
    ] as const) {
      const err = await fails(stack, admin, SET, { s: 'bands', b });
      expect(err.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const bad = await fails(stack, admin, SET, { s: 'quartiles', b: bands });
    expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'bands' });
    expect(
      (await ok(stack, admin, `{ valueSegmentScheme { scheme } }`)).valueSegmentScheme.scheme,
    ).toBe('quartiles');

    const set = (await ok(stack, admin, SET, { s: 'bands', b: bands })).setValueSegmentScheme;
    expect(set).toMatchObject({ scheme: 'bands', bands });
    const { rows: audit } = await stack.db.query(
      `SELECT details FROM audit_log WHERE action = 'value.segment_scheme.set' AND actor_id = $1`,
      [set.setById],
    );
    expect(audit).toEqual([{ details: expect.objectContaining({ scheme: 'bands', bands }) }]);
    // the mutation queued value.recompute: wait for the worker to have used the bands
    const deadline = Date.now() + 20_000;
    let scheme: string | undefined;
    do {
      await new Promise((res) => setTimeout(res, 100));
      scheme = (await stack.db.query(`SELECT min(scheme) AS s FROM value_segments`)).rows[0].s;
    } while (scheme !== 'bands' && Date.now() < deadline);
    expect(scheme).toBe('bands');
    await service.recomputeAll(AT);
    expect(await segs()).toEqual({
      A: 'mid',
      B: 'mid',
      C: 'mid',
      D: 'low',
      E: 'mid',
      G: 'top',
      'Imported Two': 'mid',
    });
    expect((await ok(stack, admin, BOUNDS)).valueSegments).toEqual([
      { segment: 'top', minToDate: 20000, activeCustomers: 1, scheme: 'bands' },
      { segment: 'mid', minToDate: 1000, activeCustomers: 4, scheme: 'bands' },
      { segment: 'low', minToDate: 0, activeCustomers: 1, scheme: 'bands' },
    ]);

    const back = (await ok(stack, admin, SET, { s: 'quartiles' })).setValueSegmentScheme;
    expect(back).toEqual({ scheme: 'quartiles', bands: [], setAt: null, setById: null });
    await service.recomputeAll(AT);
    expect((await segs()).G).toBe('top');
    expect((await ok(stack, admin, BOUNDS)).valueSegments[0]).toMatchObject({
      scheme: 'quartiles',
    });
  });
});
