import { QueueEvents } from 'bullmq';
import { JobPublisher } from '@staydesk/core';
import type { RefreshResult } from '@staydesk/kpis';
import { insertUser, login, ok } from '../support/factories';
import { TestStack, startStack } from '../support/stack';

const DAY = 86_400_000;
const KPIS = `query($f: KpiFilter!, $g: [String!]) { supportKpis(filter: $f, groupBy: $g) {
  rows { periodStart segment ticketsCreated ticketsSolved csatRatings backlogAtEnd source } } }`;

/*
 * A value-segment shift over many customers (docs/kpis.md, "Segment shifts"), with the step
 * sizes turned down so a small world takes many steps: a shift behind more than 10 facts is
 * queued; a step rewrites the facts of 2 customers or the segment cells of 3 days (a week, a
 * month); one step per refresh (no time budget). Every refresh and value run goes through the
 * worker's queues.
 *
 * Eight customers with MRR 100…800 since 2024 and 5 tickets each over the last 20 days: segments
 * are quartiles of the active customers, low {100, 200}, mid {300, 400}, high {500, 600},
 * top {700, 800}. Then eight customers with MRR 10,000+ (no tickets) are added: the sixteen's
 * quartiles put all eight old ones in low {100…400} and mid {500…800}, so six of them move
 * (300, 400 mid → low; 500, 600 high → mid; 700, 800 top → mid): 30 facts behind.
 */
describe('KPIs after a segment shift over many customers (bounded steps)', () => {
  let stack: TestStack;
  let admin: string;
  const events: Record<string, QueueEvents> = {};
  const customers: string[] = [];
  const today = Date.UTC(
    new Date().getUTCFullYear(),
    new Date().getUTCMonth(),
    new Date().getUTCDate(),
  );
  const range = {
    from: new Date(today - 21 * DAY).toISOString(),
    to: new Date(today).toISOString(),
  };

  /** Publishes a job to the worker's queue and waits for its result. */
  async function job(
    name: 'kpi.refresh' | 'kpi.rebuild' | 'value.recompute',
    id: string,
  ): Promise<unknown> {
    const j = await stack.worker!.get(JobPublisher).publish(name, {}, { jobId: id });
    return j.waitUntilFinished(events[name.startsWith('kpi') ? 'kpis' : 'value'], 60_000);
  }
  let refreshes = 0;
  let values = 0;
  const refresh = async () => (await job('kpi.refresh', `seg-${++refreshes}`)) as RefreshResult;

  /** A customer last changed `ago` ms before now (the refresh reads changes two minutes back). */
  async function customer(name: string, mrr: number, ago = 0): Promise<string> {
    const { rows } = await stack.db.query<{ id: string }>(
      `INSERT INTO customers (name, tier, mrr, customer_since, status, updated_at)
       VALUES ($1, 'pro', $2, '2024-01-01T00:00:00Z', 'active', now() - make_interval(secs => $3)) RETURNING id::text`,
      [name, mrr, ago / 1000],
    );
    return rows[0].id;
  }

  /** The table by segment (whole days: cells once they are current, else facts), per segment. */
  async function bySegment() {
    const rows: any[] = (await ok(stack, admin, KPIS, { f: range, g: ['segment', 'day'] }))
      .supportKpis.rows;
    const out: Record<string, { created: number; solved: number; csat: number }> = {};
    for (const r of rows) {
      const s = (out[r.segment ?? 'none'] ??= { created: 0, solved: 0, csat: 0 });
      s.created += r.ticketsCreated;
      s.solved += r.ticketsSolved;
      s.csat += r.csatRatings;
    }
    return { sources: [...new Set(rows.map((r) => r.source))], out };
  }

  /** What the facts say per segment over the range (the definition the table must follow). */
  async function factsBySegment(column: 'f.segment' | 'v.segment') {
    const { rows } = await stack.db.query<{ s: string; created: number; solved: number }>(
      `SELECT ${column} AS s, count(*) FILTER (WHERE f.created_at >= $1 AND f.created_at < $2)::int AS created,
              count(*) FILTER (WHERE f.resolved_at >= $1 AND f.resolved_at < $2)::int AS solved
         FROM kpi_ticket_facts f JOIN tickets t ON t.id = f.ticket_id
         LEFT JOIN customer_values v ON v.customer_id = t.customer_id
        GROUP BY 1`,
      [range.from, range.to],
    );
    return Object.fromEntries(rows.map((r) => [r.s, { created: r.created, solved: r.solved }]));
  }
  const strip = (o: Record<string, { created: number; solved: number; csat: number }>) =>
    Object.fromEntries(
      Object.entries(o).map(([k, v]) => [k, { created: v.created, solved: v.solved }]),
    );
  const cells = async (where: string) =>
    (
      await stack.db.query(
        `SELECT * FROM kpi_cells WHERE ${where} ORDER BY grain, dim, dim_value, bucket_start`,
      )
    ).rows.map(({ computed_at: _c, ...rest }) => rest);
  const state = async () =>
    (
      await stack.db.query<{ queued: number; buckets: number; segmentCells: boolean }>(
        `SELECT (SELECT count(*) FROM kpi_segment_queue)::int AS queued,
                (SELECT count(*) FROM kpi_segment_buckets)::int AS buckets,
                (SELECT segment_cells_at IS NOT NULL FROM kpi_state WHERE id = 1) AS "segmentCells"`,
      )
    ).rows[0];

  beforeAll(async () => {
    stack = await startStack({
      env: {
        OUTBOX_RELAY: 'false',
        KPI_REFRESH_SECONDS: '86400',
        KPI_SEGMENT_STEP_CUSTOMERS: '2',
        KPI_SEGMENT_STEP_DAYS: '3',
        KPI_SEGMENT_BUDGET_MS: '0',
      },
    });
    for (const q of ['kpis', 'value']) {
      events[q] = new QueueEvents(q, {
        connection: { url: stack.config.redis.url },
        prefix: stack.config.redis.prefix,
      });
      await events[q].waitUntilReady();
    }
    await insertUser(stack, { email: 'admin@seg.local', role: 'admin' });
    admin = await login(stack, 'admin@seg.local');
    for (let c = 1; c <= 8; c++) {
      const id = await customer(`Old ${c}`, c * 100, DAY);
      customers.push(id);
      const contact = await stack.db.query<{ id: string }>(
        `INSERT INTO contacts (customer_id, name, email) VALUES ($1, 'P', $2) RETURNING id::text`,
        [id, `p${c}@seg.example`],
      );
      for (let k = 0; k < 5; k++) {
        const created = new Date(today - (20 - 4 * k - (c % 4)) * DAY + 10 * 3600_000);
        const solved = k % 2 === 0 ? new Date(created.getTime() + (c + k) * 3600_000) : null;
        const t = await stack.db.query<{ id: string }>(
          `INSERT INTO tickets (customer_id, requester_id, subject, channel, priority, status, created_at, updated_at, solved_at)
           VALUES ($1, $2, 'seg', 'email', 'normal', $3, $4, $4, $5) RETURNING id::text`,
          [id, contact.rows[0].id, solved ? 'solved' : 'open', created, solved],
        );
        await stack.db.query(
          `INSERT INTO ticket_events (ticket_id, type, to_value, created_at) VALUES ($1, 'created', 'new', $2)`,
          [t.rows[0].id, created],
        );
        if (solved) {
          await stack.db.query(
            `INSERT INTO ticket_events (ticket_id, type, from_value, to_value, created_at) VALUES ($1, 'status_changed', 'new', 'solved', $2)`,
            [t.rows[0].id, solved],
          );
          await stack.db.query(
            `INSERT INTO surveys (kind, ticket_id, solve_cycle, contact_id, customer_id, token_salt, token_hash, created_at, sent_at, expires_at, responded_at, score)
             VALUES ('csat', $1, 1, $2, $3, 's', md5(random()::text), $4, $4, $4::timestamptz + interval '14 days', $4, $5)`,
            [t.rows[0].id, contact.rows[0].id, id, solved, 1 + ((c + k) % 5)],
          );
        }
      }
    }
    await job('value.recompute', `value-${++values}`);
    // a rebuild fills every cell, the segment cells included
    await job('kpi.rebuild', 'rebuild-1');
  });

  afterAll(async () => {
    for (const e of Object.values(events)) await e.close();
    await stack?.close();
  });

  it('queues a large shift, applies it step by step, and ends equal to a rebuild', async () => {
    const segs = async () =>
      (
        await stack.db.query<{ segment: string }>(
          `SELECT segment FROM customer_values WHERE customer_id = ANY($1::bigint[]) ORDER BY customer_id`,
          [customers],
        )
      ).rows.map((r) => r.segment);
    expect(await segs()).toEqual(['low', 'low', 'mid', 'mid', 'high', 'high', 'top', 'top']);
    const before = await bySegment();
    expect(before.sources).toEqual(['cells']);
    expect(strip(before.out)).toEqual(await factsBySegment('f.segment'));
    expect(before.out.top.created).toBe(10);

    // eight new customers far above the old ones move six of those (no ticket of theirs changed)
    for (let c = 1; c <= 8; c++) await customer(`New ${c}`, 10_000 * c);
    await job('value.recompute', `value-${++values}`);
    expect(await segs()).toEqual(['low', 'low', 'low', 'low', 'mid', 'mid', 'mid', 'mid']);
    const otherCells = await cells(`dim <> 'segment'`);

    // the refresh that sees it queues it and takes one step: the facts of two customers
    const first = await refresh();
    expect(first.segmentShift).toEqual({ customers: 6, facts: 30 });
    expect(first.tickets).toBe(0); // no fact re-derived in the refresh's transaction
    expect(first.segmentSteps).toBe(1);
    expect(await state()).toMatchObject({ queued: 4, segmentCells: false });

    // step by step: never more than two customers' facts or three days (a week, a month) of
    // segment cells in one transaction; meanwhile segment questions come from the facts, as
    // they stand after each step, and no other cell moves
    let s = await state();
    const seen: { queued: number; buckets: number }[] = [s];
    while (s.queued > 0 || s.buckets > 0) {
      const mid = await bySegment();
      expect(mid.sources).toEqual(['facts']);
      expect(strip(mid.out)).toEqual(await factsBySegment('f.segment'));
      expect(Object.values(mid.out).reduce((n, v) => n + v.created, 0)).toBe(40);
      const r = await refresh();
      expect(r.segmentSteps).toBe(1);
      const next = await state();
      if (s.queued > 0) {
        expect(s.queued - next.queued).toBeLessThanOrEqual(2);
        expect(next.buckets).toBe(s.buckets);
      } else {
        expect(next.queued).toBe(0);
        expect(s.buckets - next.buckets).toBeGreaterThan(0);
        expect(s.buckets - next.buckets).toBeLessThanOrEqual(3);
      }
      expect(next.segmentCells).toBe(next.queued === 0 && next.buckets === 0);
      seen.push(next);
      s = next;
      expect(seen.length).toBeLessThan(60);
    }
    // 2 more fact steps after the first, then ≥ 22 days / 3, 4 weeks, 1–2 months of cells
    expect(seen.length).toBeGreaterThan(2 + 8 + 4);
    expect(await cells(`dim <> 'segment'`)).toEqual(otherCells);

    // done: the segment cells answer again, with the new segments
    const after = await bySegment();
    expect(after.sources).toEqual(['cells']);
    expect(strip(after.out)).toEqual(await factsBySegment('v.segment'));
    expect(after.out).toMatchObject({ low: { created: 20 }, mid: { created: 20 } });
    expect(after.out.top).toBeUndefined();
    expect(after.out.low.csat + after.out.mid.csat).toBe(
      before.out.low.csat + before.out.mid.csat + before.out.high.csat + before.out.top.csat,
    );
    // nothing left to do
    expect((await refresh()).segmentSteps).toBe(0);

    // and every cell equals a rebuild from scratch
    const all = await cells('true');
    await job('kpi.rebuild', 'rebuild-2');
    expect(await cells('true')).toEqual(all);
    expect(await bySegment()).toEqual(after);
  });
});
