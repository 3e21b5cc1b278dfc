/**
 * Demo data of the agent tools (issue 18): a few custom fields, macros, automation rules and
 * saved views, added after `seed:demo` (scripts/seed-demo.ts calls it). Idempotent: does nothing
 * when the database already has automation rules, or has no admin or team to own them.
 */
import { Client } from 'pg';
import { loadConfig } from '@staydesk/core';

type Db = Pick<Client, 'query'>;

export async function seedAutomationsDemo(db: Db): Promise<string | null> {
  const rules = await db.query(`SELECT 1 FROM automation_rules LIMIT 1`);
  if (rules.rowCount) return null;
  const admin = (
    await db.query<{ id: string }>(
      `SELECT id::text FROM users WHERE role = 'admin' AND active ORDER BY id LIMIT 1`,
    )
  ).rows[0];
  const teams = (
    await db.query<{ id: string; name: string; leadId: string | null }>(
      `SELECT id::text, name, lead_id::text AS "leadId" FROM teams ORDER BY id`,
    )
  ).rows;
  if (!admin || !teams.length) return null;
  const team = (name: string) => teams.find((t) => t.name === name) ?? teams[0];

  const fields: [string, string, string, string, string[]][] = [
    [
      'ticket',
      'product_area',
      'Product area',
      'dropdown',
      ['billing', 'exports', 'login', 'integrations'],
    ],
    ['ticket', 'affected_users', 'Affected users', 'number', []],
    ['ticket', 'escalated', 'Escalated to engineering', 'checkbox', []],
    ['customer', 'region', 'Region', 'dropdown', ['emea', 'amer', 'apac']],
    ['customer', 'contract_end', 'Contract end', 'date', []],
  ];
  for (const [i, [entity, key, label, type, options]] of fields.entries()) {
    await db.query(
      `INSERT INTO custom_field_definitions (entity, key, label, type, options, position)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (entity, key) DO NOTHING`,
      [entity, key, label, type, options, i + 1],
    );
  }
  // a region for every customer, so filters and rules on it have something to find
  await db.query(
    `UPDATE customers SET custom_fields = custom_fields ||
       jsonb_build_object('region', (ARRAY['emea', 'amer', 'apac'])[1 + (id % 3)])`,
  );

  const macros: [string, string | null, string, string | null, object][] = [
    [
      'Ask for logs',
      'Hi {{requester.first_name}},\n\nThanks for reporting this. Could you send us the logs of the last run (Settings → Diagnostics → Export)? That lets us see exactly where it stops.\n\n{{agent.name}}',
      'global',
      null,
      { status: 'pending', addTags: ['needs-logs'] },
    ],
    [
      'Refund processed',
      'Hi {{requester.first_name}},\n\nWe have refunded the charge on ticket #{{ticket.number}}; it shows on your statement within 5 working days.\n\n{{agent.name}}',
      'global',
      null,
      { status: 'solved', addTags: ['refund'] },
    ],
    [
      'Escalate to engineering',
      null,
      'team',
      team('Tier 1').id,
      {
        priority: 'high',
        addTags: ['escalated'],
        note: 'Escalated to engineering for {{customer.name}}: see the steps in the conversation.',
      },
    ],
  ];
  for (const [name, body, scope, teamId, actions] of macros) {
    await db.query(
      `INSERT INTO macros (name, body, scope, team_id, actions, created_by_id) VALUES ($1, $2, $3, $4, $5, $6)`,
      [name, body, scope, teamId, JSON.stringify(actions), admin.id],
    );
  }

  const ruleDefs: [string, string, object[], object, boolean][] = [
    [
      'Outage words → urgent',
      'ticket_created',
      [{ field: 'words', operator: 'contains_any', values: ['outage', 'down', 'data loss'] }],
      { priority: 'urgent', addTags: ['possible-outage'] },
      false,
    ],
    [
      'Enterprise customers → Tier 1, high',
      'ticket_created',
      [
        { field: 'tier', operator: 'is', values: ['enterprise'] },
        { field: 'priority', operator: 'is', values: ['low', 'normal'] },
      ],
      { priority: 'high', teamId: team('Tier 1').id, addTags: ['enterprise'] },
      false,
    ],
    [
      'Refund requests → Billing',
      'customer_message',
      [{ field: 'words', operator: 'contains_any', values: ['refund', 'chargeback', 'invoice'] }],
      { teamId: team('Billing').id, addTags: ['billing'] },
      true,
    ],
    [
      'High-risk customer writes → follow-up for the account manager',
      'customer_message',
      [{ field: 'risk_band', operator: 'is', values: ['high', 'critical'] }],
      {
        followUp: { inHours: 4, note: 'Call {{customer.name}}: they wrote on #{{ticket.number}}' },
      },
      false,
    ],
    [
      'Pending 3 days → remind the customer',
      'time',
      [{ field: 'pending_hours', operator: 'at_least', values: ['72'] }],
      {
        email: {
          to: 'requester',
          subject: 'Still need help, {{requester.first_name}}?',
          body: 'Hi {{requester.first_name}},\n\nWe are waiting for your answer on #{{ticket.number}} "{{ticket.subject}}". Reply to this mail and we pick it up again.',
        },
      },
      false,
    ],
    [
      'High-risk unanswered 1 h → tell the account manager',
      'time',
      [
        { field: 'unanswered_minutes', operator: 'at_least', values: ['60'] },
        { field: 'risk_band', operator: 'is', values: ['high', 'critical'] },
      ],
      {
        email: {
          to: 'account_manager',
          subject: '{{customer.name}} is waiting on #{{ticket.number}}',
          body: '{{customer.name}} (high churn risk) has had no answer for an hour on "{{ticket.subject}}".',
        },
      },
      false,
    ],
  ];
  const position: Record<string, number> = {};
  for (const [name, trigger, conditions, actions, stop] of ruleDefs) {
    position[trigger] = (position[trigger] ?? 0) + 1;
    const r = await db.query<{ id: string }>(
      `INSERT INTO automation_rules (name, trigger, conditions, actions, position, stop_processing, created_by_id, updated_by_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id::text`,
      [
        name,
        trigger,
        JSON.stringify(conditions),
        JSON.stringify(actions),
        position[trigger],
        stop,
        admin.id,
      ],
    );
    await db.query(
      `INSERT INTO automation_rule_versions (rule_id, version, snapshot, changed_by_id) VALUES ($1, 1, $2, $3)`,
      [
        r.rows[0].id,
        JSON.stringify({ name, trigger, conditions, actions, active: true, stopProcessing: stop }),
        admin.id,
      ],
    );
  }

  for (const t of teams) {
    const views: [string, object][] = [
      [
        'Urgent and open',
        { priority: ['urgent', 'high'], status: ['new', 'open'], teamIds: [t.id] },
      ],
      ['Breached SLA', { sla: 'breached', status: ['new', 'open', 'on_hold'], teamIds: [t.id] }],
    ];
    for (const [i, [name, filter]] of views.entries()) {
      await db.query(
        `INSERT INTO saved_views (name, filter, team_id, position, created_by_id) VALUES ($1, $2, $3, $4, $5)`,
        [name, JSON.stringify(filter), t.id, i + 1, admin.id],
      );
    }
  }
  return `${fields.length} custom fields, ${macros.length} macros, ${ruleDefs.length} automation rules, ${teams.length * 2} saved views`;
}

/** After seed:demo: connects with DATABASE_URL and adds the agent tools' demo data. */
export async function runSeedAutomationsDemo(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) return;
  const config = loadConfig(process.env);
  const db = new Client({ connectionString: config.database.url, connectionTimeoutMillis: 5000 });
  await db.connect();
  try {
    await db.query('BEGIN');
    const done = await seedAutomationsDemo(db);
    await db.query('COMMIT');
    if (done) console.log(`agent tools: ${done}`);
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await db.end();
  }
}
