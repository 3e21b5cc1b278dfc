import { insertUser, login, ok } from '../support/factories';
import { NO_RATE_LIMITS } from '../support/env';
import { TestStack, startStack } from '../support/stack';

jest.setTimeout(90_000);

const RULE = `id version`;
const CREATE = `mutation($i: AutomationRuleInput!) { createAutomationRule(input: $i) { ${RULE} } }`;
const CREATE_TICKET = `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }`;

/**
 * Creation rules decided on the new ticket's own facts are written by createTicket's insert
 * (rules.fold.ts): the ticket, its history (rule_applied events naming the rules, the changes'
 * events by the rules' editors), its audit and outbox rows must be what the run after the
 * insert leaves; a rule the insert cannot decide makes the whole run happen after the insert.
 */
describe('automation rules on ticket creation: folded into the insert, same history', () => {
  let stack: TestStack;
  let admin: string;
  let lead: string;
  let agent: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startStack({ env: { ...NO_RATE_LIMITS, EXPOSE_SQL_COUNT: 'true' } });
    await insertUser(stack, { email: 'admin@t.local', role: 'admin', name: 'Ann Admin' });
    admin = await login(stack, 'admin@t.local');
    ids.lead = await insertUser(stack, { email: 'lead@t.local', role: 'team_lead', name: 'Di' });
    await insertUser(stack, { email: 'agent@t.local', role: 'agent', name: 'Bo Agent' });
    lead = await login(stack, 'lead@t.local');
    agent = await login(stack, 'agent@t.local');
    const customer = async (name: string, tier: string, email: string) =>
      (
        await ok(
          stack,
          admin,
          `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id contacts { id } } }`,
          { i: { name, tier, contacts: [{ name: `${name} Person`, email }] } },
        )
      ).createCustomer.contacts[0].id as string;
    ids.globex = await customer('Globex', 'free', 'gus@globex.example');
    ids.acme = await customer('Acme', 'enterprise', 'ada@acme.example');
  });
  afterAll(async () => {
    await stack?.close();
  });

  const create = async (requesterId: string) =>
    (
      await ok(stack, agent, CREATE_TICKET, {
        i: {
          requesterId,
          subject: 'Charged twice',
          channel: 'web',
          tags: ['billing'],
          message: { kind: 'customer_message', body: 'I want a refund, please.' },
        },
      })
    ).createTicket.id as string;

  /** Everything a creation leaves, with the ticket's own id taken out (to compare two tickets). */
  const trace = async (ticketId: string) => {
    const q = async (text: string) => (await stack.db.query(text, [ticketId])).rows;
    const ticket = await q(
      `SELECT tags, version, priority, status, team_id, assignee_id, (updated_at >= created_at) AS later
         FROM tickets WHERE id = $1`,
    );
    const events = await q(
      `SELECT type, actor_id::text AS actor, from_value AS "from", to_value AS "to"
         FROM ticket_events WHERE ticket_id = $1 ORDER BY id`,
    );
    const audit = await q(
      `SELECT actor_id::text AS actor, action, details FROM audit_log
        WHERE entity = 'ticket' AND entity_id = $1::text ORDER BY id`,
    );
    const outbox = (
      await q(
        `SELECT type, payload - 'ticketId' AS payload FROM outbox
          WHERE payload->>'ticketId' = $1::text ORDER BY id`,
      )
    ).filter((o) => o.type !== 'ticket.message_added');
    return { ticket, events, audit, outbox };
  };

  it('writes what the run after the insert writes; an undecidable rule still runs after it', async () => {
    // two editors (two updates), a word condition, a tag condition, a second pass ("updated")
    const r1 = (
      await ok(stack, lead, CREATE, {
        i: {
          name: 'Web is triaged',
          trigger: 'ticket_created',
          conditions: [{ field: 'channel', operator: 'is', values: ['web'] }],
          actions: { addTags: ['triage'] },
        },
      })
    ).createAutomationRule;
    const r2 = (
      await ok(stack, admin, CREATE, {
        i: {
          name: 'Refunds',
          trigger: 'ticket_created',
          conditions: [
            { field: 'words', operator: 'contains_any', values: ['refund'] },
            { field: 'tags', operator: 'contains_any', values: ['billing'] },
          ],
          actions: { addTags: ['refund'], removeTags: ['billing'] },
        },
      })
    ).createAutomationRule;
    await ok(stack, admin, CREATE, {
      i: {
        name: 'Not for the phone',
        trigger: 'ticket_created',
        conditions: [
          { field: 'channel', operator: 'is', values: ['phone'] },
          { field: 'tier', operator: 'is', values: ['enterprise'] },
        ],
        actions: { priority: 'urgent' },
      },
    });
    const r3 = (
      await ok(stack, admin, CREATE, {
        i: {
          name: 'Refunds to finance',
          trigger: 'ticket_updated',
          conditions: [{ field: 'tags', operator: 'contains_all', values: ['refund', 'triage'] }],
          actions: { addTags: ['finance'] },
        },
      })
    ).createAutomationRule;

    // folded: every rule is decided on the draft
    const folded = await create(ids.globex);
    const a = await trace(folded);
    expect(a.ticket).toEqual([
      {
        tags: ['finance', 'refund', 'triage'],
        version: 4,
        priority: 'normal',
        status: 'new',
        team_id: null,
        assignee_id: null,
        later: true,
      },
    ]);
    expect(a.events).toEqual([
      { type: 'created', actor: expect.any(String), from: null, to: 'new' },
      { type: 'rule_applied', actor: null, from: `rule ${r1.id} v1`, to: 'Web is triaged' },
      { type: 'tags_changed', actor: ids.lead, from: 'billing', to: 'billing,triage' },
      { type: 'rule_applied', actor: null, from: `rule ${r2.id} v1`, to: 'Refunds' },
      {
        type: 'tags_changed',
        actor: expect.any(String),
        from: 'billing,triage',
        to: 'refund,triage',
      },
      { type: 'rule_applied', actor: null, from: `rule ${r3.id} v1`, to: 'Refunds to finance' },
      {
        type: 'tags_changed',
        actor: expect.any(String),
        from: 'refund,triage',
        to: 'finance,refund,triage',
      },
    ]);
    expect(a.audit.map((r) => r.action)).toEqual([
      'ticket.create',
      'ticket.update',
      'ticket.update',
      'ticket.update',
    ]);
    expect(a.outbox.map((r) => r.type)).toEqual([
      'ticket.created',
      'ticket.updated',
      'ticket.updated',
      'ticket.updated',
    ]);
    // written by the insert: the rules' events carry the creation's time
    const times = await stack.db.query(
      `SELECT count(DISTINCT created_at)::int AS n FROM ticket_events WHERE ticket_id = $1`,
      [folded],
    );
    expect(times.rows[0].n).toBe(1);

    // a rule that needs the customer's tier: the run happens after the insert, the same history
    const tier = (
      await ok(stack, admin, CREATE, {
        i: {
          name: 'Enterprise',
          trigger: 'ticket_created',
          conditions: [{ field: 'tier', operator: 'is', values: ['enterprise'] }],
          actions: { addTags: ['vip'] },
        },
      })
    ).createAutomationRule;
    const after = await create(ids.globex);
    expect(await trace(after)).toEqual(a);
    // … and it fires when it holds, after the folded-looking changes, in position order
    const vip = await trace(await create(ids.acme));
    expect(vip.ticket[0].tags).toEqual(['finance', 'refund', 'triage', 'vip']);
    expect(vip.events.filter((e) => e.type === 'rule_applied').map((e) => e.to)).toEqual([
      'Web is triaged',
      'Refunds',
      'Enterprise',
      'Refunds to finance',
    ]);
    expect(vip.events.filter((e) => e.type === 'rule_applied')[2].from).toBe(`rule ${tier.id} v1`);
  });

  it('without a message, team or assignee: one statement from the rules cache, the same history; a rule saved meanwhile is seen', async () => {
    // the tier rule above cannot be decided on the draft: without it every rule folds
    const rules = (await ok(stack, admin, `{ automationRules { id name } }`)).automationRules as {
      id: string;
      name: string;
    }[];
    const enterprise = rules.find((r) => r.name === 'Enterprise')!;
    await ok(stack, admin, `mutation($id: ID!) { deleteAutomationRule(id: $id) }`, {
      id: enterprise.id,
    });
    const bare = (requesterId: string, customerId?: string) =>
      stack.gql(
        CREATE_TICKET,
        {
          i: {
            requesterId,
            customerId,
            subject: 'Charged twice',
            channel: 'web',
            tags: ['billing'],
          },
        },
        { token: agent },
      );
    const created = async (requesterId: string) => {
      const res = await bare(requesterId);
      expect(res.errors).toBeUndefined();
      return {
        id: (res.data as any).createTicket.id as string,
        sql: res.extensions?.sqlQueries as number,
      };
    };
    // a rule saved after the cache was filled: the next creation sees it (the cache's version
    // no longer holds, so it is created in a transaction that reads the rules again) …
    await created(ids.globex);
    const look = (
      await ok(stack, admin, CREATE, {
        i: {
          name: 'Web gets a look',
          trigger: 'ticket_created',
          conditions: [{ field: 'channel', operator: 'is', values: ['web'] }],
          actions: { addTags: ['look'] },
        },
      })
    ).createAutomationRule;
    const first = await created(ids.globex);
    expect(first.sql).toBeGreaterThan(1);
    // … and the one after it is a single statement, leaving exactly what that transaction left
    const second = await created(ids.globex);
    expect(second.sql).toBe(1);
    const a = await trace(first.id);
    expect(a.ticket[0].tags).toEqual(['billing', 'look', 'triage']);
    expect(a.events.filter((e) => e.type === 'rule_applied').map((e) => e.to)).toEqual([
      'Web is triaged',
      'Web gets a look',
    ]);
    expect(a.events.find((e) => e.to === 'Web gets a look')!.from).toBe(`rule ${look.id} v1`);
    expect(await trace(second.id)).toEqual(a);

    // the same errors as before: an unknown contact, a contact of another customer
    const unknown = await bare('999999999');
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const customers = (
      await ok(stack, admin, `{ customers(first: 10) { edges { node { id name } } } }`)
    ).customers.edges as { node: { id: string; name: string } }[];
    const acme = customers.find((c) => c.node.name === 'Acme')!.node.id;
    const other = await bare(ids.globex, acme);
    expect(other.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(other.errors?.[0].message).toContain(`not ${acme}`);
  });
});
