import { sql } from 'kysely';
import { db } from '@staydesk/core';
import { MediumDatabase, fixtures, mediumDatabase } from '@staydesk/testing';
import type { RiskListQuery } from './retention-rules';
import { RetentionRepository, RiskListRow } from './retention.repository';
import { RiskRowRepository } from './risk-row.repository';

/** The churn-risk list's SQL (typed `sql` template) and the retention writes, against a migrated database. */
describe('RetentionRepository (medium)', () => {
  const repo = new RetentionRepository();
  const rows = new RiskRowRepository();
  let m: MediumDatabase;
  let am: string;
  let otherAm: string;
  let privateTeam: string;
  /** Customer ids in insertion order, and their scores (two ties on purpose). */
  const ids: string[] = [];
  const scores = [80, 55, 55, 90, 20, 55, 70];
  const mrrs = [100, 1000, 200, 10, 5000, 300, 50];

  const query = (over: Partial<RiskListQuery> = {}): RiskListQuery => ({
    accountManagerId: null,
    bands: null,
    tiers: null,
    valueSegments: null,
    mrrMin: null,
    mrrMax: null,
    renewalWithinDays: null,
    rising: false,
    hasOpenFollowUp: null,
    snoozed: 'exclude',
    changeDays: 30,
    order: 'score',
    ...over,
  });
  const list = (q: RiskListQuery, after: { key: number; id: string } | null, limit: number) =>
    m.run((tx) => repo.riskList(tx, q, after, limit));
  /** Every row, page by page through the keyset. */
  async function pages(q: RiskListQuery, size: number): Promise<RiskListRow[]> {
    const out: RiskListRow[] = [];
    let after: { key: number; id: string } | null = null;
    for (;;) {
      const page = await list(q, after, size);
      out.push(...page);
      if (page.length < size) return out;
      const last = page[page.length - 1];
      after = { key: last.sortKey, id: last.customerId };
    }
  }
  const band = (s: number) =>
    s >= 75 ? 'critical' : s >= 50 ? 'high' : s >= 25 ? 'medium' : 'low';

  beforeAll(async () => {
    m = await mediumDatabase();
    const k = db(m.db);
    const f = fixtures(m.db);
    am = await f.user({ email: 'am@x.test', name: 'Ann', role: 'account_manager' });
    otherAm = await f.user({ email: 'bo@x.test', name: 'Bo', role: 'account_manager' });
    privateTeam = await f.team({ name: 'Secret', isPrivate: true });
    for (let i = 0; i < scores.length; i++) {
      const id = await f.customer({
        name: `C${i}`,
        mrr: mrrs[i],
        accountManagerId: i % 2 === 0 ? am : otherAm,
      });
      ids.push(id);
      await k
        .insertInto('riskScores')
        .values({
          customerId: id,
          score: scores[i],
          band: band(scores[i]),
          // a snake_case key inside a factor must come back as stored (read as text)
          factors: JSON.stringify([
            { name: 'contact_drop', label: 'Went quiet', contribution: 5, input: i / 10 },
            { name: 'low_csat', label: 'Low CSAT', contribution: 10, value: 2, extra_note: 'x' },
          ]),
          modelVersion: 'test',
        })
        .execute();
      // the score 40 days ago: customer i was i points lower
      await k
        .insertInto('riskScoreHistory')
        .values({
          customerId: id,
          score: scores[i] - i,
          band: band(scores[i] - i),
          modelVersion: 'test',
          computedAt: new Date(Date.now() - 40 * 86_400_000),
        })
        .execute();
    }
    // customer 1: its only tickets are in a private team
    const contact = await f.contact({ customerId: ids[1], email: 'cy@c1.test' });
    for (const status of ['open', 'pending', 'solved'] as const) {
      await f.ticket({
        customerId: ids[1],
        requesterId: contact,
        subject: 'Hidden',
        status,
        teamId: privateTeam,
      });
    }
  });
  afterAll(() => m.close());

  /** The list's order: sort key desc, then customer id desc (numerically). */
  const expectKeysetOrder = (r: RiskListRow[]) => {
    const keys = r.map((x) => [x.sortKey, BigInt(x.customerId)] as const);
    expect(keys).toEqual(
      [...keys].sort((a, b) => (a[0] !== b[0] ? b[0] - a[0] : a[1] > b[1] ? -1 : 1)),
    );
  };

  it('orders by score desc then id desc, and pages through the keyset without gaps or repeats', async () => {
    const all = await list(query(), null, 100);
    expect(all.map((r) => r.customerId)).toEqual([
      ids[3],
      ids[0],
      ids[6],
      ids[5],
      ids[2],
      ids[1],
      ids[4],
    ]);
    expectKeysetOrder(all);
    for (const size of [1, 2, 3]) {
      expect((await pages(query(), size)).map((r) => r.customerId)).toEqual(
        all.map((r) => r.customerId),
      );
    }
    // the tie (55 for customers 1, 2 and 5) by id descending, as numbers
    const tie = all.filter((r) => r.score === 55).map((r) => Number(r.customerId));
    expect(tie).toEqual([...tie].sort((a, b) => b - a));
  });

  it('types the row and keeps the factors’ keys as stored', async () => {
    const [top] = await list(query(), null, 1);
    expect(top).toMatchObject({
      customerId: ids[3],
      sortKey: 90,
      score: 90,
      band: 'critical',
      mrr: 10,
      riskWeightedMrr: 9,
      scoreChange: 3,
      accountManagerId: otherAm,
      accountManagerName: 'Bo',
      customerName: 'C3',
      openTickets: 0,
      openFollowUps: 0,
      snoozedUntil: null,
      lastCsat: null,
    });
    expect(top.factors[1]).toEqual({
      name: 'low_csat',
      label: 'Low CSAT',
      contribution: 10,
      value: 2,
      extra_note: 'x',
    });
  });

  it('orders by revenue at risk, going quiet and score change (from the history)', async () => {
    const rar = await pages(query({ order: 'revenue_at_risk' }), 2);
    expectKeysetOrder(rar);
    // score × MRR ÷ 100, kept by the trigger: 1000, 550, 165, 110, 80, 35, 9
    expect(rar.map((r) => r.customerId)).toEqual([4, 1, 5, 2, 0, 6, 3].map((i) => ids[i]));
    expect(rar.map((r) => r.sortKey)).toEqual([1000, 550, 165, 110, 80, 35, 9]);
    const quiet = await pages(query({ order: 'going_quiet' }), 3);
    expect(quiet.map((r) => r.customerId)).toEqual([...ids].reverse());
    const change = await pages(query({ order: 'score_change' }), 2);
    expect(change.map((r) => r.customerId)).toEqual([...ids].reverse());
    expect(change.map((r) => r.scoreChange)).toEqual([6, 5, 4, 3, 2, 1, 0]);
    const rising = await list(query({ rising: true }), null, 100);
    expect(rising.map((r) => r.customerId)).not.toContain(ids[0]);
    expect(rising).toHaveLength(6);
  });

  it('orders by the materialized change the same way when the full rescore stored the base', async () => {
    const viaHistory = await pages(query({ order: 'score_change' }), 3);
    const setBase = (expr: string) =>
      m.run(async (tx) => {
        await sql`UPDATE risk_scores r SET base_score = ${sql.raw(expr)} FROM risk_score_history h
                   WHERE h.customer_id = r.customer_id`.execute(db(tx));
        await sql`INSERT INTO risk_score_base (id, days, base_at)
                  VALUES (1, 30, date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - make_interval(days => 30))
                  ON CONFLICT (id) DO UPDATE SET days = EXCLUDED.days, base_at = EXCLUDED.base_at`.execute(
          db(tx),
        );
      });
    // a base that orders the other way round: the list follows the stored column…
    await setBase(`r.score + (r.customer_id - ${ids[0]}) + 10`);
    const stored = await pages(query({ order: 'score_change' }), 3);
    expect(stored.map((r) => r.customerId)).toEqual(ids);
    // …and with the history's base it is the same list as without it
    await setBase('h.score');
    expect(await pages(query({ order: 'score_change' }), 3)).toEqual(viaHistory);
    // another window is not materialized: it reads the history
    const week = await pages(query({ order: 'score_change', changeDays: 7 }), 3);
    expect(week.map((r) => r.customerId)).toEqual([...ids].reverse());
  });

  it('lists customers whose tickets are all in a private team, counting them (aggregates see every team)', async () => {
    const all = await list(query(), null, 100);
    const c1 = all.find((r) => r.customerId === ids[1])!;
    expect(c1.openTickets).toBe(2);
    expect(
      (await list(query({ accountManagerId: otherAm }), null, 100)).map((r) => r.customerId),
    ).toEqual([ids[3], ids[5], ids[1]]);
    expect(
      (await list(query({ bands: ['critical'], mrrMin: 50 }), null, 100)).map((r) => r.customerId),
    ).toEqual([ids[0]]);
  });

  it('snoozes (upsert), hides snoozed rows unless asked, and unsnoozes once', async () => {
    const until = new Date(Date.now() + 86_400_000);
    await m.run((tx) => repo.snooze(tx, ids[3], new Date(Date.now() + 1000), 'first', am));
    const z = await m.run((tx) => repo.snooze(tx, ids[3], until, 'later', otherAm));
    expect(z).toEqual({
      customerId: ids[3],
      until,
      reason: 'later',
      actorId: otherAm,
      createdAt: expect.any(Date),
    });
    expect((await list(query(), null, 100)).map((r) => r.customerId)).not.toContain(ids[3]);
    const only = await list(query({ snoozed: 'only' }), null, 100);
    expect(only.map((r) => [r.customerId, r.snoozeReason])).toEqual([[ids[3], 'later']]);
    expect(await m.run((tx) => repo.unsnooze(tx, ids[3]))).toBe(true);
    expect(await m.run((tx) => repo.unsnooze(tx, ids[3]))).toBe(false);
    expect(await m.run((tx) => repo.customerForAction(tx, ids[3]))).toEqual({
      id: ids[3],
      name: 'C3',
      status: 'active',
      accountManagerId: otherAm,
    });
    expect(await m.run((tx) => repo.customerForAction(tx, '999999999'))).toBeNull();
  });

  it('reads the period figures with their per-band objects', async () => {
    const from = new Date(Date.now() - 86_400_000);
    const to = new Date(Date.now() + 86_400_000);
    const c = await repo.periodCounts(m.db, from, to);
    expect(c.customersAtEnd).toBe(ids.length);
    expect(c.bands).toEqual({ critical: 2, high: 4, low: 1 });
    expect(c.bandRevenue.high).toBe(1000 + 200 + 300 + 50);
    const segs = await m.run((tx) => repo.segmentCounts(tx, from, to));
    expect(segs[0]).toMatchObject({ segment: 'all', customersAtEnd: ids.length });
    const acquired = await m.run((tx) =>
      repo.periodCustomers(tx, from, to, 'acquired', undefined, null, 3),
    );
    expect(acquired.map((r) => r.customerId)).toEqual(ids.slice(0, 3));
    expect(acquired[0].total).toBe(ids.length);
    const next = await m.run((tx) =>
      repo.periodCustomers(tx, from, to, 'acquired', undefined, ids[2], 10, 'high'),
    );
    expect(next.map((r) => r.customerId)).toEqual([ids[5], ids[6]]);
  });

  it('reads the per-row extras: history oldest first and the last contact', async () => {
    const h = await rows.history(m.db, [ids[2], ids[0]], new Date(Date.now() - 50 * 86_400_000));
    expect(h.map((p) => [p.customerId, p.score])).toEqual([
      [ids[0], 80],
      [ids[2], 53],
    ]);
    expect(h[0].computedAt).toBeInstanceOf(Date);
    const last = await rows.lastContact(m.db, [ids[1], ids[0]]);
    const byId = new Map(last.map((r) => [r.customerId, r.at]));
    expect(byId.get(ids[1])).toBeInstanceOf(Date);
    expect(byId.get(ids[0])).toBeNull();
  });
});
