import { db } from '@staydesk/core';
import { MediumDatabase, fixtures, mediumDatabase } from '@staydesk/testing';
import { MONTH_SECONDS } from './value-rules';
import { ValueRepository } from './value.repository';

/** The lifetime-value SQL templates (live value, nightly recomputation) against a migrated database. */
describe('ValueRepository (medium)', () => {
  const repo = new ValueRepository();
  const at = new Date('2026-06-01T00:00:00Z');
  const monthsBefore = (n: number) => new Date(at.getTime() - n * MONTH_SECONDS * 1000);
  let m: MediumDatabase;
  let steady: string;
  let churned: string;
  let admin: string;

  beforeAll(async () => {
    m = await mediumDatabase();
    const k = db(m.db);
    const f = fixtures(m.db);
    admin = await f.user({ email: 'ad@x.test', name: 'Ad', role: 'admin' });
    // 100 a month for 2 months, no MRR history: its current MRR throughout
    steady = await f.customer({ name: 'Steady', customerSince: monthsBefore(2) });
    // 50, then 80 from a month in; churned after 3 months of 4
    churned = await f.customer({
      name: 'Gone',
      mrr: 80,
      status: 'churned',
      customerSince: monthsBefore(4),
      churnedAt: monthsBefore(1),
    });
    await k
      .insertInto('customerMrrHistory')
      .values([
        { customerId: churned, mrr: 50, effectiveFrom: monthsBefore(4), source: 'app' },
        { customerId: churned, mrr: 80, effectiveFrom: monthsBefore(3), source: 'app' },
      ])
      .execute();
    await k
      .insertInto('customerStatusChanges')
      .values({
        customerId: churned,
        fromStatus: 'active',
        toStatus: 'churned',
        changedAt: monthsBefore(1),
      })
      .execute();
  });
  afterAll(() => m.close());

  it('computes the value to date from status changes and MRR periods', async () => {
    const rows = await repo.live(m.db, [steady, churned], at);
    const by = new Map(rows.map((r) => [r.customerId, r]));
    expect(by.get(steady)!.toDate).toBeCloseTo(200, 2);
    expect(by.get(steady)!.monthsAsCustomer).toBeCloseTo(2, 6);
    expect(by.get(churned)!.toDate).toBeCloseTo(50 + 2 * 80, 2);
    expect(by.get(churned)!.monthsAsCustomer).toBeCloseTo(3, 6);
  });

  it('recomputes stored values and quartile segments, then admin bands', async () => {
    const r = await m.run((tx) => repo.recomputeAll(tx, at));
    expect(r.customers).toBeGreaterThanOrEqual(2);
    expect(r.segments).toBeGreaterThanOrEqual(1);
    const stored = await repo.stored(m.db, [steady, churned]);
    const by = new Map(stored.map((s) => [s.customerId, s]));
    expect(by.get(churned)).toMatchObject({
      toDate: 210,
      basis: 'churned',
      expectedMonths: 0,
      expected: 0,
      basisDetail: 'churned: no remaining months',
    });
    // a short active history counts at its run rate (6 × 100) when that is higher
    expect(by.get(steady)).toMatchObject({
      toDate: 200,
      segmentValue: 600,
      segmentBasis: 'run_rate',
      mrrKnown: true,
    });
    expect(by.get(steady)!.computedAt.getTime()).toBe(at.getTime());
    expect((await repo.segments(m.db)).every((s) => s.scheme === 'quartiles')).toBe(true);

    await m.run((tx) =>
      repo.replaceBands(
        tx,
        [
          { segment: 'low', minValue: 0 },
          { segment: 'top', minValue: 500 },
        ],
        admin,
        at,
      ),
    );
    expect(await repo.bands(m.db)).toEqual({
      bands: [
        { segment: 'low', minValue: 0 },
        { segment: 'top', minValue: 500 },
      ],
      setAt: at,
      setById: admin,
    });
    await m.run((tx) => repo.recomputeAll(tx, at));
    const segments = await repo.segments(m.db);
    expect(segments.map((s) => [s.segment, s.minToDate, s.scheme, s.activeCustomers])).toEqual([
      ['top', 500, 'bands', 1],
      ['low', 0, 'bands', 0],
    ]);
    const [gone] = await repo.stored(m.db, [churned]);
    expect(gone.segment).toBe('low');
    const low = segments.find((s) => s.segment === 'low')!;
    expect(low.churned12m).toBe(1);
    expect(low.monthlyChurnRate).toBeCloseTo(1 / 3, 6);
  });
});
