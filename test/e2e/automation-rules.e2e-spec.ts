import { RulesService } from '@staydesk/automations';
import { fails, insertUser, login, ok } from '../support/factories';
import { eventually } from '../support/eventually';
import { mailText, startSmtpSink } from '../support/smtp-sink';
import { NO_RATE_LIMITS } from '../support/env';
import { gqlAt } from '../support/gql';
import { TestStack, startStack } from '../support/stack';
import { createApi } from '../../apps/api/src/bootstrap';

jest.setTimeout(90_000);

type Sink = Awaited<ReturnType<typeof startSmtpSink>>;

const RULE = `id name trigger position active stopProcessing version
  conditions { field operator values }
  actions { teamId assigneeId priority addTags removeTags note emailTo emailSubject emailBody followUpInHours followUpNote }`;
const CREATE = `mutation($i: AutomationRuleInput!) { createAutomationRule(input: $i) { ${RULE} } }`;
const UPDATE = `mutation($id: ID!, $i: AutomationRuleInput!, $v: Int) { updateAutomationRule(id: $id, input: $i, expectedVersion: $v) { ${RULE} } }`;
const DELETE = `mutation($id: ID!) { deleteAutomationRule(id: $id) }`;
const TEST = `query($t: ID!, $i: AutomationRuleInput!) { testAutomationRule(ticketId: $t, input: $i) {
  matched conditions { field operator values matched actual } changes { field from to } note
  email { to recipient subject body } followUpOwnerId } }`;
const CREATE_TICKET = `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id number version tags } }`;

describe('automation rules: conditions, actions, order, loop guard, time-based; merge and split', () => {
  let stack: TestStack;
  let sink: Sink;
  let admin: string;
  let lead: string;
  let agent: string;
  const ids: Record<string, string> = {};

  const ticket = async (i: Record<string, unknown>) =>
    (
      await ok(stack, agent, CREATE_TICKET, {
        i: { subject: 'Help', channel: 'email', ...i },
      })
    ).createTicket as { id: string; number: number; version: number; tags: string[] };
  const events = async (ticketId: string, types?: string[]) =>
    (
      await stack.db.query(
        `SELECT type, actor_id::text AS "actorId", from_value AS "from", to_value AS "to"
           FROM ticket_events WHERE ticket_id = $1 ${types ? 'AND type = ANY($2)' : ''} ORDER BY id`,
        types ? [ticketId, types] : [ticketId],
      )
    ).rows as { type: string; actorId: string | null; from: string | null; to: string | null }[];
  const row = async (ticketId: string) =>
    (
      await stack.db.query(
        `SELECT status, priority, tags, team_id::text AS "teamId", assignee_id::text AS "assigneeId",
                merged_into_id::text AS "mergedIntoId"
           FROM tickets WHERE id = $1`,
        [ticketId],
      )
    ).rows[0];

  beforeAll(async () => {
    sink = await startSmtpSink();
    stack = await startStack({
      env: {
        SMTP_URL: sink.url,
        MAIL_FROM: 'Staydesk <support@staydesk.test>',
        OUTBOX_POLL_MS: '100',
        CSAT_DELAY_SECONDS: '3600',
        MAIL_AUTO_PER_HOUR: '0',
        ...NO_RATE_LIMITS,
        // the risk bands are set by hand below: the worker's rescoring after ticket events
        // (debounced) would replace Acme's "high" with what its few tickets say
        RISK_DEBOUNCE_MS: '3600000',
      },
    });
    await insertUser(stack, { email: 'admin@t.local', role: 'admin', name: 'Ann Admin' });
    admin = await login(stack, 'admin@t.local');
    const team = async (name: string, businessHours?: unknown) =>
      (
        await ok(stack, admin, `mutation($i: TeamInput!) { createTeam(input: $i) { id } }`, {
          i: { name, ...(businessHours ? { timezone: 'UTC', businessHours } : {}) },
        })
      ).createTeam.id as string;
    const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    const allWeek = Object.fromEntries(days.map((d) => [d, [['00:00', '24:00']]]));
    // open only two days from now: closed whenever the test runs
    const otherDay = days[(new Date().getUTCDay() + 2) % 7];
    ids.support = await team('Support');
    ids.open247 = await team('Always open', allWeek);
    ids.closed = await team('Closed now', { [otherDay]: [['09:00', '17:00']] });
    ids.agent = await insertUser(stack, {
      email: 'agent@t.local',
      role: 'agent',
      name: 'Bo Agent',
      teamId: ids.support,
    });
    ids.lead = await insertUser(stack, {
      email: 'lead@t.local',
      role: 'team_lead',
      name: 'Di Lead',
      teamId: ids.support,
    });
    ids.am = await insertUser(stack, {
      email: 'am@t.local',
      role: 'account_manager',
      name: 'Max Manager',
    });
    agent = await login(stack, 'agent@t.local');
    lead = await login(stack, 'lead@t.local');
    const customer = async (name: string, tier: string, email: string) => {
      const c = (
        await ok(
          stack,
          admin,
          `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id contacts { id } } }`,
          { i: { name, tier, contacts: [{ name: `${name} Person`, email }] } },
        )
      ).createCustomer;
      return { id: c.id as string, contact: c.contacts[0].id as string };
    };
    const acme = await customer('Acme', 'enterprise', 'ada@acme.example');
    const globex = await customer('Globex', 'free', 'gus@globex.example');
    ids.acme = acme.id;
    ids.acmeContact = acme.contact;
    ids.globex = globex.id;
    ids.globexContact = globex.contact;
    await stack.db.query(`UPDATE customers SET account_manager_id = $2 WHERE id = $1`, [
      ids.acme,
      ids.am,
    ]);
    await stack.db.query(
      `INSERT INTO risk_scores (customer_id, score, band, factors, model_version) VALUES ($1, 81, 'high', '[]', 'test')`,
      [ids.acme],
    );
  });
  afterAll(async () => {
    await stack?.close();
    await sink?.close();
  });

  it('is managed by admins and team leads only, and refuses bad rules naming the field', async () => {
    const base = { name: 'r', trigger: 'ticket_created', actions: { addTags: ['x'] } };
    expect((await fails(stack, agent, CREATE, { i: base })).extensions?.code).toBe('FORBIDDEN');
    expect((await fails(stack, agent, `{ automationRules { id } }`)).extensions?.code).toBe(
      'FORBIDDEN',
    );
    const bad: [Record<string, unknown>, RegExp][] = [
      [
        { conditions: [{ field: 'colour', operator: 'is', values: ['red'] }] },
        /conditions\[0\]\.field|colour/,
      ],
      [
        { conditions: [{ field: 'priority', operator: 'contains_any', values: ['high'] }] },
        /priority takes/,
      ],
      [
        { conditions: [{ field: 'tier', operator: 'is', values: ['gold'] }] },
        /"gold" is not a tier/,
      ],
      [
        { conditions: [{ field: 'pending_hours', operator: 'at_least', values: ['3'] }] },
        /only time-based rules/,
      ],
      [{ trigger: 'time', conditions: [] }, /exactly one clock condition/],
      [{ actions: {} }, /at least one action/],
      [{ actions: { note: 'Hi {{requester.shoe_size}}' } }, /requester\.shoe_size/],
      [{ actions: { emailTo: 'requester', emailSubject: '', emailBody: 'x' } }, /subject/],
    ];
    for (const [change, message] of bad) {
      const err = await fails(stack, lead, CREATE, { i: { ...base, ...change } });
      expect(err.extensions?.code).toBe('BAD_USER_INPUT');
      expect(err.message).toMatch(message);
    }
    expect(
      (await stack.db.query(`SELECT count(*)::int AS n FROM automation_rules`)).rows[0].n,
    ).toBe(0);
  });

  it('evaluates every condition (table): each rule tags the tickets it matches', async () => {
    const cases: [string, { field: string; operator: string; values?: string[] }[]][] = [
      ['channel', [{ field: 'channel', operator: 'is', values: ['chat'] }]],
      ['priority', [{ field: 'priority', operator: 'is', values: ['urgent'] }]],
      ['priority-not', [{ field: 'priority', operator: 'is_not', values: ['low'] }]],
      ['tags-any', [{ field: 'tags', operator: 'contains_any', values: ['vip'] }]],
      ['tags-all', [{ field: 'tags', operator: 'contains_all', values: ['vip', 'beta'] }]],
      ['tags-none', [{ field: 'tags', operator: 'contains_none', values: ['spam'] }]],
      ['words', [{ field: 'words', operator: 'contains_any', values: ['refund'] }]],
      ['customer', [{ field: 'customer', operator: 'is', values: [ids.acme] }]],
      ['tier', [{ field: 'tier', operator: 'is', values: ['enterprise'] }]],
      ['risk', [{ field: 'risk_band', operator: 'is', values: ['high', 'critical'] }]],
      [
        'bh-within',
        [
          { field: 'business_hours', operator: 'within' },
          { field: 'team', operator: 'is', values: [ids.open247, ids.closed] },
        ],
      ],
      ['bh-outside', [{ field: 'business_hours', operator: 'outside' }]],
      [
        'chat-and-enterprise',
        [
          { field: 'channel', operator: 'is', values: ['chat'] },
          { field: 'tier', operator: 'is', values: ['enterprise'] },
        ],
      ],
    ];
    const created: string[] = [];
    for (const [name, conditions] of cases) {
      created.push(
        (
          await ok(stack, admin, CREATE, {
            i: {
              name: `cond ${name}`,
              trigger: 'ticket_created',
              conditions,
              actions: { addTags: [`c-${name}`] },
            },
          })
        ).createAutomationRule.id,
      );
    }
    const a = await ticket({
      requesterId: ids.acmeContact,
      channel: 'chat',
      priority: 'urgent',
      tags: ['vip', 'beta'],
      teamId: ids.open247,
      message: { kind: 'customer_message', body: 'I want a REFUND now.' },
    });
    const b = await ticket({
      requesterId: ids.globexContact,
      channel: 'email',
      priority: 'low',
      tags: ['spam'],
      teamId: ids.closed,
      message: { kind: 'customer_message', body: 'It was refunded already' },
    });
    const c = await ticket({
      requesterId: ids.globexContact,
      channel: 'chat',
      priority: 'normal',
      message: { kind: 'customer_message', body: 'hello' },
    });
    const got = async (id: string) =>
      ((await row(id)).tags as string[]).filter((t) => t.startsWith('c-')).sort();
    expect(await got(a.id)).toEqual(
      [
        'c-channel',
        'c-priority',
        'c-priority-not',
        'c-tags-any',
        'c-tags-all',
        'c-tags-none',
        'c-words',
        'c-customer',
        'c-tier',
        'c-risk',
        'c-bh-within',
        'c-chat-and-enterprise',
      ].sort(),
    );
    expect(await got(b.id)).toEqual(['c-bh-outside']);
    // no team: no calendar, counts as within (but the team condition of bh-within fails)
    expect(await got(c.id)).toEqual(['c-channel', 'c-priority-not', 'c-tags-none'].sort());
    // each firing is an event naming the rule and its version, by no user
    const applied = await events(a.id, ['rule_applied']);
    expect(applied).toHaveLength(12);
    expect(applied[0]).toMatchObject({
      actorId: null,
      from: `rule ${created[0]} v1`,
      to: 'cond channel',
    });
    for (const id of created) await ok(stack, admin, DELETE, { id });
  });

  it('applies every action on a customer message, in one transaction, with the e-mail through the outbox', async () => {
    const rule = (
      await ok(stack, lead, CREATE, {
        i: {
          name: 'Escalate outages',
          trigger: 'customer_message',
          conditions: [{ field: 'words', operator: 'contains_any', values: ['outage', 'down'] }],
          actions: {
            priority: 'high',
            teamId: ids.support,
            assigneeId: ids.agent,
            addTags: ['outage'],
            note: 'Escalated by rule for {{customer.name}}',
            emailTo: 'requester',
            emailSubject: 'We are on it, {{requester.first_name}}',
            emailBody: 'Hello {{requester.name}}, {{agent.name}} is looking at #{{ticket.number}}.',
            followUpInHours: 24,
            followUpNote: 'Check in with {{customer.name}} about the outage',
          },
        },
      })
    ).createAutomationRule;
    expect(rule).toMatchObject({ version: 1, trigger: 'customer_message', position: 1 });
    const t = await ticket({
      requesterId: ids.acmeContact,
      message: { kind: 'customer_message', body: 'Hi' },
    });
    // preview against the ticket: the message is not there yet, so the words do not match
    const draft = {
      name: rule.name,
      trigger: 'customer_message',
      conditions: rule.conditions,
      actions: {
        priority: 'high',
        emailTo: 'account_manager',
        emailSubject: 'Heads-up on #{{ticket.number}}',
        emailBody: 'x',
      },
    };
    const before = await row(t.id);
    const preview = (await ok(stack, lead, TEST, { t: t.id, i: draft })).testAutomationRule;
    expect(preview.matched).toBe(false);
    expect(preview.conditions[0]).toMatchObject({
      field: 'words',
      matched: false,
      actual: 'none of the words',
    });
    expect(preview.changes).toEqual([{ field: 'priority', from: 'normal', to: 'high' }]);
    expect(preview.email).toMatchObject({
      to: 'account_manager',
      recipient: 'am@t.local',
      subject: `Heads-up on #${t.number}`,
    });
    expect(await row(t.id)).toEqual(before);

    await ok(
      stack,
      agent,
      `mutation($id: ID!) { addCustomerMessage(id: $id, body: "The site is DOWN again") { message { id } } }`,
      { id: t.id },
    );
    expect(await row(t.id)).toMatchObject({
      priority: 'high',
      teamId: ids.support,
      assigneeId: ids.agent,
      tags: ['outage'],
    });
    const history = await events(t.id);
    const at = history.findIndex((e) => e.type === 'rule_applied');
    expect(history[at]).toMatchObject({
      actorId: null,
      from: `rule ${rule.id} v1`,
      to: 'Escalate outages',
    });
    expect(history.slice(at + 1).map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'priority_changed',
        'team_changed',
        'assignee_changed',
        'tags_changed',
      ]),
    );
    const note = await stack.db.query(
      `SELECT body FROM ticket_messages WHERE ticket_id = $1 AND kind = 'internal_note'`,
      [t.id],
    );
    expect(note.rows.map((r) => r.body)).toEqual(['Escalated by rule for Acme']);
    const fu = await stack.db.query(
      `SELECT owner_id::text AS owner, note, kind FROM follow_ups WHERE ticket_id = $1`,
      [t.id],
    );
    expect(fu.rows).toEqual([
      { owner: ids.am, note: 'Check in with Acme about the outage', kind: 'custom' },
    ]);
    const mail = await eventually('the rule mail', async () =>
      sink.mails.find((m) => m.to.includes('ada@acme.example') && m.raw.includes('We are on it')),
    );
    expect(mailText(mail.raw)).toContain(`Hello Acme Person, Bo Agent is looking at #${t.number}.`);
    expect(mail.raw).toMatch(new RegExp(`Subject: \\[#${t.number}\\] We are on it, Acme`));
    await eventually(
      'the mail marked sent',
      async () =>
        (
          await stack.db.query(
            `SELECT 1 FROM automation_mails WHERE ticket_id = $1 AND status = 'sent'`,
            [t.id],
          )
        ).rows[0],
    );

    // a new version: history names it; stopProcessing keeps the later rule from running
    const v2 = (
      await ok(stack, lead, UPDATE, {
        id: rule.id,
        v: 1,
        i: {
          name: 'Escalate outages',
          trigger: 'customer_message',
          conditions: rule.conditions,
          actions: { addTags: ['outage-again'] },
          stopProcessing: true,
        },
      })
    ).updateAutomationRule;
    expect(v2.version).toBe(2);
    expect(
      (
        await fails(stack, lead, UPDATE, {
          id: rule.id,
          v: 1,
          i: { name: 'x', trigger: 'time', actions: {} },
        })
      ).extensions?.code,
    ).toBe('BAD_USER_INPUT');
    const later = (
      await ok(stack, lead, CREATE, {
        i: { name: 'Never reached', trigger: 'customer_message', actions: { addTags: ['never'] } },
      })
    ).createAutomationRule;
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { addCustomerMessage(id: $id, body: "still down") { message { id } } }`,
      { id: t.id },
    );
    expect((await row(t.id)).tags).toEqual(['outage', 'outage-again']);
    expect((await events(t.id, ['rule_applied'])).at(-1)).toMatchObject({
      from: `rule ${rule.id} v2`,
    });
    const versions = (
      await ok(
        stack,
        admin,
        `query($id: ID!) { automationRuleVersions(id: $id) { version rule { actions { addTags } } } }`,
        {
          id: rule.id,
        },
      )
    ).automationRuleVersions;
    expect(versions.map((v: any) => v.version)).toEqual([2, 1]);
    expect(versions[1].rule.actions.addTags).toEqual(['outage']);
    await ok(stack, admin, DELETE, { id: rule.id });
    await ok(stack, admin, DELETE, { id: later.id });
  });

  it('stops rules that keep undoing each other after a bounded number of passes, and says so', async () => {
    const mk = async (name: string, from: string, to: string) =>
      (
        await ok(stack, admin, CREATE, {
          i: {
            name,
            trigger: 'ticket_updated',
            conditions: [{ field: 'priority', operator: 'is', values: [from] }],
            actions: { priority: to },
          },
        })
      ).createAutomationRule.id as string;
    const r1 = await mk('Calm down', 'urgent', 'low');
    const r2 = await mk('Wake up', 'low', 'urgent');
    const t = await ticket({ requesterId: ids.globexContact });
    const res = await ok(
      stack,
      agent,
      `mutation($id: ID!) { updateTicket(id: $id, input: { priority: urgent }) { priority } }`,
      { id: t.id },
    );
    expect(res.updateTicket.priority).toBe('urgent');
    const stopped = await events(t.id, ['rules_loop_stopped']);
    expect(stopped).toHaveLength(1);
    expect(stopped[0].from).toBe('5 passes');
    expect(stopped[0].to).toContain('Calm down (v1)');
    // 5 passes of two rules, each changing the priority
    expect(await events(t.id, ['rule_applied'])).toHaveLength(10);
    await ok(stack, admin, DELETE, { id: r1 });
    await ok(stack, admin, DELETE, { id: r2 });
  });

  it('rolls back only a rule that cannot act; the change that triggered it goes through', async () => {
    const helper = await insertUser(stack, {
      email: 'temp@t.local',
      role: 'agent',
      teamId: ids.support,
    });
    const assign = (
      await ok(stack, admin, CREATE, {
        i: { name: 'Give to temp', trigger: 'ticket_created', actions: { assigneeId: helper } },
      })
    ).createAutomationRule;
    const tag = (
      await ok(stack, admin, CREATE, {
        i: { name: 'Tag all', trigger: 'ticket_created', actions: { addTags: ['seen'] } },
      })
    ).createAutomationRule;
    await stack.db.query(`UPDATE users SET active = false WHERE id = $1`, [helper]);
    const t = await ticket({ requesterId: ids.globexContact });
    expect(await row(t.id)).toMatchObject({ assigneeId: null, tags: ['seen'] });
    expect((await events(t.id, ['rule_applied'])).map((e) => e.to)).toEqual([
      expect.stringMatching(/^Give to temp: failed, assigneeId: user \d+ is deactivated/),
      'Tag all',
    ]);
    await ok(stack, admin, DELETE, { id: assign.id });
    await ok(stack, admin, DELETE, { id: tag.id });
  });

  it('fires time-based rules once per ticket per period (worker scan), mailing requester and account manager', async () => {
    const remind = (
      await ok(stack, admin, CREATE, {
        i: {
          name: 'Remind after 3 days pending',
          trigger: 'time',
          conditions: [{ field: 'pending_hours', operator: 'at_least', values: ['72'] }],
          actions: {
            emailTo: 'requester',
            emailSubject: 'Still need help, {{requester.first_name}}?',
            emailBody: 'We are waiting for your answer on #{{ticket.number}}.',
          },
        },
      })
    ).createAutomationRule;
    await ok(stack, admin, CREATE, {
      i: {
        name: 'High-risk unanswered 1h',
        trigger: 'time',
        conditions: [
          { field: 'unanswered_minutes', operator: 'at_least', values: ['60'] },
          { field: 'risk_band', operator: 'is', values: ['high', 'critical'] },
        ],
        actions: {
          emailTo: 'account_manager',
          emailSubject: 'Unanswered: {{customer.name}}',
          emailBody: '{{customer.name}} has waited an hour on #{{ticket.number}}.',
        },
      },
    });
    const pending = await ticket({
      requesterId: ids.globexContact,
      message: { kind: 'customer_message', body: 'q' },
    });
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { replyToTicket(id: $id, body: "Which version?") { message { id } } }`,
      { id: pending.id },
    );
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { changeTicketStatus(id: $id, status: pending) { status } }`,
      { id: pending.id },
    );
    const waiting = await ticket({
      requesterId: ids.acmeContact,
      message: { kind: 'customer_message', body: 'anyone?' },
    });
    const lowRisk = await ticket({
      requesterId: ids.globexContact,
      message: { kind: 'customer_message', body: 'anyone?' },
    });
    // hand-timed clocks: pending for 73 hours, customer messages 2 hours old
    await stack.db.query(
      `UPDATE tickets SET sla_paused_at = now() - interval '73 hours' WHERE id = $1`,
      [pending.id],
    );
    await stack.db.query(
      `UPDATE ticket_messages SET created_at = now() - interval '2 hours' WHERE ticket_id = ANY($1::bigint[])`,
      [[waiting.id, lowRisk.id]],
    );
    await stack.db.query(
      `UPDATE tickets SET last_message_at = now() - interval '2 hours' WHERE id = ANY($1::bigint[])`,
      [[waiting.id, lowRisk.id]],
    );
    const rules = stack.worker!.get(RulesService);
    await rules.timeScan();
    await rules.timeScan();
    const firings = await stack.db.query(
      `SELECT ticket_id::text AS t, count(*)::int AS n FROM automation_rule_firings GROUP BY ticket_id ORDER BY 1`,
    );
    expect(firings.rows).toEqual(
      [
        { t: pending.id, n: 1 },
        { t: waiting.id, n: 1 },
      ].sort((x, y) => Number(x.t) - Number(y.t)),
    );
    expect(await events(pending.id, ['rule_applied'])).toEqual([
      expect.objectContaining({ from: `rule ${remind.id} v1`, to: 'Remind after 3 days pending' }),
    ]);
    const toCustomer = await eventually('the reminder', async () =>
      sink.mails.find(
        (m) => m.to.includes('gus@globex.example') && m.raw.includes('Still need help'),
      ),
    );
    expect(mailText(toCustomer.raw)).toContain(
      `We are waiting for your answer on #${pending.number}.`,
    );
    const toAm = await eventually('the account manager mail', async () =>
      sink.mails.find((m) => m.to.includes('am@t.local')),
    );
    expect(mailText(toAm.raw)).toContain(`Acme has waited an hour on #${waiting.number}.`);
    // a new pending spell is a new period: the rule fires again
    await stack.db.query(
      `UPDATE tickets SET sla_paused_at = now() - interval '80 hours' WHERE id = $1`,
      [pending.id],
    );
    await rules.timeScan();
    expect(await events(pending.id, ['rule_applied'])).toHaveLength(2);
    await stack.db.query(`UPDATE automation_rules SET active = false WHERE trigger = 'time'`);
  });

  it('merges a duplicate: messages and tags move, it closes with a link, its requester is mailed; nothing is deleted', async () => {
    const keep = await ticket({
      requesterId: ids.globexContact,
      tags: ['billing'],
      message: { kind: 'customer_message', body: 'Invoice is wrong' },
    });
    const dup = await ticket({
      requesterId: ids.globexContact,
      subject: 'Invoice again',
      tags: ['urgent-ish'],
      message: { kind: 'customer_message', body: 'Did you see my invoice mail?' },
    });
    const other = await ticket({ requesterId: ids.acmeContact });
    expect(
      (
        await fails(
          stack,
          agent,
          `mutation($s: ID!, $t: ID!) { mergeTickets(sourceId: $s, targetId: $t) { target { id } } }`,
          { s: dup.id, t: other.id },
        )
      ).extensions?.code,
    ).toBe('BAD_USER_INPUT');
    const dupMessages = (
      await stack.db.query(`SELECT id::text FROM ticket_messages WHERE ticket_id = $1`, [dup.id])
    ).rows.map((r) => r.id);
    const res = await ok(
      stack,
      agent,
      `mutation($s: ID!, $t: ID!) { mergeTickets(sourceId: $s, targetId: $t) { target { id tags } source { id status } } }`,
      { s: dup.id, t: keep.id },
    );
    expect(res.mergeTickets.source.status).toBe('closed');
    expect(res.mergeTickets.target.tags).toEqual(['billing', 'urgent-ish']);
    expect(await row(dup.id)).toMatchObject({ status: 'closed', mergedIntoId: keep.id });
    const moved = await stack.db.query(
      `SELECT id::text, ticket_id::text AS t, moved_from_ticket_id::text AS "from" FROM ticket_messages WHERE id = ANY($1::bigint[])`,
      [dupMessages],
    );
    expect(moved.rows).toEqual(dupMessages.map((id) => ({ id, t: keep.id, from: dup.id })));
    expect(await events(keep.id, ['merged_from'])).toEqual([
      expect.objectContaining({ from: dup.id, to: `#${dup.number} (1 messages)` }),
    ]);
    expect(await events(dup.id, ['merged_into', 'status_changed'])).toEqual([
      expect.objectContaining({ type: 'merged_into', from: keep.id }),
      expect.objectContaining({ type: 'status_changed', to: 'closed' }),
    ]);
    // the duplicate's own history stays on it
    expect((await events(dup.id, ['created'])).length).toBe(1);
    const notice = await eventually('the merge notice', async () =>
      sink.mails.find(
        (m) => m.to.includes('gus@globex.example') && m.raw.includes('was merged into'),
      ),
    );
    expect(mailText(notice.raw)).toContain(
      `#${dup.number} "Invoice again" was merged into request #${keep.number}`,
    );
  });

  it('splits a customer message out into a new ticket with history on both sides', async () => {
    const t = await ticket({
      requesterId: ids.acmeContact,
      subject: 'Two questions',
      teamId: ids.support,
      message: { kind: 'customer_message', body: 'Question one' },
    });
    const only = (
      await stack.db.query(`SELECT id::text FROM ticket_messages WHERE ticket_id = $1`, [t.id])
    ).rows[0].id;
    const SPLIT = `mutation($t: ID!, $m: ID!) { splitTicket(ticketId: $t, messageId: $m) { ticket { id subject status team { id } } source { id } } }`;
    expect((await fails(stack, agent, SPLIT, { t: t.id, m: only })).message).toMatch(
      /only message/,
    );
    const second = (
      await ok(
        stack,
        agent,
        `mutation($id: ID!) { addCustomerMessage(id: $id, body: "Also: question two") { message { id } } }`,
        { id: t.id },
      )
    ).addCustomerMessage.message.id;
    const res = (await ok(stack, agent, SPLIT, { t: t.id, m: second })).splitTicket;
    expect(res.ticket).toMatchObject({
      subject: `Split from #${t.number}: Two questions`,
      status: 'new',
      team: { id: ids.support },
    });
    const m = await stack.db.query(
      `SELECT ticket_id::text AS t, moved_from_ticket_id::text AS "from" FROM ticket_messages WHERE id = $1`,
      [second],
    );
    expect(m.rows[0]).toEqual({ t: res.ticket.id, from: t.id });
    expect(await events(t.id, ['split_into'])).toEqual([
      expect.objectContaining({ from: second, to: res.ticket.id }),
    ]);
    expect(await events(res.ticket.id, ['created', 'split_from'])).toEqual([
      expect.objectContaining({ type: 'created' }),
      expect.objectContaining({ type: 'split_from', from: t.id }),
    ]);
  });

  it('custom fields: admin-defined, validated on set naming the field, usable in filters, views and rules', async () => {
    const DEF = `mutation($i: CustomFieldDefinitionInput!) { createCustomFieldDefinition(input: $i) { id key type options } }`;
    const def = (i: Record<string, unknown>) =>
      ok(stack, admin, DEF, { i: { entity: 'ticket', ...i } });
    expect(
      (
        await fails(stack, lead, DEF, {
          i: { entity: 'ticket', key: 'plan', label: 'Plan', type: 'text' },
        })
      ).extensions?.code,
    ).toBe('FORBIDDEN');
    await def({ key: 'plan', label: 'Plan', type: 'dropdown', options: ['gold', 'silver'] });
    await def({ key: 'seats', label: 'Seats', type: 'number' });
    await def({ key: 'renewal', label: 'Renewal', type: 'date' });
    await def({ key: 'vip', label: 'VIP', type: 'checkbox' });
    await def({ key: 'notes', label: 'Notes', type: 'text' });
    await def({
      entity: 'customer',
      key: 'region',
      label: 'Region',
      type: 'dropdown',
      options: ['emea', 'apac'],
    });
    expect(
      (
        await fails(stack, admin, DEF, {
          i: { entity: 'ticket', key: 'plan', label: 'P', type: 'text' },
        })
      ).extensions?.code,
    ).toBe('CONFLICT');
    expect(
      (
        await fails(stack, admin, DEF, {
          i: { entity: 'ticket', key: 'x', label: 'X', type: 'dropdown' },
        })
      ).extensions?.code,
    ).toBe('BAD_USER_INPUT');
    const tag = (
      await ok(stack, admin, CREATE, {
        i: {
          name: 'Gold plan',
          trigger: 'ticket_updated',
          conditions: [{ field: 'custom.plan', operator: 'is', values: ['gold'] }],
          actions: { addTags: ['gold'] },
        },
      })
    ).createAutomationRule;
    expect(
      (
        await fails(stack, admin, CREATE, {
          i: {
            name: 'x',
            trigger: 'ticket_updated',
            conditions: [{ field: 'custom.nope', operator: 'is', values: ['1'] }],
            actions: { addTags: ['x'] },
          },
        })
      ).message,
    ).toMatch(/no ticket field "nope"/);
    const SET = `mutation($t: ID!, $v: JSONObject!) { setTicketCustomFields(ticketId: $t, values: $v) { id customFields tags } }`;
    const a = await ticket({ requesterId: ids.globexContact, subject: 'cf a' });
    const b = await ticket({ requesterId: ids.globexContact, subject: 'cf b' });
    const bad: [Record<string, unknown>, string][] = [
      [{ plan: 'bronze' }, 'values.plan'],
      [{ seats: 'ten' }, 'values.seats'],
      [{ renewal: '2027-02-30' }, 'values.renewal'],
      [{ vip: 'yes' }, 'values.vip'],
      [{ colour: 'red' }, 'values.colour'],
    ];
    for (const [v, field] of bad) {
      const err = await fails(stack, agent, SET, { t: a.id, v });
      expect(err.extensions?.code).toBe('BAD_USER_INPUT');
      expect(err.extensions?.field).toBe(field);
    }
    const set = (
      await ok(stack, agent, SET, {
        t: a.id,
        v: { plan: 'gold', seats: 12, renewal: '2027-03-31', vip: true, notes: ' hi ' },
      })
    ).setTicketCustomFields;
    expect(set.customFields).toEqual({
      plan: 'gold',
      seats: 12,
      renewal: '2027-03-31',
      vip: true,
      notes: 'hi',
    });
    expect(set.tags).toContain('gold');
    expect((await events(a.id, ['rule_applied'])).map((e) => e.to)).toEqual(['Gold plan']);
    await ok(stack, agent, SET, { t: b.id, v: { plan: 'silver', vip: true } });
    const LIST = `query($f: TicketFilter) { tickets(filter: $f, first: 50) { totalCount edges { node { id } } } }`;
    const found = async (f: Record<string, unknown>) =>
      (await ok(stack, agent, LIST, { f })).tickets.edges.map((e: any) => e.node.id).sort();
    expect(await found({ customFields: { plan: 'gold' } })).toEqual([a.id]);
    expect(await found({ customFields: { vip: true } })).toEqual([a.id, b.id].sort());
    expect(await found({ customFields: { vip: true, seats: 12 } })).toEqual([a.id]);
    expect(
      (await fails(stack, agent, LIST, { f: { customFields: { plan: { $ne: 1 } } } })).extensions
        ?.code,
    ).toBe('BAD_USER_INPUT');
    const view = (
      await ok(
        stack,
        agent,
        `mutation($i: SavedViewInput!) { createSavedView(input: $i) { id count } }`,
        {
          i: { name: 'Silver', filter: { customFields: { plan: 'silver' } } },
        },
      )
    ).createSavedView;
    expect(view.count).toBe(1);
    // clearing a value; customer fields
    expect(
      (await ok(stack, agent, SET, { t: a.id, v: { notes: null } })).setTicketCustomFields
        .customFields.notes,
    ).toBeUndefined();
    const C = `mutation($c: ID!, $v: JSONObject!) { setCustomerCustomFields(customerId: $c, values: $v) }`;
    expect(
      (await fails(stack, admin, C, { c: ids.acme, v: { region: 'mars' } })).extensions?.field,
    ).toBe('values.region');
    expect(
      (await ok(stack, admin, C, { c: ids.acme, v: { region: 'emea' } })).setCustomerCustomFields,
    ).toEqual({ region: 'emea' });
    // updateCustomer checks its customFields like setCustomerCustomFields; the list filters on them
    const UC = `mutation($id: ID!, $f: JSONObject) { updateCustomer(id: $id, input: { customFields: $f }) { customFields } }`;
    for (const [f, field] of [
      [{ region: 'mars' }, 'customFields.region'],
      [{ region: 1 }, 'customFields.region'],
      [{ shoe: 'x' }, 'customFields.shoe'],
    ] as const) {
      const err = await fails(stack, admin, UC, { id: ids.globex, f });
      expect([err.extensions?.code, err.extensions?.field]).toEqual(['BAD_USER_INPUT', field]);
    }
    expect(
      (await ok(stack, admin, UC, { id: ids.globex, f: { region: 'apac' } })).updateCustomer,
    ).toEqual({ customFields: { region: 'apac' } });
    const CL = `query($f: CustomerFilter) { customers(filter: $f, first: 50) { edges { node { id } } } }`;
    const customersWith = async (customFields: Record<string, unknown>) =>
      (await ok(stack, agent, CL, { f: { customFields } })).customers.edges.map(
        (e: { node: { id: string } }) => e.node.id,
      );
    expect(await customersWith({ region: 'emea' })).toEqual([ids.acme]);
    expect(await customersWith({ region: 'apac' })).toEqual([ids.globex]);
    expect(await customersWith({ region: 'apac', tier_x: true })).toEqual([]);
    expect(
      (await fails(stack, agent, CL, { f: { customFields: { region: ['emea'] } } })).extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.customFields.region' });
    await ok(stack, admin, DELETE, { id: tag.id });
  });

  it('caches the rules per api process: a rule saved in one api applies in another from its next ticket', async () => {
    // a second api on the same database and Redis: its own RulesService and its own cache
    const other = await createApi(stack.config);
    try {
      await other.listen({ port: 0, host: '127.0.0.1' });
      const url = await other.getUrl();
      const createThere = async (subject: string) => {
        const body = await gqlAt(
          url,
          CREATE_TICKET,
          {
            i: {
              subject,
              channel: 'email',
              requesterId: ids.globexContact,
              message: { body: 'hello', kind: 'customer_message' },
            },
          },
          { token: agent },
        );
        expect(body.errors).toBeUndefined();
        // the tags as stored once the creating transaction committed
        return (await row(body.data!.createTicket.id)) as { tags: string[] };
      };
      // the other api reads (and caches) the rules as they are now
      expect((await createThere('zebracrossing one')).tags).not.toContain('cache-probe');
      const words = { field: 'words', operator: 'contains_any', values: ['zebracrossing'] };
      const rule = (
        await ok(stack, admin, CREATE, {
          i: {
            name: 'Cache probe',
            trigger: 'ticket_created',
            conditions: [words],
            actions: { addTags: ['cache-probe'] },
          },
        })
      ).createAutomationRule;
      // saved here, applied there from the very next ticket
      expect((await createThere('zebracrossing two')).tags).toContain('cache-probe');
      await ok(stack, admin, UPDATE, {
        id: rule.id,
        v: rule.version,
        i: {
          name: 'Cache probe',
          trigger: 'ticket_created',
          conditions: [words],
          actions: { addTags: ['cache-probe-v2'] },
        },
      });
      const third = await createThere('zebracrossing three');
      expect(third.tags).toContain('cache-probe-v2');
      expect(third.tags).not.toContain('cache-probe');
      await ok(stack, admin, DELETE, { id: rule.id });
      expect((await createThere('zebracrossing four')).tags).not.toContain('cache-probe-v2');
    } finally {
      await other.close();
    }
  });
});
