import { db } from '@staydesk/core';
import { MediumDatabase, fixtures, mediumDatabase } from '@staydesk/testing';
import { KpiDrillRepository } from './kpi-drill.repository';
import { KpisRepository } from './kpis.repository';
import { mergeHalves } from './kpi-sql';

const H = 3600_000;
const at = (day: number, hour: number) => new Date(Date.UTC(2026, 0, day, hour));

/**
 * The KPI SQL (facts, the metric query, the cube, next reply, the drill-down) against a migrated
 * database, on five hand-made tickets in the week of 5 January 2026 (no team, so wall-clock
 * seconds). Figures computed by hand:
 *
 * | ticket | priority | created     | first response (due)  | solved (due)       | reopens |
 * | ------ | -------- | ----------- | --------------------- | ------------------ | ------- |
 * | T1     | high     | 5 Jan 10:00 | +10 min (+30 min) met | +1 h (+4 h) met    | 0       |
 * | T2     | high     | 6 Jan 10:00 | +40 min (+30 min)     | +2 h (+4 h) met    | 1       |
 * | T3     | normal   | 7 Jan 10:00 | +20 min (+1 h) met    | +4 h (+3 h)        | 0       |
 * | T4     | normal   | 8 Jan 10:00 | none (+1 h)           | +8 h (+24 h) met   | 0       |
 * | T5     | normal   | 9 Jan 10:00 | +5 min (+1 h) met     | open (+8 h)        | 0       |
 *
 * Resolution seconds 3600, 7200, 14400, 28800: median (7200 + 14400) / 2 = 10800, p90 at
 * position 0.9 × 3 = 2.7: 14400 + 0.7 × 14400 = 24480, mean 13500. First response 600, 2400,
 * 1200, 300: median 900. SLA first response 5 due, 3 met; resolution 5 due, 3 met. One reopened,
 * one touch (T1 has one agent reply), backlog 1 at the week's end (T5).
 */
describe('KpisRepository (medium)', () => {
  const repo = new KpisRepository();
  const drill = new KpiDrillRepository();
  let m: MediumDatabase;
  const ids: string[] = [];
  const week = { start: at(5, 0), end: at(12, 0) };
  const now = at(32, 0); // 1 February 2026

  beforeAll(async () => {
    m = await mediumDatabase();
    const k = db(m.db);
    const f = fixtures(m.db);
    const agent = await f.user({ email: 'ag@x.test', name: 'Ag' });
    const customer = await f.customer();
    const contact = await f.contact({ customerId: customer });
    const min = 60_000;
    const tickets = [
      { day: 5, priority: 'high', fr: 10, frDue: 30, solved: 1, resDue: 4, reopens: 0 },
      { day: 6, priority: 'high', fr: 40, frDue: 30, solved: 2, resDue: 4, reopens: 1 },
      { day: 7, priority: 'normal', fr: 20, frDue: 60, solved: 4, resDue: 3, reopens: 0 },
      { day: 8, priority: 'normal', fr: null, frDue: 60, solved: 8, resDue: 24, reopens: 0 },
      { day: 9, priority: 'normal', fr: 5, frDue: 60, solved: null, resDue: 8, reopens: 0 },
    ] as const;
    for (const t of tickets) {
      const created = at(t.day, 10);
      ids.push(
        await f.ticket({
          customerId: customer,
          requesterId: contact,
          subject: `T${ids.length + 1}`,
          priority: t.priority,
          status: t.solved === null ? 'open' : 'solved',
          createdAt: created,
          firstResponseAt: t.fr === null ? null : new Date(created.getTime() + t.fr * min),
          firstResponseDueAt: new Date(created.getTime() + t.frDue * min),
          solvedAt: t.solved === null ? null : new Date(created.getTime() + t.solved * H),
          resolutionDueAt: new Date(created.getTime() + t.resDue * H),
          reopenCount: t.reopens,
        }),
      );
    }
    // T1: one agent reply (one touch), which stopped a next-reply clock after 10 minutes
    await f.message({
      ticketId: ids[0],
      kind: 'public_reply',
      author: agent,
      body: 'done',
      createdAt: at(5, 10),
    });
    await k
      .insertInto('ticketEvents')
      .values({
        ticketId: ids[0],
        type: 'next_reply_met',
        fromValue: at(5, 10).toISOString(),
        createdAt: new Date(at(5, 10).getTime() + 10 * min),
      })
      .execute();
    expect(await m.run((tx) => repo.rebuildFacts(tx))).toBe(5);
  });
  afterAll(() => m.close());

  const overall = () => repo.computeRows(m.db, [], {}, [week.start], [week.end], now);

  it('computes the week’s figures from the facts as computed by hand', async () => {
    const [r] = await overall();
    expect(r).toMatchObject({
      i: 1,
      team: null,
      priority: null,
      ticketsCreated: 5,
      ticketsSolved: 4,
      frtN: 4,
      frtP50: 900,
      resN: 4,
      resMean: 13500,
      resP50: 10800,
      frSlaDue: 5,
      frSlaMet: 3,
      resSlaDue: 5,
      resSlaMet: 3,
      reopened: 1,
      oneTouch: 1,
      backlog: 1,
      waitN: 0,
      csatRatings: 0,
      surveysSent: 0,
    });
    expect(r.resP90).toBeCloseTo(24480, 6);
    expect(r.frtMean).toBeCloseTo(1125, 6);
  });

  it('groups by priority and filters by a dimension', async () => {
    const rows = await repo.computeRows(m.db, ['priority'], {}, [week.start], [week.end], now);
    const by = new Map(rows.map((r) => [r.priority, r]));
    expect(by.get('high')).toMatchObject({ ticketsCreated: 2, ticketsSolved: 2, resP50: 5400 });
    expect(by.get('normal')).toMatchObject({
      ticketsCreated: 3,
      ticketsSolved: 2,
      resP50: 21600,
      backlog: 1,
    });
    const [high] = await repo.computeRows(
      m.db,
      [],
      { priority: ['high'] },
      [week.start],
      [week.end],
      now,
    );
    expect(high).toMatchObject({ ticketsCreated: 2, reopened: 1, frSlaMet: 1 });
  });

  it('answers the same in two halves, merged, as in one statement', async () => {
    // two buckets (the second empty but for its backlog), by priority: groups in one half only
    const starts = [week.start, at(12, 0)];
    const ends = [week.end, at(19, 0)];
    const run = (half: 'all' | 'anchors' | 'rest') =>
      repo.computeRows(m.db, ['priority'], {}, starts, ends, now, true, [], null, half);
    const whole = await run('all');
    const order = (rows: typeof whole) =>
      [...rows].sort((a, b) => a.i - b.i || String(a.priority).localeCompare(String(b.priority)));
    const [anchors, rest] = [await run('anchors'), await run('rest')];
    expect(anchors.some((r) => r.ticketsCreated > 0 && r.backlog === 0)).toBe(true);
    expect(rest.every((r) => r.ticketsCreated === 0 && r.resP50 === null)).toBe(true);
    expect(order(mergeHalves(anchors, rest))).toEqual(order(whole));
    expect(whole.find((r) => r.i === 2)).toMatchObject({ priority: 'normal', backlog: 1 });
  });

  it('writes the same figures into the cube and reads them back', async () => {
    await m.run((tx) => repo.recomputeCells(tx, 'week', [week.start], [week.end], now));
    const [fromFacts] = await overall();
    const [cell] = await repo.cellRows(m.db, 'week', 'all', null, [week.start]);
    expect(cell).toEqual(fromFacts);
    const cells = await repo.cellRows(m.db, 'week', 'priority', ['normal'], [week.start]);
    expect(cells).toHaveLength(1);
    expect(cells[0]).toMatchObject({ priority: 'normal', ticketsCreated: 3, resP50: 21600 });
    expect((await repo.factProbe(m.db, [week])).stamps).toEqual(['0@0']);
    expect((await repo.factProbe(m.db, [])).stamps).toEqual([]);
    // the week's days as day cells: the stamp counts them and takes their latest computation
    const dayStarts = [...Array(7).keys()].map(
      (k) => new Date(week.start.getTime() + k * 86_400_000),
    );
    const dayEnds = dayStarts.map((d) => new Date(d.getTime() + 86_400_000));
    await m.run((tx) => repo.recomputeCells(tx, 'day', dayStarts, dayEnds, now));
    const {
      stamps: [one, none],
    } = await repo.factProbe(m.db, [week, { start: new Date(0), end: new Date(1000) }]);
    expect(one).toMatch(/^[1-7]@[1-9]\d*$/);
    expect(none).toBe('0@0');
  });

  it('refreshes a changed ticket’s fact and reports the days it touches', async () => {
    await db(m.db)
      .updateTable('tickets')
      .set({ reopenCount: 2 })
      .where('id', '=', ids[2])
      .execute();
    const dirty = await m.run((tx) => repo.refreshFacts(tx, [ids[2]]));
    expect(dirty.days.map((d) => d.toISOString())).toContain(at(7, 0).toISOString());
    expect(dirty.ranges).toEqual([]);
    const [r] = await overall();
    expect(r.reopened).toBe(2);
    // unchanged facts are not rewritten and touch nothing
    expect(await m.run((tx) => repo.refreshFacts(tx, [ids[0]]))).toEqual({ days: [], ranges: [] });
  });

  it('counts next replies per bucket', async () => {
    expect(await repo.nextReplyRows(m.db, [], {}, [week.start], [week.end])).toEqual([
      {
        i: 1,
        team: null,
        agent: null,
        channel: null,
        priority: null,
        tier: null,
        segment: null,
        n: 1,
        met: 1,
        mean: 600,
        p50: 600,
        p90: 600,
      },
    ]);
  });

  it('opens a figure to its tickets, in the order asked', async () => {
    expect(await drill.count(m.db, 'resolution', {}, week.start, week.end)).toBe(4);
    expect(await drill.count(m.db, 'sla_resolution_breached', {}, week.start, week.end)).toBe(2);
    const page = await drill.page(
      m.db,
      'resolution',
      {},
      week.start,
      week.end,
      'value_desc',
      null,
      3,
    );
    expect(page.map((r) => [r.ticketId, r.value])).toEqual([
      [ids[3], 28800],
      [ids[2], 14400],
      [ids[1], 7200],
    ]);
    const rest = await drill.page(
      m.db,
      'resolution',
      {},
      week.start,
      week.end,
      'value_desc',
      { key: page[2].sortValue, id: page[2].rowId },
      3,
    );
    expect(rest.map((r) => r.ticketId)).toEqual([ids[0]]);
  });

  it('keeps the refresh state and the lock', async () => {
    const s = await repo.state(m.db);
    expect(s.now).toBeInstanceOf(Date);
    await repo.saveState(m.db, { watermark: now, lastRunAt: now, rebuiltAt: now });
    await repo.saveState(m.db, { watermark: now, lastRunAt: now });
    expect(await repo.state(m.db)).toMatchObject({
      watermark: now,
      lastRunAt: now,
      rebuiltAt: now,
    });
    expect(await repo.factProbe(m.db, [])).toMatchObject({ lastRunAt: now, stamps: [] });
    expect(await repo.factsMissing(m.db)).toBe(false);
    expect(await m.run((tx) => repo.tryLock(tx))).toBe(true);
    expect(await repo.firstInstant(m.db)).toEqual(at(5, 10));
  });
});
