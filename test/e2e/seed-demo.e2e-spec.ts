import { join } from 'node:path';
import { NEGATIVE_SENTIMENT, sentimentOf } from '@staydesk/tickets';
import { Exited, ROOT, runToExit } from '../support/processes';
import { TestStack, startStack } from '../support/stack';

const SEED_DEMO = join(ROOT, 'dist', 'scripts', 'seed-demo.js');
/** Small but not tiny: the fixed seed gives a handful of churned customers among 60. */
const SMALL = ['--customers', '60', '--tickets', '800', '--seed', '7'];
const TABLES = [
  'teams',
  'users',
  'sla_policies',
  'customers',
  'contacts',
  'customer_status_changes',
  'tickets',
  'ticket_messages',
  'ticket_events',
  'follow_ups',
  'audit_log',
];

describe('seed:demo writes a consistent demo world', () => {
  let stack: TestStack;
  let first: Exited;

  const seed = (args: string[], env: Record<string, string> = {}) =>
    runToExit(SEED_DEMO, { ...stack.env, ...env }, 60_000, args);
  /** Runs a query whose single row has a column `n` and returns it as a number. */
  const num = async (sql: string, params: unknown[] = []) =>
    Number((await stack.db.query<{ n: string }>(sql, params)).rows[0].n);
  const tableCounts = async () => {
    const counts: Record<string, number> = {};
    for (const t of TABLES) counts[t] = await num(`SELECT count(*) AS n FROM ${t}`);
    return counts;
  };

  beforeAll(async () => {
    stack = await startStack({ worker: false });
    first = await seed(SMALL);
  }, 90_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('exits 0 with a summary and the demo logins', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^seeded .+ in \d+\.\d s \(seed 7, 12 months\)/);
    expect(first.stdout).toContain('password for all: staydesk-demo');
    expect(first.stdout).toContain('admin@demo.staydesk.local');
    expect(first.stdout).toContain('lead.tier1@demo.staydesk.local');
    expect(first.stdout).toContain('am1@demo.staydesk.local');
  });

  it('writes the requested sizes, staff and SLA policies, and an audit row', async () => {
    const counts = await tableCounts();
    expect(counts).toMatchObject({
      teams: 3,
      users: 19,
      sla_policies: 4,
      customers: 60,
      tickets: 800,
      audit_log: 1,
    });
    expect(counts.contacts).toBeGreaterThanOrEqual(60);
    expect(counts.contacts).toBeLessThanOrEqual(240);
    expect(counts.ticket_messages).toBeGreaterThan(800);
    expect(counts.ticket_events).toBeGreaterThan(800);
    expect(counts.follow_ups).toBeGreaterThan(0);

    const roles = await stack.db.query<{ role: string; n: string }>(
      `SELECT role, count(*) AS n FROM users GROUP BY role ORDER BY role`,
    );
    expect(Object.fromEntries(roles.rows.map((r) => [r.role, Number(r.n)]))).toEqual({
      account_manager: 3,
      admin: 1,
      agent: 12,
      team_lead: 3,
    });
    expect(
      await num(`SELECT count(*) AS n FROM teams t JOIN users u ON u.id = t.lead_id
                 WHERE u.role = 'team_lead' AND u.team_id = t.id`),
    ).toBe(3);
    const berlin = await stack.db.query(
      `SELECT business_hours FROM teams WHERE timezone = 'Europe/Berlin'`,
    );
    expect(berlin.rows[0].business_hours.mon).toEqual([['09:00', '17:00']]);

    const hashes = await num(`SELECT count(DISTINCT password_hash) AS n FROM users`);
    expect(hashes).toBe(1);

    const audit = await stack.db.query(`SELECT action, entity, details FROM audit_log`);
    expect(audit.rows[0]).toMatchObject({
      action: 'seed',
      entity: 'database',
      details: { customers: 60, tickets: 800, seed: 7 },
    });
  });

  it('derives every ticket row from its history', async () => {
    const mismatches = {
      firstResponse: `t.first_response_at IS DISTINCT FROM (
          SELECT min(m.created_at) FROM ticket_messages m
          WHERE m.ticket_id = t.id AND m.kind = 'public_reply')`,
      solvedAt: `t.solved_at IS DISTINCT FROM (
          SELECT e.created_at FROM ticket_events e
          WHERE e.ticket_id = t.id AND e.type = 'status_changed' AND e.to_value = 'solved'
          ORDER BY e.created_at DESC, e.id DESC LIMIT 1)`,
      closedAt: `t.closed_at IS DISTINCT FROM (
          SELECT max(e.created_at) FROM ticket_events e
          WHERE e.ticket_id = t.id AND e.type = 'status_changed' AND e.to_value = 'closed')`,
      reopenCount: `t.reopen_count <> (
          SELECT count(*) FROM ticket_events e
          WHERE e.ticket_id = t.id AND e.type = 'status_changed'
            AND e.from_value = 'solved' AND e.to_value = 'open')`,
      solveCount: `t.solve_count <> (
          SELECT count(*) FROM ticket_events e
          WHERE e.ticket_id = t.id AND e.type = 'status_changed' AND e.to_value = 'solved')`,
      status: `t.status IS DISTINCT FROM (
          SELECT e.to_value FROM ticket_events e
          WHERE e.ticket_id = t.id AND e.type IN ('created', 'status_changed')
          ORDER BY e.created_at DESC, e.id DESC LIMIT 1)`,
      firstResponseEvent: `(SELECT count(*) FROM ticket_events e
          WHERE e.ticket_id = t.id AND e.type = 'first_response'
            AND e.created_at = t.first_response_at) <> (t.first_response_at IS NOT NULL)::int
        OR (SELECT count(*) FROM ticket_events e
          WHERE e.ticket_id = t.id AND e.type = 'first_response') > 1`,
      lastMessageAt: `t.last_message_at IS DISTINCT FROM (
          SELECT max(m.created_at) FROM ticket_messages m WHERE m.ticket_id = t.id)`,
      updatedAt: `t.updated_at IS DISTINCT FROM greatest(
          (SELECT max(m.created_at) FROM ticket_messages m WHERE m.ticket_id = t.id),
          (SELECT max(e.created_at) FROM ticket_events e WHERE e.ticket_id = t.id))`,
      createdOnce: `(SELECT count(*) FROM ticket_events e
          WHERE e.ticket_id = t.id AND e.type = 'created' AND e.to_value = 'new'
            AND e.created_at = t.created_at) <> 1`,
      createdFirst: `EXISTS (SELECT 1 FROM ticket_events e
          WHERE e.ticket_id = t.id AND e.created_at < t.created_at)`,
      requester: `NOT EXISTS (SELECT 1 FROM contacts c
          WHERE c.id = t.requester_id AND c.customer_id = t.customer_id)`,
      tagsSorted: `t.tags <> (SELECT array_agg(DISTINCT tag ORDER BY tag) FROM unnest(t.tags) tag)`,
      // search privacy: tickets with internal notes carry their public text apart, without the
      // notes' words (what outsiders of a private team are matched against); others carry none
      publicSearch: `t.public_search IS DISTINCT FROM (
          SELECT CASE WHEN bool_or(m.kind = 'internal_note')
                 THEN to_tsvector('english', concat_ws(' ', t.subject,
                        string_agg(m.body, ' ' ORDER BY m.id) FILTER (WHERE m.kind <> 'internal_note')))
                 END
            FROM ticket_messages m WHERE m.ticket_id = t.id)`,
    };
    const found: Record<string, number> = {};
    for (const [name, condition] of Object.entries(mismatches)) {
      found[name] = await num(`SELECT count(*) AS n FROM tickets t WHERE ${condition}`);
    }
    expect(found).toEqual(Object.fromEntries(Object.keys(mismatches).map((k) => [k, 0])));

    // The history is not trivial: some tickets were reopened, some are still in the queue.
    expect(await num(`SELECT count(*) AS n FROM tickets WHERE reopen_count > 0`)).toBeGreaterThan(
      0,
    );
    expect(
      await num(`SELECT count(*) AS n FROM tickets WHERE status IN ('new', 'open', 'pending')`),
    ).toBeGreaterThan(0);
    expect(await num(`SELECT count(*) AS n FROM tickets WHERE status = 'closed'`)).toBeGreaterThan(
      400,
    );
  });

  it('changes status only along legal moves, each from the previous status', async () => {
    const illegal = await stack.db.query(
      `SELECT from_value, to_value FROM ticket_events
       WHERE type = 'status_changed' AND (from_value, to_value) NOT IN (VALUES
         ('new', 'open'), ('open', 'pending'), ('pending', 'open'), ('open', 'on_hold'),
         ('on_hold', 'open'), ('open', 'solved'), ('pending', 'solved'), ('solved', 'open'),
         ('solved', 'closed'))`,
    );
    expect(illegal.rows).toEqual([]);
    const broken = await num(
      `SELECT count(*) AS n FROM (
         SELECT type, from_value,
                lag(to_value) OVER (PARTITION BY ticket_id ORDER BY created_at, id) AS previous
         FROM ticket_events WHERE type IN ('created', 'status_changed')) x
       WHERE type = 'status_changed' AND from_value IS DISTINCT FROM previous`,
    );
    expect(broken).toBe(0);
  });

  it('keeps SLA fields consistent with the policy and the history', async () => {
    const wrong = await num(
      `SELECT count(*) AS n FROM tickets t JOIN sla_policies p ON p.id = t.sla_policy_id
       WHERE p.priority <> t.priority
          OR t.first_response_due_at <> t.created_at + p.first_response_minutes * interval '1 minute'
          OR t.resolution_due_at <> t.created_at + p.resolution_minutes * interval '1 minute'
          OR (t.first_response_at IS NOT NULL
              AND t.first_response_breached <> (t.first_response_at > t.first_response_due_at))
          OR (t.status IN ('solved', 'closed')
              AND t.resolution_breached <> (t.solved_at > t.resolution_due_at))
          OR t.next_due_at IS DISTINCT FROM CASE
               WHEN t.status IN ('solved', 'closed') THEN NULL
               WHEN t.first_response_at IS NULL THEN t.first_response_due_at
               ELSE t.resolution_due_at END`,
    );
    expect(wrong).toBe(0);
    expect(await num(`SELECT count(*) AS n FROM tickets WHERE sla_policy_id IS NULL`)).toBe(0);
  });

  it('scores the sentiment of customer messages (only) with sentimentOf', async () => {
    expect(
      await num(
        `SELECT count(*) AS n FROM ticket_messages
         WHERE (kind = 'customer_message') <> (sentiment IS NOT NULL)
            OR (kind = 'customer_message') <> (author_contact_id IS NOT NULL)`,
      ),
    ).toBe(0);
    const sample = await stack.db.query<{ body: string; sentiment: number }>(
      `SELECT body, sentiment FROM ticket_messages WHERE kind = 'customer_message'
       ORDER BY id LIMIT 200`,
    );
    for (const row of sample.rows) expect(row.sentiment).toBeCloseTo(sentimentOf(row.body), 3);
    const negative = await num(`SELECT count(*) AS n FROM ticket_messages WHERE sentiment < $1`, [
      NEGATIVE_SENTIMENT,
    ]);
    const positive = await num(`SELECT count(*) AS n FROM ticket_messages WHERE sentiment > 0`);
    expect(negative).toBeGreaterThan(0);
    expect(positive).toBeGreaterThan(0);
  });

  it('records churn, and churned customers file nothing afterwards', async () => {
    const churned = await num(`SELECT count(*) AS n FROM customers WHERE status = 'churned'`);
    expect(churned).toBeGreaterThan(0);
    // a monthly hazard of ~1.5 % over up to three years: about a fifth of all customers
    expect(churned).toBeLessThan(60 * 0.4);
    // the oracle: one true hazard per customer, a probability, starting after sign-up
    expect(
      await num(
        `SELECT count(*) AS n FROM customers c JOIN simulation_oracle o ON o.customer_id = c.id
          WHERE o.monthly_hazard > 0 AND o.monthly_hazard < 1 AND o.hazard_from > c.customer_since`,
      ),
    ).toBe(60);
    expect(
      await num(
        `SELECT count(*) AS n FROM customers c
         WHERE c.status = 'churned' AND (c.churned_at IS NULL OR NOT EXISTS (
           SELECT 1 FROM customer_status_changes s
           WHERE s.customer_id = c.id AND s.from_status = 'active' AND s.to_status = 'churned'
             AND s.changed_at = c.churned_at))`,
      ),
    ).toBe(0);
    expect(
      await num(
        `SELECT count(*) AS n FROM tickets t JOIN customers c ON c.id = t.customer_id
         WHERE t.created_at < c.customer_since
            OR (c.status = 'churned' AND t.created_at >= c.churned_at)`,
      ),
    ).toBe(0);
    expect(
      await num(
        `SELECT count(*) AS n FROM customers WHERE status = 'active' AND churned_at IS NOT NULL`,
      ),
    ).toBe(0);
  });

  it('finds a ticket by a word of its subject', async () => {
    const { rows } = await stack.db.query<{ id: string; subject: string }>(
      `SELECT id, subject FROM tickets ORDER BY id LIMIT 1 OFFSET 123`,
    );
    const word = rows[0].subject
      .split(/[^A-Za-z]+/)
      .filter((w) => w.length >= 5)
      .sort((a, b) => b.length - a.length)[0];
    expect(word).toBeDefined();
    const hits = await stack.db.query<{ id: string }>(
      `SELECT id FROM tickets WHERE search @@ plainto_tsquery('english', $1)`,
      [word],
    );
    expect(hits.rows.map((r) => r.id)).toContain(rows[0].id);
    // Message bodies are searchable too.
    expect(
      await num(
        `SELECT count(*) AS n FROM tickets WHERE search @@ plainto_tsquery('english', 'frustrated')`,
      ),
    ).toBeGreaterThan(0);
  });

  it('changes nothing when run again without --force', async () => {
    const before = await tableCounts();
    const again = await seed(SMALL);
    expect(again.code).toBe(0);
    expect(again.stdout.trim().split('\n')).toHaveLength(1);
    expect(again.stdout).toMatch(/already has 60 customer\(s\); nothing seeded/);
    expect(await tableCounts()).toEqual(before);
  });

  it('fails with one line and leaves the data alone on a bad flag or an unreachable database', async () => {
    const before = await tableCounts();
    const badFlag = await seed(['--customers', 'many']);
    expect(badFlag.code).toBe(1);
    expect(badFlag.stderr).toMatch(/^seed:demo: --customers needs a whole number/);
    expect(badFlag.stderr.trim().split('\n')).toHaveLength(1);

    const noDatabase = await seed(SMALL, {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/staydesk',
    });
    expect(noDatabase.code).toBe(1);
    expect(noDatabase.stderr).toMatch(/^seed:demo: cannot connect to PostgreSQL/);
    expect(noDatabase.stderr.trim().split('\n')).toHaveLength(1);
    expect(await tableCounts()).toEqual(before);
  });

  it('replaces everything with --force, reproducibly for the same seed', async () => {
    const snapshot = async () => ({
      customers: (
        await stack.db.query(
          `SELECT name, domain, tier, mrr, custom_fields FROM customers ORDER BY id`,
        )
      ).rows,
      subjects: (await stack.db.query(`SELECT subject FROM tickets ORDER BY subject`)).rows,
      contacts: (await stack.db.query(`SELECT email FROM contacts ORDER BY id`)).rows,
    });
    const before = await snapshot();
    const forced = await seed([...SMALL, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/^seeded .+, --force\)/);
    expect(await snapshot()).toEqual(before);
    const counts = await tableCounts();
    expect(counts).toMatchObject({ users: 19, customers: 60, tickets: 800, audit_log: 1 });
  });
});
