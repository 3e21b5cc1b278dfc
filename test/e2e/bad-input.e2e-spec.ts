import { Case, INPUT, INVALID, Ids, SQL } from './bad-input/case';
import { consoleCases } from './bad-input/console.cases';
import { customersCases } from './bad-input/customers.cases';
import { emailCases } from './bad-input/email.cases';
import { identityCases } from './bad-input/identity.cases';
import { queryCases } from './bad-input/queries.cases';
import { retentionCases } from './bad-input/retention.cases';
import { ticketsCases } from './bad-input/tickets.cases';
import { insertUser, login, ok } from '../support/factories';
import { schemaOperations } from '../support/operations';
import { NO_LOGIN_RATE_LIMITS, NO_RATE_LIMITS } from '../support/env';
import { TestStack, startStack } from '../support/stack';

jest.setTimeout(60_000);

/**
 * Table-driven bad input over every mutation (and the list queries' arguments): each case must
 * get a clear error with `extensions.code`, never a 500, and write nothing. Mutations are read
 * from the schema, so a new one without cases here fails the first test: add its line(s) to
 * the domain's table in test/e2e/bad-input/<domain>.cases.ts. Generic cases (unknown argument, missing/mistyped arguments) are generated
 * for every mutation from the schema itself.
 */
function cases(ids: Ids): Record<string, Case[]> {
  return {
    ...ticketsCases(ids),
    ...customersCases(ids),
    ...retentionCases(ids),
    ...emailCases(ids),
    ...identityCases(ids),
    ...consoleCases(ids),
  };
}

/** Search text that must be taken literally: found or not, never an error. */
const SEARCHES = [SQL, `%_\\`, `' OR '1'='1`, 'Ünïcödé 🎫 工单', '(&|!:*)', 'a'.repeat(200)];

describe('bad input: clear errors, no 500, nothing written', () => {
  let stack: TestStack;
  let admin: string;
  const ids: Record<string, string> = {};

  /** A fingerprint of every row the api could write (login bookkeeping on users excluded). */
  const fingerprint = async () => {
    const { rows } = await stack.db.query<{ t: string; h: string }>(`
      SELECT 'tickets' t, md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) h FROM tickets x
      UNION ALL SELECT 'messages', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM ticket_messages x
      UNION ALL SELECT 'events', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM ticket_events x
      UNION ALL SELECT 'customers', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM customers x
      UNION ALL SELECT 'contacts', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM contacts x
      UNION ALL SELECT 'teams', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM teams x
      UNION ALL SELECT 'users', md5(coalesce(string_agg((x.id, x.email, x.name, x.role, x.team_id, x.active, x.password_hash)::text, ',' ORDER BY id), '')) FROM users x
      UNION ALL SELECT 'follow_ups', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM follow_ups x
      UNION ALL SELECT 'sla', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM sla_policies x
      UNION ALL SELECT 'audit', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM audit_log x
      UNION ALL SELECT 'outbox', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM outbox x
      UNION ALL SELECT 'snoozes', md5(coalesce(string_agg(x::text, ',' ORDER BY customer_id), '')) FROM retention_snoozes x
      UNION ALL SELECT 'imports', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM import_runs x
      UNION ALL SELECT 'macros', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM macros x
      UNION ALL SELECT 'views', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM saved_views x
      UNION ALL SELECT 'status_changes', md5(coalesce(string_agg(x::text, ',' ORDER BY id), '')) FROM customer_status_changes x`);
    return Object.fromEntries(rows.map((r) => [r.t, r.h]));
  };

  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: {
        ...NO_RATE_LIMITS,
        ...NO_LOGIN_RATE_LIMITS,
        LOGIN_MAX_FAILURES: '100',
      },
    });
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    admin = await login(stack, 'admin@t.local');
    ids.agent = await insertUser(stack, { email: 'agent@t.local', role: 'agent' });
    ids.team = (
      await ok(stack, admin, `mutation { createTeam(input: { name: "Support" }) { id } }`)
    ).createTeam.id;
    const c = await ok(
      stack,
      admin,
      `mutation { createCustomer(input: { name: "Acme", contacts: [{ name: "Pat", email: "pat@acme.example" }] }) { id contacts { id } } }`,
    );
    ids.customer = c.createCustomer.id;
    ids.contact = c.createCustomer.contacts[0].id;
    await ok(
      stack,
      admin,
      `mutation { createCustomFieldDefinition(input: { entity: customer, key: "region", label: "Region", type: dropdown, options: ["EMEA", "APAC"] }) { id } }`,
    );
    const o = await ok(
      stack,
      admin,
      `mutation { createCustomer(input: { name: "Other", contacts: [{ name: "Oz", email: "oz@other.example" }] }) { contacts { id } } }`,
    );
    ids.otherContact = o.createCustomer.contacts[0].id;
    ids.ticket = (
      await ok(
        stack,
        admin,
        `mutation($c: ID!) { createTicket(input: { requesterId: $c, subject: "Printer", channel: email, message: { body: "It smokes", kind: customer_message } }) { id } }`,
        { c: ids.contact },
      )
    ).createTicket.id;
    ids.followUp = (
      await ok(
        stack,
        admin,
        `mutation($t: ID!) { createFollowUp(input: { ticketId: $t, kind: custom, dueAt: "2027-01-01T00:00:00Z" }) { id } }`,
        { t: ids.ticket },
      )
    ).createFollowUp.id;
    ids.macro = (
      await ok(
        stack,
        admin,
        `mutation { createMacro(input: { name: "Thanks", scope: global, body: "Thanks {{requester.first_name}}" }) { id } }`,
      )
    ).createMacro.id;
    ids.ticketCursor = (
      await ok(stack, admin, `{ tickets(first: 1) { edges { cursor } } }`)
    ).tickets.edges[0].cursor;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('has cases for every mutation in the schema', async () => {
    const { mutations } = await schemaOperations(stack);
    const table = cases(ids);
    expect(Object.keys(table).sort()).toEqual(mutations);
    for (const m of mutations) expect(table[m].length).toBeGreaterThan(0);
  });

  it('answers every bad mutation with a clear error and writes nothing', async () => {
    const { mutations } = await schemaOperations(stack);
    const args = await stack.gql<{
      __type: { fields: { name: string; args: { name: string; type: { kind: string } }[] }[] };
    }>(`{ __type(name: "Mutation") { fields { name args { name type { kind } } } } }`);
    const generated: [string, Case][] = args.data!.__type.fields.flatMap((f) => {
      const out: [string, Case][] = [
        [
          f.name,
          {
            name: 'unknown argument',
            query: `mutation { ${f.name}(bogus: 1) { __typename } }`,
            code: INVALID,
          },
        ],
      ];
      if (f.args.some((a) => a.type.kind === 'NON_NULL')) {
        out.push([
          f.name,
          {
            name: 'missing required arguments',
            query: `mutation { ${f.name} { __typename } }`,
            code: INVALID,
          },
        ]);
        const first = f.args.find((a) => a.type.kind === 'NON_NULL')!;
        out.push([
          f.name,
          {
            name: `wrong type for ${first.name}`,
            query: `mutation { ${f.name}(${first.name}: [[true]]) { __typename } }`,
            code: INVALID,
          },
        ]);
      }
      return out;
    });
    const table = cases(ids);
    const all: [string, Case][] = [
      ...mutations.flatMap((m) => (table[m] ?? []).map((c) => [m, c] as [string, Case])),
      ...generated,
    ];
    const before = await fingerprint();
    const problems: string[] = [];
    for (const [op, c] of all) {
      const res = await stack.gql(c.query, c.variables, { token: admin });
      const err = res.errors?.[0];
      const label = `${op} / ${c.name}`;
      if (!err) problems.push(`${label}: no error (${JSON.stringify(res.data).slice(0, 100)})`);
      else if (err.extensions?.code !== c.code)
        problems.push(
          `${label}: ${err.extensions?.code} "${err.message.slice(0, 120)}", expected ${c.code}`,
        );
      else if (c.message && !c.message.test(err.message))
        problems.push(`${label}: message "${err.message}" does not match ${c.message}`);
      if (res.status >= 500) problems.push(`${label}: HTTP ${res.status}`);
    }
    expect(problems).toEqual([]);
    expect(await fingerprint()).toEqual(before);
    expect(all.length).toBeGreaterThan(100);
  });

  it('answers bad query arguments clearly, and takes any search text literally', async () => {
    const problems: string[] = [];
    for (const c of queryCases(ids)) {
      const res = await stack.gql(c.query, c.variables, { token: admin });
      const err = res.errors?.[0];
      if (err?.extensions?.code !== c.code)
        problems.push(`${c.name}: ${err?.extensions?.code ?? 'no error'} ${err?.message ?? ''}`);
      else if (c.message && !c.message.test(err.message))
        problems.push(`${c.name}: "${err.message}"`);
    }
    for (const s of SEARCHES) {
      for (const q of [
        `query($s: String) { tickets(filter: { search: $s }) { edges { node { id } } } }`,
        `query($s: String) { customers(filter: { search: $s }) { edges { node { id } } } }`,
        `query($s: String) { users(filter: { search: $s }) { edges { node { id } } } }`,
      ]) {
        const res = await stack.gql(q, { s }, { token: admin });
        if (res.errors)
          problems.push(
            `search ${JSON.stringify(s).slice(0, 30)}: ${JSON.stringify(res.errors).slice(0, 200)}`,
          );
      }
    }
    expect(problems).toEqual([]);
    const { rows } = await stack.db.query(`SELECT count(*)::int AS n FROM tickets`);
    expect(rows[0].n).toBe(1); // the table is still there
  });

  it('refuses deep, costly and batched queries and oversized bodies', async () => {
    const deep = `{ tickets { edges { node { customer { tickets { edges { node { customer { tickets { edges { node { id } } } } } } } } } } } }`;
    const d = await stack.gql(deep, undefined, { token: admin });
    expect(d.errors?.[0].extensions?.code).toBe(INVALID);
    expect(d.errors?.[0].message).toMatch(/nested \d+ levels deep; the limit is 10/);

    const costly = `{ tickets(first: 100) { edges { node { messages(first: 100) { edges { node { id body kind } } } } } } }`;
    const c = await stack.gql(costly, undefined, { token: admin });
    expect(c.errors?.[0].extensions?.code).toBe(INPUT);
    expect(c.errors?.[0].message).toMatch(/too complex/);
    // the cost of a document is remembered per variables: the same text with a small page
    // passes, with a large one fails, and the small one passes again
    const paged = `query($n: Int) { tickets(first: $n) { edges { node { messages(first: 100) { edges { node { id } } } } } } }`;
    for (const [n, fails] of [
      [1, false],
      [100, true],
      [1, false],
      [100, true],
    ] as const) {
      const r = await stack.gql(paged, { n }, { token: admin });
      expect(r.errors?.[0]?.message.match(/too complex/) != null).toBe(fails);
    }

    // aliases multiply work without nesting: cost counts them too
    const aliases = `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: tickets(first: 100) { edges { node { id subject } } }`).join(' ')} }`;
    const a = await stack.gql(aliases, undefined, { token: admin });
    expect(a.errors?.[0].extensions?.code).toBe(INPUT);

    const batch = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify(Array.from({ length: 50 }, () => ({ query: '{ me { id } }' }))),
    });
    expect(batch.status).toBe(400);
    const batchBody = (await batch.json()) as any;
    expect(JSON.stringify(batchBody)).toMatch(/batch/i);

    const big = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        query: `mutation($b: String!) { addInternalNote(id: "${ids.ticket}", body: $b) { message { id } } }`,
        variables: { b: 'x'.repeat(2 * 1024 * 1024) },
      }),
    });
    expect(big.status).toBe(413);
    const notes = await stack.db.query(
      `SELECT count(*)::int AS n FROM ticket_messages WHERE kind = 'internal_note'`,
    );
    expect(notes.rows[0].n).toBe(0);

    const garbage = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(garbage.status).toBe(400);
  });

  it('answers a body over the limit and a body that is not JSON in the GraphQL error shape', async () => {
    const big = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        query: '{ me { id } }',
        variables: { b: 'x'.repeat(2 * 1024 * 1024) },
      }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      errors: [
        {
          message: 'the request body is larger than the limit of 1048576 bytes',
          extensions: { code: INPUT, httpStatus: 413 },
        },
      ],
    });
    const garbage = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(garbage.status).toBe(400);
    const body = (await garbage.json()) as any;
    expect(body.errors[0].extensions.code).toBe(INPUT);
    expect(body.errors[0].message).toMatch(/^the request body is not valid JSON/);
  });

  it('answers a very long survey link without echoing it', async () => {
    const path = `/s/${'Q'.repeat(3000)}`;
    const res = await fetch(`${stack.url}${path}?score=5`);
    expect(res.status).toBe(414);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('Survey not found');
    expect(html).not.toContain('QQQQQQQQQQ');
    const api = await fetch(`${stack.url}/graphql/${'Q'.repeat(3000)}`);
    expect(await api.text()).not.toContain('QQQQQQQQQQ');
  });

  it('refuses forged but well-formed cursors in every list with BAD_USER_INPUT naming the argument', async () => {
    const forge = (...values: unknown[]) =>
      Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
    const c = ids.customer;
    const lists: [string, string, string][] = [
      [
        'tickets updated',
        `query($a: String) { tickets(after: $a) { edges { cursor } } }`,
        forge('tickets_updated_desc', 'yesterday', '1'),
      ],
      [
        'tickets by priority',
        `query($a: String) { tickets(orderBy: priority, after: $a) { edges { cursor } } }`,
        forge('tickets_priority', 'high', '1'),
      ],
      [
        'tickets by due',
        `query($a: String) { tickets(orderBy: due, after: $a) { edges { cursor } } }`,
        forge('tickets_due', '2026-01-01T00:00:00Z', 'one'),
      ],
      [
        'tickets id overflow',
        `query($a: String) { tickets(after: $a) { edges { cursor } } }`,
        forge('tickets_updated_desc', '2026-01-01T00:00:00Z', '99999999999999999999999'),
      ],
      [
        'customers by name',
        `query($a: String) { customers(after: $a) { edges { cursor } } }`,
        forge('customers_name', 'acme', 'abc'),
      ],
      [
        'customers by MRR',
        `query($a: String) { customers(orderBy: mrr_desc, after: $a) { edges { cursor } } }`,
        forge('customers_mrr_desc', 'lots', '1'),
      ],
      [
        'customers by renewal',
        `query($a: String) { customers(orderBy: renewal, after: $a) { edges { cursor } } }`,
        forge('customers_renewal', 'someday', '1'),
      ],
      [
        'users',
        `query($a: String) { users(after: $a) { edges { cursor } } }`,
        forge('user_name', 'ann', '1.5'),
      ],
      [
        'messages',
        `query($a: String) { ticket(id: "${ids.ticket}") { messages(after: $a) { edges { cursor } } } }`,
        forge('messages', 'first'),
      ],
      [
        'timeline',
        `query($a: String) { customer(id: "${c}") { timeline(after: $a) { edges { cursor } } } }`,
        forge('timeline', 'not-a-time', 't1'),
      ],
      [
        'customer tickets',
        `query($a: String) { customer(id: "${c}") { tickets(after: $a) { edges { cursor } } } }`,
        forge('tickets_created_desc', '2026-13-45T00:00:00Z', '1'),
      ],
      [
        'follow-ups',
        `query($a: String) { followUps(after: $a) { edges { cursor } } }`,
        forge('follow_ups_due', 'soon', '1'),
      ],
      [
        'risk list',
        `query($a: String) { riskList(after: $a) { edges { cursor } } }`,
        forge('risk_score_30', 'high', '1'),
      ],
    ];
    const problems: string[] = [];
    for (const [name, query, after] of lists) {
      const res = await stack.gql(query, { a: after }, { token: admin });
      const err = res.errors?.[0];
      if (
        err?.extensions?.code !== INPUT ||
        err.extensions.field !== 'after' ||
        !/^after: malformed cursor/.test(err.message)
      )
        problems.push(`${name}: ${res.status} ${err?.extensions?.code} ${err?.message}`);
    }
    expect(problems).toEqual([]);
  });

  it('takes % and _ literally in every search, and refuses search text over 200 characters', async () => {
    const users = async (s: string) =>
      (
        await ok(
          stack,
          admin,
          `query($s: String) { users(filter: { search: $s }) { edges { node { email } } } }`,
          { s },
        )
      ).users.edges.map((e: any) => e.node.email);
    expect((await users('')).length).toBeGreaterThan(1);
    expect(await users('%')).toEqual([]);
    expect(await users('_')).toEqual([]);
    expect(await users('adm%')).toEqual([]);
    expect(await users('admin@t')).toEqual(['admin@t.local']);
    const customers = await ok(
      stack,
      admin,
      `{ customers(filter: { search: "%" }) { edges { node { id } } } }`,
    );
    expect(customers.customers.edges).toEqual([]);
    for (const list of ['users', 'customers', 'tickets']) {
      const res = await stack.gql(
        `query($s: String) { ${list}(filter: { search: $s }) { edges { cursor } } }`,
        { s: 'y'.repeat(201) },
        { token: admin },
      );
      expect(res.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/^filter\.search: must be at most 200 characters/),
        extensions: { code: INPUT, field: 'filter.search' },
      });
    }
  });
});
