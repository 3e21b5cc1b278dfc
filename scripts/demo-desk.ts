import { Client } from 'pg';
import { loadConfig } from '@staydesk/core';
import { sentimentOf } from '@staydesk/tickets';

/**
 * `npm start -- --demo`, after the seeder: makes the desk look alive *now*. The seeder's history
 * ends with few open tickets, so this adds, relative to the current time:
 * - open tickets assigned to every demo agent (agent1 first and most), some near their SLA and
 *   some past it, several from high- or critical-risk customers;
 * - unassigned tickets in every team;
 * - a pending ticket and a recently solved one for agent1.
 * Idempotent: the tickets carry custom_fields.demo = "living-desk" and a second run adds nothing.
 */
const MARK = 'living-desk';

const STORIES: { subject: string; body: string; tags: string[]; priority: string }[] = [
  {
    subject: 'CSV export stops at 10,000 rows',
    body: 'Hi, our monthly export of invoices stops at exactly 10,000 rows. We have 14,200 invoices this month and finance needs all of them by Friday. Is there a limit we can raise?',
    tags: ['export', 'billing'],
    priority: 'high',
  },
  {
    subject: 'Cannot log in after password reset',
    body: 'Since the password reset this morning three of our users end up on the login page again after entering the new password. Clearing cookies did not help.',
    tags: ['login'],
    priority: 'urgent',
  },
  {
    subject: 'Charged twice for November',
    body: 'Our card was charged twice for the November invoice (same amount, two minutes apart). Please refund one of the charges.',
    tags: ['billing', 'refund'],
    priority: 'high',
  },
  {
    subject: 'Webhook deliveries failing with 502',
    body: 'Since yesterday evening every webhook delivery to our endpoint shows "502 Bad Gateway" in the log, but our endpoint answers fine from curl. Did something change on your side?',
    tags: ['api', 'webhooks'],
    priority: 'high',
  },
  {
    subject: 'How do we add a second admin?',
    body: 'Our admin is leaving at the end of the month. How do we give admin rights to a colleague before she goes?',
    tags: ['account'],
    priority: 'normal',
  },
  {
    subject: 'Dashboard very slow since the update',
    body: 'The main dashboard takes 20-30 seconds to load since last week. It used to be instant. We have about 40 users on it all day, this is really hurting us.',
    tags: ['performance'],
    priority: 'urgent',
  },
  {
    subject: 'Question about the annual plan',
    body: 'We are thinking about switching to the annual plan. Would the remaining months of our monthly plan be credited?',
    tags: ['billing', 'plan'],
    priority: 'low',
  },
  {
    subject: 'SSO login loops back to the start page',
    body: 'After we turned on SSO with our identity provider, users are sent back to the start page after signing in, in a loop. Screenshot of the network tab attached.',
    tags: ['sso', 'login'],
    priority: 'high',
  },
  {
    subject: 'Missing data in the weekly report',
    body: 'The weekly report we received on Monday has no entries for Saturday and Sunday, although we had activity on both days.',
    tags: ['reports'],
    priority: 'normal',
  },
  {
    subject: 'Please delete an old user account',
    body: 'Could you delete the account of a former employee (their address bounces now)? We could not find the option in the settings.',
    tags: ['account', 'privacy'],
    priority: 'normal',
  },
  {
    subject: 'Mobile app crashes when opening attachments',
    body: 'On Android 15 the app closes as soon as we tap a PDF attachment. On the web it opens fine.',
    tags: ['mobile', 'bug'],
    priority: 'normal',
  },
  {
    subject: 'Considering cancelling — too many outages',
    body: 'This is the third outage this month. Our team is losing confidence and management asked me to look at alternatives. Can someone tell us what is being done about it?',
    tags: ['outage', 'churn-risk'],
    priority: 'urgent',
  },
];

interface Plan {
  assigneeId: string | null;
  teamId: string | null;
  status: 'new' | 'open' | 'pending' | 'solved';
  /** Minutes until the SLA target the ticket works against (negative: already breached). */
  dueInMinutes: number;
  ageMinutes: number;
  replied: boolean;
  note: boolean;
}

async function main() {
  const config = loadConfig(process.env);
  const db = new Client({ connectionString: config.database.url });
  await db.connect();
  try {
    const done = await db.query(`SELECT 1 FROM tickets WHERE custom_fields->>'demo' = $1 LIMIT 1`, [
      MARK,
    ]);
    if (done.rowCount) {
      console.log('demo desk: already alive (open tickets for the agents exist)');
      return;
    }
    const agents = (
      await db.query<{ id: string; email: string; team_id: string | null }>(
        `SELECT id, email, team_id FROM users WHERE role = 'agent' AND active
          ORDER BY (substring(email FROM '^agent(\\d+)@'))::int NULLS LAST, id`,
      )
    ).rows;
    const teams = (await db.query<{ id: string }>(`SELECT id FROM teams ORDER BY id`)).rows;
    // customers with the most SLA breaches lately are the ones the risk model rates high or
    // critical (scores may not exist yet: the worker computes them after start)
    const customers = (
      await db.query<{ id: string; contact_id: string; troubled: boolean }>(
        `SELECT c.id, ct.id AS contact_id,
                rank() OVER (ORDER BY coalesce(r.score, 0) DESC, b.breaches DESC, c.id) <= 20 AS troubled
           FROM customers c
           JOIN LATERAL (SELECT id FROM contacts WHERE customer_id = c.id ORDER BY id LIMIT 1) ct ON true
           LEFT JOIN risk_scores r ON r.customer_id = c.id
           CROSS JOIN LATERAL (
             SELECT count(*) AS breaches FROM tickets t
              WHERE t.customer_id = c.id AND t.created_at > now() - interval '90 days'
                AND (t.first_response_breached OR t.resolution_breached)) b
          WHERE c.status = 'active'
          ORDER BY c.mrr DESC, c.id
          LIMIT 200`,
      )
    ).rows;
    // every third ticket from a troubled (high/critical-risk) customer, the rest from the others
    const risky = customers.filter((c) => c.troubled);
    const calm = customers.filter((c) => !c.troubled);
    const customerFor = (i: number) =>
      (i % 3 === 0 && risky.length) || !calm.length
        ? risky[Math.floor(i / 3) % risky.length]
        : calm[i % calm.length];
    if (agents.length === 0 || customers.length === 0) {
      console.log('demo desk: no agents or customers (seed the demo first); nothing to do');
      return;
    }
    const plans: Plan[] = [];
    agents.forEach((a, i) => {
      const first = i === 0;
      const base = { assigneeId: a.id, teamId: a.team_id, replied: false, note: false };
      plans.push({
        ...base,
        status: 'open',
        dueInMinutes: -45 - i * 7,
        ageMinutes: 300,
        note: true,
      });
      plans.push({ ...base, status: 'new', dueInMinutes: 20 + i * 3, ageMinutes: 40 });
      plans.push({ ...base, status: 'open', dueInMinutes: 240, ageMinutes: 120, replied: true });
      if (first) {
        plans.push({ ...base, status: 'open', dueInMinutes: 50, ageMinutes: 70 });
        plans.push({ ...base, status: 'new', dueInMinutes: -10, ageMinutes: 130 });
        plans.push({
          ...base,
          status: 'open',
          dueInMinutes: 600,
          ageMinutes: 1500,
          replied: true,
          note: true,
        });
        plans.push({
          ...base,
          status: 'pending',
          dueInMinutes: 1440,
          ageMinutes: 2000,
          replied: true,
        });
        plans.push({ ...base, status: 'solved', dueInMinutes: 0, ageMinutes: 3000, replied: true });
      }
    });
    for (const t of teams) {
      plans.push({
        assigneeId: null,
        teamId: t.id,
        status: 'new',
        dueInMinutes: 35,
        ageMinutes: 25,
        replied: false,
        note: false,
      });
      plans.push({
        assigneeId: null,
        teamId: t.id,
        status: 'new',
        dueInMinutes: -20,
        ageMinutes: 100,
        replied: false,
        note: false,
      });
      plans.push({
        assigneeId: null,
        teamId: t.id,
        status: 'new',
        dueInMinutes: 180,
        ageMinutes: 10,
        replied: false,
        note: false,
      });
    }

    await db.query('BEGIN');
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
    let n = 0;
    for (const [i, p] of plans.entries()) {
      const story = STORIES[i % STORIES.length];
      const customer = customerFor(i);
      const created = at(p.ageMinutes);
      const due = new Date(now + p.dueInMinutes * 60_000);
      const firstResponseAt = p.replied ? at(p.ageMinutes - 15) : null;
      const solved = p.status === 'solved';
      const firstDue = p.replied ? new Date(created.getTime() + 60 * 60_000) : due;
      const resolutionDue = p.replied ? due : new Date(due.getTime() + 8 * 60 * 60_000);
      const nextDue =
        solved || p.status === 'pending' ? null : p.replied ? resolutionDue : firstDue;
      const lastAt = p.note ? at(Math.max(p.ageMinutes - 30, 1)) : (firstResponseAt ?? created);
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO tickets (customer_id, requester_id, subject, channel, priority, status, assignee_id,
            team_id, tags, created_at, updated_at, first_response_at, first_response_due_at,
            resolution_due_at, first_response_breached, resolution_breached, next_due_at,
            last_message_at, solved_at, solve_count, search, custom_fields)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $11, $18,
                 $19, to_tsvector('english', $3 || ' ' || $20), $21)
         RETURNING id`,
        [
          customer.id,
          customer.contact_id,
          story.subject,
          ['email', 'web', 'chat'][i % 3],
          story.priority,
          p.status,
          p.assigneeId,
          p.teamId,
          story.tags,
          created,
          lastAt,
          firstResponseAt,
          firstDue,
          resolutionDue,
          !p.replied && firstDue.getTime() < now,
          !solved && resolutionDue.getTime() < now,
          nextDue,
          solved ? at(60) : null,
          solved ? 1 : 0,
          story.body,
          JSON.stringify({ demo: MARK }),
        ],
      );
      const id = rows[0].id;
      await db.query(
        `INSERT INTO ticket_messages (ticket_id, kind, author_contact_id, body, sentiment, created_at)
         VALUES ($1, 'customer_message', $2, $3, $4, $5)`,
        [id, customer.contact_id, story.body, sentimentOf(story.body), created],
      );
      await db.query(
        `INSERT INTO ticket_events (ticket_id, actor_id, type, to_value, created_at)
         VALUES ($1, NULL, 'created', $2, $3)`,
        [id, p.status === 'new' ? 'new' : 'open', created],
      );
      if (p.replied && p.assigneeId) {
        await db.query(
          `INSERT INTO ticket_messages (ticket_id, kind, author_user_id, body, created_at)
           VALUES ($1, 'public_reply', $2, $3, $4)`,
          [
            id,
            p.assigneeId,
            'Thanks for the details — we are looking into it and will get back to you today.',
            firstResponseAt,
          ],
        );
        await db.query(
          `INSERT INTO ticket_events (ticket_id, actor_id, type, created_at)
           VALUES ($1, $2, 'first_response', $3)`,
          [id, p.assigneeId, firstResponseAt],
        );
      }
      if (p.note && p.assigneeId) {
        await db.query(
          `INSERT INTO ticket_messages (ticket_id, kind, author_user_id, body, created_at)
           VALUES ($1, 'internal_note', $2, $3, $4)`,
          [
            id,
            p.assigneeId,
            'Reproduced on staging. Looks related to last night’s deploy; asked engineering in #incidents.',
            lastAt,
          ],
        );
      }
      n++;
    }
    await db.query('COMMIT');
    console.log(
      `demo desk: ${n} tickets for now (open ones for ${agents.length} agents, unassigned in ${teams.length} teams)`,
    );
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await db.end();
  }
}

main().catch((err: Error) => {
  console.error(`demo desk: ${err.message}`);
  process.exit(1);
});
