import { fails, insertUser, login, ok } from '../support/factories';
import { TestStack, startStack } from '../support/stack';

describe('privacy: export and erasure of a contact', () => {
  let stack: TestStack;
  let admin: string;
  let agent: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startStack({ worker: false });
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    await insertUser(stack, { email: 'agent@t.local', role: 'agent' });
    admin = await login(stack, 'admin@t.local');
    agent = await login(stack, 'agent@t.local');
    const c = await ok(
      stack,
      admin,
      `mutation { createCustomer(input: { name: "Initech", contacts: [
        { name: "Peter Gibbons", email: "peter@initech.example", phone: "+1 555 0100" },
        { name: "Milton W", email: "milton@initech.example" }] }) { id contacts { id email } } }`,
    );
    ids.customer = c.createCustomer.id;
    ids.peter = c.createCustomer.contacts.find((x: any) => x.email.startsWith('peter')).id;
    ids.milton = c.createCustomer.contacts.find((x: any) => x.email.startsWith('milton')).id;
    const t = await ok(
      stack,
      agent,
      `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }`,
      {
        i: {
          requesterId: ids.peter,
          subject: 'Peter Gibbons: TPS report cover sheet',
          channel: 'email',
          message: {
            body: 'I am Peter, my address is 12 Main St. This is terrible.',
            kind: 'customer_message',
          },
        },
      },
    );
    ids.ticket = t.createTicket.id;
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { replyToTicket(id: $id, body: "Hi Peter, fixed.") { message { id } } }`,
      { id: ids.ticket },
    );
    await ok(
      stack,
      agent,
      `mutation($id: ID!) { changeTicketStatus(id: $id, status: solved) { id } }`,
      { id: ids.ticket },
    );
    // a survey with a comment, as the worker and the survey page would leave it
    await stack.db.query(
      `INSERT INTO surveys (kind, ticket_id, solve_cycle, contact_id, customer_id, token_salt, token_hash, expires_at, sent_at, responded_at, score, comment)
       VALUES ('csat', $1, 1, $2, $3, 'salt', 'hash-peter', now() + interval '14 days', now(), now(), 2, 'Peter here: the printer hates me')`,
      [ids.ticket, ids.peter, ids.customer],
    );
    const m = await ok(
      stack,
      agent,
      `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }`,
      {
        i: {
          requesterId: ids.milton,
          subject: 'Stapler',
          channel: 'email',
          message: { body: 'Have you seen my stapler?', kind: 'customer_message' },
        },
      },
    );
    ids.miltonTicket = m.createTicket.id;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('exports everything stored about a person as JSON (admins only, audited)', async () => {
    expect(
      (await fails(stack, agent, `{ exportContactData(contactId: "${ids.peter}") }`)).extensions
        ?.code,
    ).toBe('FORBIDDEN');
    const data = (
      await ok(stack, admin, `query($c: ID!) { exportContactData(contactId: $c) }`, {
        c: ids.peter,
      })
    ).exportContactData;
    expect(data.contact).toMatchObject({
      id: ids.peter,
      name: 'Peter Gibbons',
      email: 'peter@initech.example',
      phone: '+1 555 0100',
      customer: { id: ids.customer, name: 'Initech' },
    });
    expect(data.tickets).toEqual([
      expect.objectContaining({ id: ids.ticket, subject: 'Peter Gibbons: TPS report cover sheet' }),
    ]);
    expect(data.messages.map((m: any) => m.kind)).toEqual(['customer_message', 'public_reply']);
    expect(data.surveys).toEqual([
      expect.objectContaining({ score: 2, comment: 'Peter here: the printer hates me' }),
    ]);
    expect(JSON.stringify(data)).not.toContain('hash-peter'); // token hashes are not personal data to hand out
    const { rows } = await stack.db.query(
      `SELECT action FROM audit_log WHERE entity = 'contact' AND entity_id = $1 AND action = 'contact.export'`,
      [ids.peter],
    );
    expect(rows).toHaveLength(1);
  });

  it('erases a contact everywhere, keeps KPI facts, writes an audit row, and cannot be repeated', async () => {
    expect(
      (
        await fails(
          stack,
          agent,
          `mutation { eraseContact(contactId: "${ids.peter}") { contactId } }`,
        )
      ).extensions?.code,
    ).toBe('FORBIDDEN');
    const before = await stack.db.query(
      `SELECT count(*)::int AS n FROM ticket_messages WHERE ticket_id = $1`,
      [ids.ticket],
    );
    const res = (
      await ok(
        stack,
        admin,
        `mutation($c: ID!) { eraseContact(contactId: $c) { contactId ticketsErased messagesErased surveysDetached followUpsErased } }`,
        { c: ids.peter },
      )
    ).eraseContact;
    expect(res).toEqual({
      contactId: ids.peter,
      ticketsErased: 1,
      messagesErased: 2,
      surveysDetached: 1,
      followUpsErased: 0,
    });

    // nothing personal is left anywhere in the database for this person
    const dump = await stack.db.query(
      `SELECT (SELECT json_agg(c) FROM contacts c WHERE id = $1)::text || (SELECT json_agg(t) FROM tickets t WHERE requester_id = $1)::text
              || (SELECT json_agg(m) FROM ticket_messages m WHERE ticket_id = $2)::text || (SELECT json_agg(s) FROM surveys s WHERE ticket_id = $2)::text
              || coalesce((SELECT json_agg(a) FROM audit_log a)::text, '') AS everything`,
      [ids.peter, ids.ticket],
    );
    const everything = dump.rows[0].everything as string;
    for (const secret of ['Peter', 'peter@initech', '555 0100', 'Main St', 'printer hates'])
      expect(everything).not.toContain(secret);
    // ...while the facts KPIs need stay: messages (count, kinds, times, sentiment), the survey score
    const after = await stack.db.query(
      `SELECT count(*)::int AS n, count(sentiment)::int AS scored FROM ticket_messages WHERE ticket_id = $1`,
      [ids.ticket],
    );
    expect(after.rows[0].n).toBe(before.rows[0].n);
    expect(after.rows[0].scored).toBe(1);
    const survey = await stack.db.query(
      `SELECT contact_id, score, comment FROM surveys WHERE ticket_id = $1`,
      [ids.ticket],
    );
    expect(survey.rows[0]).toEqual({ contact_id: null, score: 2, comment: null });
    const t = await ok(
      stack,
      admin,
      `query($id: ID!) { ticket(id: $id) { status subject requester { name email } } }`,
      { id: ids.ticket },
    );
    expect(t.ticket).toEqual({
      status: 'solved',
      subject: '[erased]',
      requester: { name: 'Erased contact', email: `erased-${ids.peter}@erased.invalid` },
    });
    // the other contact is untouched
    const milton = await ok(
      stack,
      admin,
      `query($id: ID!) { ticket(id: $id) { subject lastMessage { body } } }`,
      { id: ids.miltonTicket },
    );
    expect(milton.ticket).toEqual({
      subject: 'Stapler',
      lastMessage: { body: 'Have you seen my stapler?' },
    });

    const audit = await stack.db.query(
      `SELECT details FROM audit_log WHERE action = 'contact.erase' AND entity_id = $1`,
      [ids.peter],
    );
    expect(audit.rows).toEqual([
      { details: expect.objectContaining({ messagesErased: 2, surveysDetached: 1 }) },
    ]);
    const again = await fails(
      stack,
      admin,
      `mutation { eraseContact(contactId: "${ids.peter}") { contactId } }`,
    );
    expect(again.extensions?.code).toBe('CONFLICT');
    expect(
      (await fails(stack, admin, `mutation { eraseContact(contactId: "999999999") { contactId } }`))
        .extensions?.code,
    ).toBe('NOT_FOUND');
    expect(
      (
        await fails(
          stack,
          admin,
          `mutation { eraseContact(contactId: "x'; DROP TABLE contacts;--") { contactId } }`,
        )
      ).extensions?.code,
    ).toBe('BAD_USER_INPUT');
  });
});
