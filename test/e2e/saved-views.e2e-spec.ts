import { fails, insertUser, login, ok } from '../support/factories';
import { NO_RATE_LIMITS } from '../support/env';
import { TestStack, startStack } from '../support/stack';

jest.setTimeout(60_000);

const VIEW = `id name filter orderBy ownerId teamId position count`;
const CREATE = `mutation($i: SavedViewInput!) { createSavedView(input: $i) { ${VIEW} } }`;
const LIST = `{ savedViews { ${VIEW} } }`;

describe('saved views: named queue filters, personal or shared, ordered, with live counts', () => {
  let stack: TestStack;
  let admin: string;
  let agent: string;
  let agentId: string;
  let colleague: string;
  let lead: string;
  let desk: string;
  let contact: string;

  const ticket = async (i: Record<string, unknown>) =>
    (
      await ok(
        stack,
        admin,
        `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }`,
        {
          i: { requesterId: contact, subject: 'Help', channel: 'email', ...i },
        },
      )
    ).createTicket.id as string;

  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: NO_RATE_LIMITS,
    });
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    admin = await login(stack, 'admin@t.local');
    const leadId = await insertUser(stack, { email: 'lead@t.local', role: 'team_lead' });
    desk = (
      await ok(
        stack,
        admin,
        `mutation($l: ID) { createTeam(input: { name: "Desk", leadId: $l }) { id } }`,
        {
          l: leadId,
        },
      )
    ).createTeam.id;
    agentId = await insertUser(stack, { email: 'agent@t.local', role: 'agent', teamId: desk });
    await insertUser(stack, { email: 'colleague@t.local', role: 'agent', teamId: desk });
    agent = await login(stack, 'agent@t.local');
    colleague = await login(stack, 'colleague@t.local');
    lead = await login(stack, 'lead@t.local');
    contact = (
      await ok(
        stack,
        admin,
        `mutation { createCustomer(input: { name: "Acme", contacts: [{ name: "Pat", email: "pat@acme.example" }] }) { contacts { id } } }`,
      )
    ).createCustomer.contacts[0].id;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('counts what the tickets query would list, for the viewer ("mine"), and follows changes', async () => {
    await ticket({ priority: 'urgent', teamId: desk });
    await ticket({ priority: 'urgent', assigneeId: agentId });
    await ticket({ priority: 'low', assigneeId: agentId, tags: ['vip'] });
    const urgent = (
      await ok(stack, agent, CREATE, {
        i: { name: 'Urgent', filter: { priority: ['urgent'] }, orderBy: 'due' },
      })
    ).createSavedView;
    expect(urgent).toMatchObject({
      ownerId: agentId,
      teamId: null,
      position: 0,
      orderBy: 'due',
      count: 2,
    });
    const mine = (await ok(stack, agent, CREATE, { i: { name: 'Mine', filter: { mine: true } } }))
      .createSavedView;
    expect(mine).toMatchObject({ position: 1, count: 2 });
    // the queue gives the same number for the same filter
    const listed = await ok(
      stack,
      agent,
      `{ tickets(filter: { priority: [urgent] }, first: 100) { edges { cursor } } }`,
    );
    expect(listed.tickets.edges).toHaveLength(urgent.count);
    await ticket({ priority: 'urgent' });
    const views = (await ok(stack, agent, LIST)).savedViews;
    expect(views.map((v: any) => [v.name, v.count])).toEqual([
      ['Urgent', 3],
      ['Mine', 2],
    ]);
    // a colleague sees none of these personal views and cannot touch them
    expect((await ok(stack, colleague, LIST)).savedViews).toEqual([]);
    expect(
      (
        await fails(stack, colleague, `mutation($id: ID!) { deleteSavedView(id: $id) }`, {
          id: mine.id,
        })
      ).extensions?.code,
    ).toBe('NOT_FOUND');
    // update the filter; bad filters are refused like the queue refuses them
    const upd = await ok(
      stack,
      agent,
      `mutation($id: ID!, $i: SavedViewInput!) { updateSavedView(id: $id, input: $i) { name count filter } }`,
      {
        id: mine.id,
        i: { name: 'My VIPs', filter: { mine: true, tags: ['vip'] } },
      },
    );
    expect(upd.updateSavedView).toMatchObject({
      name: 'My VIPs',
      count: 1,
      filter: { mine: true, tags: ['vip'] },
    });
    const bad = await fails(stack, agent, CREATE, {
      i: {
        name: 'Bad',
        filter: { createdFrom: '2026-02-01T00:00:00Z', createdTo: '2026-01-01T00:00:00Z' },
      },
    });
    expect(bad.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.message).toContain('filter.createdTo');
  });

  it("counts note words only where the viewer may read the notes (a private team's tickets)", async () => {
    const vault = (
      await ok(
        stack,
        admin,
        `mutation { createTeam(input: { name: "Vault", isPrivate: true }) { id } }`,
      )
    ).createTeam.id;
    const id = await ticket({ teamId: vault });
    await ok(
      stack,
      admin,
      `mutation($id: ID!) { addInternalNote(id: $id, body: "zanzibarite clause") { message { id } } }`,
      {
        id,
      },
    );
    const secret = { i: { name: 'Secret', filter: { search: 'zanzibarite' } } };
    const outsider = (await ok(stack, colleague, CREATE, secret)).createSavedView;
    const insider = (await ok(stack, admin, CREATE, secret)).createSavedView;
    expect([outsider.count, insider.count]).toEqual([0, 1]);
    for (const [token, v] of [
      [colleague, outsider],
      [admin, insider],
    ] as const)
      await ok(stack, token, `mutation($id: ID!) { deleteSavedView(id: $id) }`, { id: v.id });
  });

  it('shares views with a team (admins and its lead only) and reorders each group', async () => {
    const shared = { name: 'Desk queue', filter: { teamIds: [desk] }, teamId: desk };
    expect((await fails(stack, agent, CREATE, { i: shared })).extensions?.code).toBe('FORBIDDEN');
    const a = (await ok(stack, lead, CREATE, { i: shared })).createSavedView;
    const b = (
      await ok(stack, admin, CREATE, {
        i: { ...shared, name: 'Desk urgent', filter: { teamIds: [desk], priority: ['urgent'] } },
      })
    ).createSavedView;
    expect([a.position, b.position, a.count]).toEqual([0, 1, 1]);
    const colleagueViews = (await ok(stack, colleague, LIST)).savedViews.map((v: any) => v.name);
    expect(colleagueViews).toEqual(['Desk queue', 'Desk urgent']);
    const reorder = `mutation($ids: [ID!]!, $t: ID) { reorderSavedViews(ids: $ids, teamId: $t) }`;
    expect(
      (await fails(stack, colleague, reorder, { ids: [b.id, a.id], t: desk })).extensions?.code,
    ).toBe('FORBIDDEN');
    expect((await fails(stack, lead, reorder, { ids: [b.id], t: desk })).extensions?.code).toBe(
      'BAD_USER_INPUT',
    );
    await ok(stack, lead, reorder, { ids: [b.id, a.id], t: desk });
    expect((await ok(stack, colleague, LIST)).savedViews.map((v: any) => v.name)).toEqual([
      'Desk urgent',
      'Desk queue',
    ]);
    // personal group: the agent's own views first, then the team's
    const own = (await ok(stack, agent, LIST)).savedViews;
    const personal = own.filter((v: any) => v.ownerId).map((v: any) => v.id);
    await ok(stack, agent, reorder, { ids: [...personal].reverse() });
    expect((await ok(stack, agent, LIST)).savedViews.map((v: any) => v.name)).toEqual([
      'My VIPs',
      'Urgent',
      'Desk urgent',
      'Desk queue',
    ]);
    expect(
      (await ok(stack, lead, `mutation($id: ID!) { deleteSavedView(id: $id) }`, { id: a.id }))
        .deleteSavedView,
    ).toBe(true);
  });
});
