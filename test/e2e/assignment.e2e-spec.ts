import { fails, insertUser, login, ok } from '../support/factories';
import { NO_RATE_LIMITS } from '../support/env';
import { TestStack, startStack } from '../support/stack';

jest.setTimeout(60_000);

const CREATE = `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id assignee { id } } }`;
const SET_MODE = `mutation($t: ID!, $m: AssignmentMode!, $c: Int!) { setTeamAssignment(teamId: $t, mode: $m, cap: $c) { teamId mode cap } }`;
const AVAIL = `mutation($a: Availability!) { setAvailability(availability: $a) { userId availability } }`;

describe('automatic assignment: round robin / least open, available agents only, never past the cap', () => {
  let stack: TestStack;
  let admin: string;
  let contact: string;

  const team = async (name: string, leadId?: string) =>
    (
      await ok(stack, admin, `mutation($i: TeamInput!) { createTeam(input: $i) { id } }`, {
        i: { name, leadId },
      })
    ).createTeam.id as string;

  const agents = async (prefix: string, teamId: string, n: number) => {
    const out: { id: string; token: string }[] = [];
    for (let i = 0; i < n; i++) {
      const email = `${prefix}${i}@t.local`;
      const id = await insertUser(stack, { email, role: 'agent', teamId });
      out.push({ id, token: await login(stack, email) });
    }
    return out;
  };

  const create = async (teamId: string | null, extra: Record<string, unknown> = {}) =>
    (
      await ok(stack, admin, CREATE, {
        i: {
          requesterId: contact,
          subject: 'Help',
          channel: 'chat',
          teamId,
          message: { body: 'Hello?', kind: 'customer_message' },
          ...extra,
        },
      })
    ).createTicket as { id: string; assignee: { id: string } | null };

  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: NO_RATE_LIMITS,
    });
    await insertUser(stack, { email: 'admin@t.local', role: 'admin' });
    admin = await login(stack, 'admin@t.local');
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

  it('lets admins and the team lead (only) set the mode; agents set their own availability', async () => {
    const leadId = await insertUser(stack, { email: 'lead@t.local', role: 'team_lead' });
    const otherLeadId = await insertUser(stack, { email: 'lead2@t.local', role: 'team_lead' });
    const desk = await team('Desk', leadId);
    await team('Other desk', otherLeadId);
    const lead = await login(stack, 'lead@t.local');
    const otherLead = await login(stack, 'lead2@t.local');
    expect(
      (await fails(stack, otherLead, SET_MODE, { t: desk, m: 'round_robin', c: 2 })).extensions
        ?.code,
    ).toBe('FORBIDDEN');
    expect(
      (await ok(stack, lead, SET_MODE, { t: desk, m: 'least_open', c: 2 })).setTeamAssignment,
    ).toEqual({ teamId: desk, mode: 'least_open', cap: 2 });
    const [a] = await agents('av', desk, 1);
    expect((await ok(stack, a.token, AVAIL, { a: 'away' })).setAvailability).toEqual({
      userId: a.id,
      availability: 'away',
    });
    expect(
      (await ok(stack, a.token, `{ myAvailability { availability } }`)).myAvailability,
    ).toEqual({
      availability: 'away',
    });
    // nobody available: the ticket stays unassigned
    expect((await create(desk)).assignee).toBeNull();
    await ok(stack, a.token, AVAIL, { a: 'available' });
    expect((await create(desk)).assignee).toEqual({ id: a.id });
  });

  it('never passes the cap under 16 concurrent creates, skips away agents, and names the rule in history', async () => {
    const rush = await team('Rush');
    const members = await agents('rush', rush, 4);
    await ok(stack, members[3].token, AVAIL, { a: 'away' });
    await ok(stack, admin, SET_MODE, { t: rush, m: 'round_robin', c: 3 });
    const tickets = await Promise.all(Array.from({ length: 16 }, () => create(rush)));
    const counts = new Map<string, number>();
    for (const t of tickets)
      if (t.assignee) counts.set(t.assignee.id, (counts.get(t.assignee.id) ?? 0) + 1);
    // 3 available agents × cap 3 = 9 assigned, the other 7 wait unassigned
    expect([...counts.values()].sort()).toEqual([3, 3, 3]);
    expect(counts.has(members[3].id)).toBe(false);
    expect(tickets.filter((t) => !t.assignee)).toHaveLength(7);
    // the database agrees (open tickets per agent)
    const { rows } = await stack.db.query(
      `SELECT assignee_id::text AS id, count(*)::int AS n FROM tickets WHERE team_id = $1 AND assignee_id IS NOT NULL GROUP BY 1`,
      [rush],
    );
    expect(Math.max(...rows.map((r: any) => r.n))).toBe(3);
    const assigned = tickets.find((t) => t.assignee)!;
    const events = (
      await ok(
        stack,
        admin,
        `query($id: ID!) { ticket(id: $id) { events { type actorId fromValue toValue } } }`,
        {
          id: assigned.id,
        },
      )
    ).ticket.events;
    expect(events).toContainEqual({
      type: 'auto_assigned',
      actorId: null,
      fromValue: `round_robin in team ${rush} (cap 3)`,
      toValue: assigned.assignee!.id,
    });
    // solving frees a slot: the next ticket goes to that agent
    const freed = assigned.assignee!.id;
    await ok(
      stack,
      admin,
      `mutation($id: ID!) { changeTicketStatus(id: $id, status: solved) { id } }`,
      {
        id: assigned.id,
      },
    );
    expect((await create(rush)).assignee).toEqual({ id: freed });
  });

  it('queues creates on the team row only while automatic assignment is on', async () => {
    // another create in the team, mid-transaction: it holds what pickAutoAssignee locks
    const plain = await team('Unlocked');
    const auto = await team('Queued');
    await agents('auto', auto, 1);
    await ok(stack, admin, SET_MODE, { t: auto, m: 'round_robin', c: 5 });
    const holder = await stack.db.connect();
    const settled = (p: Promise<unknown>, ms: number) =>
      Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM teams WHERE id = ANY($1::bigint[]) FOR NO KEY UPDATE', [
        [plain, auto],
      ]);
      // mode none: nothing to pick, nothing to wait for
      expect(await settled(create(plain), 5000)).toBe(true);
      // round robin: the pick waits for the other create to commit, so the cap holds
      const waiting = create(auto);
      expect(await settled(waiting, 700)).toBe(false);
      await holder.query('COMMIT');
      expect((await waiting).assignee).not.toBeNull();
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
  });

  it('rotates round robin fairly and least_open fills the least loaded agent first', async () => {
    const rr = await team('Rotation');
    const three = await agents('rr', rr, 3);
    await ok(stack, admin, SET_MODE, { t: rr, m: 'round_robin', c: 50 });
    const order: string[] = [];
    for (let i = 0; i < 6; i++) order.push((await create(rr)).assignee!.id);
    const ids = three.map((a) => a.id);
    expect(order.slice(0, 3).sort()).toEqual([...ids].sort());
    expect(order.slice(3)).toEqual(order.slice(0, 3));

    const lo = await team('Least open');
    const [busy, idle] = await agents('lo', lo, 2);
    // busy already has 2 open tickets (assigned by hand, no automatic mode yet)
    await create(lo, { assigneeId: busy.id });
    await create(lo, { assigneeId: busy.id });
    await ok(stack, admin, SET_MODE, { t: lo, m: 'least_open', c: 10 });
    expect((await create(lo)).assignee).toEqual({ id: idle.id });
    expect((await create(lo)).assignee).toEqual({ id: idle.id });
    // an explicit assignee wins, and a team without a mode leaves tickets alone
    expect((await create(lo, { assigneeId: busy.id })).assignee).toEqual({ id: busy.id });
    const plain = await team('Plain');
    await agents('pl', plain, 1);
    expect((await create(plain)).assignee).toBeNull();
  });

  it('assigns an agent of two teams in each, with one cap over both teams (concurrent creates in both)', async () => {
    const north = await team('North');
    const south = await team('South');
    const [both] = await agents('both', north, 1);
    const [southOnly] = await agents('south', south, 1);
    await ok(
      stack,
      admin,
      `mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }`,
      { id: both.id, i: { teamIds: [north, south] } },
    );
    await ok(stack, admin, SET_MODE, { t: north, m: 'round_robin', c: 4 });
    await ok(stack, admin, SET_MODE, { t: south, m: 'least_open', c: 4 });
    // a candidate in each team: North's only agent, and South's least loaded counting the
    // open tickets of every team (1 from North vs 2)
    expect((await create(north)).assignee).toEqual({ id: both.id });
    await create(south, { assigneeId: southOnly.id });
    await create(south, { assigneeId: southOnly.id });
    expect((await create(south)).assignee).toEqual({ id: both.id });
    // 2 open now; 8 concurrent creates in the two teams give them 2 more, never a 5th
    const rush = await Promise.all(
      Array.from({ length: 8 }, (_, i) => create(i % 2 ? north : south)),
    );
    expect(rush.filter((t) => t.assignee?.id === both.id)).toHaveLength(2);
    const { rows } = await stack.db.query(
      `SELECT count(*)::int AS n FROM tickets WHERE assignee_id = $1 AND status IN ('new', 'open', 'pending', 'on_hold')`,
      [both.id],
    );
    expect(rows[0].n).toBe(4);
  });
});
