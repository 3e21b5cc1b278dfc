import type { Job } from 'bullmq';
import Redis from 'ioredis';
import { JobPublisher, JobWindows, redisOptionsFromUrl } from '@staydesk/core';
import { RiskService } from '@staydesk/risk';
import { eventually } from '../support/eventually';
import { insertUser } from '../support/factories';
import { TestStack, startStack } from '../support/stack';

const WINDOW = 'risk.rescore-window';
const DEBOUNCE = 1500;

/**
 * The debounced rescore through the real relay, queue, worker, PostgreSQL and Redis: customers
 * of a debounce window are rescored together by one job per window, with the outcomes of a
 * single customer's rescore, and a window job that dies mid-way loses nobody.
 */
describe('risk rescoring per debounce window', () => {
  let stack: TestStack;
  let redis: Redis;
  let am: string;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        RISK_DEBOUNCE_MS: String(DEBOUNCE),
        CSAT_DELAY_SECONDS: '3600',
        OUTBOX_POLL_MS: '200',
      },
    });
    redis = new Redis(redisOptionsFromUrl(stack.config.redis.url));
    am = await insertUser(stack, { email: 'am@t.local', role: 'account_manager' });
  });

  afterAll(async () => {
    redis?.disconnect();
    await stack?.close();
  });

  /** `n` active customers of the account manager, each with a contact; their ids. */
  async function customers(n: number, name: string): Promise<string[]> {
    const { rows } = await stack.db.query<{ id: string }>(
      `WITH c AS (
         INSERT INTO customers (name, tier, mrr, account_manager_id, customer_since)
         SELECT $2 || ' ' || g, 'pro', 100, $3, '2023-01-01' FROM generate_series(1, $1::int) g
         RETURNING id)
       INSERT INTO contacts (customer_id, name, email)
       SELECT id, 'Contact', 'c' || id || '@example.com' FROM c RETURNING customer_id::text AS id`,
      [n, name, am],
    );
    return rows.map((r) => r.id).sort((a, b) => Number(a) - Number(b));
  }

  /** A run of bad experiences in SQL: urgent tickets past their SLA, angry messages, 1-star CSAT. */
  async function badExperiences(customerIds: string[]): Promise<void> {
    await stack.db.query(
      `WITH t AS (
         INSERT INTO tickets (customer_id, requester_id, subject, channel, priority, status, created_at,
                              first_response_due_at, resolution_due_at, solved_at, reopen_count,
                              first_response_breached, resolution_breached)
         SELECT k.customer_id, k.id, 'Data loss ' || g, 'email', 'urgent', 'solved',
                now() - make_interval(days => g + 1), now() - make_interval(days => g + 1),
                now() - make_interval(days => g + 1), now() - make_interval(days => g), 1, true, true
           FROM contacts k CROSS JOIN generate_series(1, 5) g
          WHERE k.customer_id = ANY($1::bigint[])
         RETURNING id, customer_id, requester_id, created_at),
       m AS (
         INSERT INTO ticket_messages (ticket_id, kind, author_contact_id, body, sentiment, created_at)
         SELECT id, 'customer_message', requester_id, 'Awful, broken again.', -0.8, created_at FROM t)
       INSERT INTO surveys (kind, ticket_id, solve_cycle, contact_id, customer_id, token_salt, token_hash,
                            sent_at, expires_at, responded_at, score)
       SELECT 'csat', id, 1, requester_id, customer_id, 's', md5(random()::text), now() - interval '1 hour',
              now() + interval '14 days', now() - interval '10 minutes', 1 FROM t`,
      [customerIds],
    );
  }

  async function scores(ids: string[]) {
    const { rows } = await stack.db.query<{
      id: string;
      score: number;
      band: string;
      factors: string;
      computed: number;
    }>(
      `SELECT customer_id::text AS id, score, band, factors::text AS factors,
              (extract(epoch FROM computed_at) * 1000)::float8 AS computed
         FROM risk_scores WHERE customer_id = ANY($1::bigint[]) ORDER BY customer_id`,
      [ids],
    );
    return rows;
  }

  const windowJobs = async (since: number) =>
    (
      await stack
        .worker!.get(JobPublisher)
        .queue('risk')
        .getJobs(['completed', 'failed', 'waiting', 'delayed', 'active'])
    ).filter((j: Job) => j.name === WINDOW && j.timestamp >= since);

  it('a burst of events of 300 customers: each customer rescored once per window, like alone', async () => {
    const ids = await customers(300, 'Burst');
    const bad = ids.slice(0, 3);
    await badExperiences(bad);
    const t0 = Date.now();
    // three events per customer in one commit, in random order (the relay takes 200 rows a batch)
    await stack.db.query(
      `INSERT INTO outbox (type, payload)
       SELECT 'ticket.created', jsonb_build_object('ticketId', '1', 'customerId', c::text)
         FROM unnest($1::bigint[]) c CROSS JOIN generate_series(1, 3) ORDER BY random()`,
      [ids],
    );
    const jobs = await eventually(
      'the burst relayed and its windows rescored',
      async () => {
        const left = await stack.db.query(
          `SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`,
        );
        if (left.rows[0].n > 0) return false;
        const jobs = await windowJobs(t0);
        return jobs.length > 0 && jobs.every((j) => j.finishedOn !== undefined) && jobs;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(jobs.filter((j) => j.failedReason)).toEqual([]);
    const results = jobs.map((j) => j.returnvalue as { customers: number; scored: number });
    // one job per window the relay's batches spanned (the burst is a few batches: one or two
    // windows on a quiet machine), each rescoring its customers once
    const span = await stack.db.query<{ first: string; last: string }>(
      `SELECT (extract(epoch FROM min(published_at)) * 1000)::float8 AS first,
              (extract(epoch FROM max(published_at)) * 1000)::float8 AS last
         FROM outbox WHERE published_at >= to_timestamp($1 / 1000.0)`,
      [t0],
    );
    const windows =
      Math.floor(Number(span.rows[0].last) / DEBOUNCE) -
      Math.floor(Number(span.rows[0].first) / DEBOUNCE) +
      1;
    expect(jobs.length).toBeLessThanOrEqual(windows + 1);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length);
    const rescorings = results.reduce((n, r) => n + r.customers, 0);
    expect(rescorings).toBeGreaterThanOrEqual(300);
    expect(rescorings).toBeLessThanOrEqual(300 * jobs.length);
    for (const r of results) expect(r.scored).toBe(r.customers);
    // every customer was scored after the burst
    const after = await scores(ids);
    expect(after.map((s) => s.id)).toEqual(ids);
    expect(after.every((s) => s.computed >= t0 - 5)).toBe(true);
    // the bad ones entered a high band and their account manager got one outreach follow-up each
    expect(after.filter((s) => bad.includes(s.id)).map((s) => s.band)).toEqual(
      bad.map(() => expect.stringMatching(/^(high|critical)$/)),
    );
    const followUps = await stack.db.query<{ id: string; owner: string }>(
      `SELECT customer_id::text AS id, owner_id::text AS owner FROM follow_ups
        WHERE kind = 'at_risk_outreach' AND customer_id = ANY($1::bigint[]) ORDER BY customer_id`,
      [ids],
    );
    expect(followUps.rows).toEqual(bad.map((id) => ({ id, owner: am })));
    const history = await stack.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM risk_score_history WHERE customer_id = ANY($1::bigint[])`,
      [ids],
    );
    expect(history.rows[0].n).toBeGreaterThanOrEqual(300);

    // the same outcome as each customer rescored alone: score, band and factors unchanged, no
    // new history point, no second follow-up
    const risk = stack.worker!.get(RiskService);
    const sample = [...bad, ...ids.filter((_, i) => i % 37 === 5)];
    for (const id of sample) await risk.rescoreCustomer(id);
    const alone = await scores(sample);
    const strip = (s: { id: string; score: number; band: string; factors: string }) => [
      s.id,
      s.score,
      s.band,
      s.factors,
    ];
    expect(alone.map(strip)).toEqual(after.filter((s) => sample.includes(s.id)).map(strip));
    const historyAfter = await stack.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM risk_score_history WHERE customer_id = ANY($1::bigint[])`,
      [ids],
    );
    expect(historyAfter.rows[0].n).toBe(history.rows[0].n);
    const followUpsAfter = await stack.db.query(
      `SELECT 1 FROM follow_ups WHERE kind = 'at_risk_outreach' AND customer_id = ANY($1::bigint[])`,
      [ids],
    );
    expect(followUpsAfter.rowCount).toBe(bad.length);

    // nothing left in Redis but the closed markers, which expire
    const keys = await redis.keys(`${stack.config.redis.prefix}:risk:${WINDOW}:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.endsWith(':closed'))).toBe(true);
    for (const k of keys) expect(await redis.ttl(k)).toBeGreaterThan(0);
  }, 90_000);

  it('a window job killed mid-way: its retry rescores the rest, and late adds go to the next window', async () => {
    const ids = await customers(250, 'Retry');
    const windows = stack.worker!.get(JobWindows);
    const risk = stack.worker!.get(RiskService);
    // a window long past, so that the relay's own windows are not it
    const w = Math.floor(Date.now() / DEBOUNCE) - 100_000;
    expect(await windows.add(WINDOW, w, ids)).toBe(w);
    // a job of the window that claimed it, committed its first chunk and died before the rest
    const claimed = (await windows.claim(WINDOW, w)).sort((a, b) => Number(a) - Number(b));
    expect(claimed).toEqual(ids);
    const first = claimed.slice(0, 200);
    await risk.rescoreCustomers(first);
    await windows.done(WINDOW, w, first);
    expect(await redis.scard(windows.key(WINDOW, w))).toBe(50);
    // the window is closed: a relay batch that still thought it open adds to the next one
    expect(await windows.add(WINDOW, w, [ids[0]])).toBe(w + 1);
    const t0 = Date.now();
    const publisher = stack.worker!.get(JobPublisher);
    await publisher.publish(WINDOW, { window: w });
    await publisher.publish(WINDOW, { window: w + 1 });
    const jobs = await eventually(
      'both window jobs done',
      async () => {
        const jobs = await windowJobs(t0);
        const mine = jobs.filter((j) =>
          [`risk-window-${w}`, `risk-window-${w + 1}`].includes(j.id!),
        );
        return mine.length === 2 && mine.every((j) => j.finishedOn !== undefined) && mine;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const byId = new Map(jobs.map((j) => [j.id, j.returnvalue]));
    expect(byId.get(`risk-window-${w}`)).toMatchObject({ customers: 50, scored: 50 });
    expect(byId.get(`risk-window-${w + 1}`)).toMatchObject({ customers: 1, scored: 1 });
    expect(await scores(ids)).toHaveLength(250);
    expect(await redis.exists(windows.key(WINDOW, w), windows.key(WINDOW, w + 1))).toBe(0);
    expect(await redis.ttl(`${windows.key(WINDOW, w)}:closed`)).toBeGreaterThan(0);
  }, 60_000);

  it('two workers rescoring overlapping customers at once wait for each other, without deadlock', async () => {
    const ids = await customers(60, 'Overlap');
    const risk = stack.worker!.get(RiskService);
    const a = ids.slice(0, 40);
    const b = [...ids.slice(20)].reverse();
    const [ra, rb] = await Promise.all([risk.rescoreCustomers(a), risk.rescoreCustomers(b)]);
    expect(ra.scores.size).toBe(40);
    expect(rb.scores.size).toBe(40);
    // one first score each: the second rescore of the overlap read what the first wrote
    const history = await stack.db.query<{ id: string; n: number; firsts: number }>(
      `SELECT customer_id::text AS id, count(*)::int AS n,
              count(*) FILTER (WHERE previous_band IS NULL)::int AS firsts
         FROM risk_score_history WHERE customer_id = ANY($1::bigint[]) GROUP BY customer_id`,
      [ids],
    );
    expect(history.rows).toHaveLength(60);
    expect(history.rows.every((r) => r.firsts === 1 && r.n === 1)).toBe(true);
  });
});
