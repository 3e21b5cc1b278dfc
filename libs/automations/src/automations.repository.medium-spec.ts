import { db } from '@staydesk/core';
import { MediumDatabase, fixtures, mediumDatabase } from '@staydesk/testing';
import { AutomationsRepository } from './automations.repository';
import { CustomFieldsRepository } from './custom-fields.repository';
import { MergeRepository } from './merge.repository';

/**
 * Macros, saved views, custom field and merge statements (typed builder) against a migrated
 * database: JSON kept as written (snake_case keys included), group positions, set-based reorder.
 */
describe('Automations repositories (medium)', () => {
  const repo = new AutomationsRepository();
  const fields = new CustomFieldsRepository();
  const merge = new MergeRepository();
  let m: MediumDatabase;
  let agent: string;
  let other: string;
  let team: string;
  let customer: string;
  let contact: string;

  beforeAll(async () => {
    m = await mediumDatabase();
    const f = fixtures(m.db);
    agent = await f.user({ email: 'a@x.test' });
    other = await f.user({ email: 'b@x.test' });
    team = await f.team({ name: 'Tier 1' });
    customer = await f.customer({ customFields: '{"contract_end":"2027-01-01"}' });
    contact = await f.contact({ customerId: customer });
  });
  afterAll(() => m.close());

  const ticket = () => fixtures(m.db).ticket({ customerId: customer, requesterId: contact });

  const message = (
    ticketId: string,
    kind: 'public_reply' | 'internal_note' | 'customer_message',
    minutesAgo: number,
  ) =>
    fixtures(m.db).message({
      ticketId,
      kind,
      author: kind === 'customer_message' ? contact : agent,
      createdAt: new Date(Date.now() - minutesAgo * 60_000),
    });

  it('lists the macros a user may use, most used first, searching names literally', async () => {
    const mk = (name: string, scope: 'personal' | 'team' | 'global', owner: string | null) =>
      m.run((tx) =>
        repo.insertMacro(
          tx,
          {
            name,
            body: 'Hello {{requester.first_name}}',
            actions: { addTags: ['vip'], assigneeId: null, note: 'n' },
            scope,
            ownerId: owner,
            teamId: scope === 'team' ? team : null,
          },
          agent,
        ),
      );
    const mine = await mk('mine 100%', 'personal', agent);
    const theirs = await mk('theirs', 'personal', other);
    const shared = await mk('Team reply', 'team', null);
    const global = await mk('apology', 'global', null);
    expect(mine).toMatchObject({
      name: 'mine 100%',
      actions: { addTags: ['vip'], assigneeId: null, note: 'n' },
      usageCount: 0,
      lastUsedAt: null,
      createdById: agent,
    });
    await m.run(async (tx) => {
      await repo.countUse(tx, global.id);
      await repo.countUse(tx, global.id);
    });
    const who = { userId: agent, teamIds: [team], allTeams: false };
    const ids = (await repo.visibleMacros(m.db, who, null, 50)).map((x) => x.id);
    expect(ids).toEqual([global.id, mine.id, shared.id]);
    expect(ids).not.toContain(theirs.id);
    const outside = { userId: agent, teamIds: [], allTeams: false };
    expect((await repo.visibleMacros(m.db, outside, null, 50)).map((x) => x.id)).not.toContain(
      shared.id,
    );
    const admin = { userId: other, teamIds: [], allTeams: true };
    expect((await repo.visibleMacros(m.db, admin, null, 50)).map((x) => x.id)).toContain(shared.id);
    expect((await repo.visibleMacros(m.db, who, '0%', 50)).map((x) => x.id)).toEqual([mine.id]);
    expect(await repo.visibleMacros(m.db, who, 'Team_reply', 50)).toEqual([]);
    expect((await repo.visibleMacros(m.db, who, 'team REPLY', 50)).map((x) => x.id)).toEqual([
      shared.id,
    ]);
    const used = await repo.macroById(m.db, global.id);
    expect(used?.usageCount).toBe(2);
    expect(used?.lastUsedAt).toBeInstanceOf(Date);

    const changed = await m.run((tx) =>
      repo.updateMacro(tx, mine.id, { ...mine, name: 'renamed', actions: { status: 'pending' } }),
    );
    expect(changed).toMatchObject({ name: 'renamed', actions: { status: 'pending' } });
    await m.run((tx) => repo.deleteMacro(tx, mine.id));
    expect(await repo.macroById(m.db, mine.id)).toBeNull();
  });

  it('keeps a view’s filter as given and orders each group by position', async () => {
    const filter = { status: ['open'], customFields: { product_area: 'billing' }, mine: true };
    const view = (name: string, ownerId: string | null, teamId: string | null) =>
      m.run((tx) =>
        repo.insertView(tx, { name, filter, orderBy: 'NEWEST', ownerId, teamId }, agent),
      );
    const p0 = await view('p0', agent, null);
    const p1 = await view('p1', agent, null);
    const t0 = await view('t0', null, team);
    const elsewhere = await view('x', other, null);
    expect(p0).toMatchObject({ filter, position: 0, ownerId: agent, teamId: null });
    expect([p1.position, t0.position, elsewhere.position]).toEqual([1, 0, 0]);
    expect((await repo.visibleViews(m.db, agent, [team])).map((v) => v.id)).toEqual([
      p0.id,
      p1.id,
      t0.id,
    ]);
    await m.run(async (tx) => {
      const group = await repo.lockGroup(tx, { ownerId: agent, teamId: null });
      expect(group).toEqual([p0.id, p1.id]);
      await repo.setPositions(tx, [p1.id, p0.id]);
    });
    expect((await repo.visibleViews(m.db, agent, [])).map((v) => [v.name, v.position])).toEqual([
      ['p1', 0],
      ['p0', 1],
    ]);
    const next = { customFields: { contract_end: '2027-01-01' } };
    const updated = await m.run((tx) =>
      repo.updateView(tx, t0.id, { name: 'team', filter: next, orderBy: 'OLDEST' }),
    );
    expect(updated).toMatchObject({ name: 'team', filter: next, orderBy: 'OLDEST' });
    expect(await m.rollback((tx) => repo.viewById(tx, t0.id, true))).toEqual(updated);
    await m.run((tx) => repo.deleteView(tx, t0.id));
    expect(await repo.viewById(m.db, t0.id)).toBeNull();
  });

  it('reads an agent’s availability, available when unknown', async () => {
    expect(await repo.availability(m.db, agent)).toBe('available');
    await db(m.db)
      .updateTable('users')
      .set({ availability: 'away' })
      .where('users.id', '=', agent)
      .execute();
    expect(await repo.availability(m.db, agent)).toBe('away');
    expect(await repo.availability(m.db, '999999999')).toBe('available');
  });

  it('defines custom fields last in their entity, refusing a key twice', async () => {
    const def = (key: string, entity: 'ticket' | 'customer' = 'ticket') =>
      m.run((tx) =>
        fields.insertDefinition(tx, {
          entity,
          key,
          label: key,
          type: 'dropdown',
          options: ['a', 'b'],
        }),
      );
    const a = await def('plan_tier');
    const b = await def('region');
    const c = await def('region', 'customer');
    expect(a).toMatchObject({
      entity: 'ticket',
      key: 'plan_tier',
      options: ['a', 'b'],
      active: true,
    });
    expect([b?.position, c?.position]).toEqual([a!.position + 1, 1]);
    expect(await def('region')).toBeNull();
    const after = await m.run(async (tx) => {
      const locked = await fields.lockDefinition(tx, a!.id);
      expect(locked).toEqual(a);
      return fields.updateDefinition(tx, a!.id, {
        label: 'Plan',
        options: ['gold'],
        active: false,
        position: 9,
      });
    });
    expect(after).toMatchObject({
      id: a!.id,
      label: 'Plan',
      options: ['gold'],
      active: false,
      position: 9,
    });
    expect(await m.rollback((tx) => fields.lockDefinition(tx, '999999999'))).toBeNull();
  });

  it('reads the message a split moves, counting its ticket’s messages without notes', async () => {
    const t = await ticket();
    const m1 = await message(t, 'customer_message', 40);
    await message(t, 'internal_note', 30);
    await message(t, 'public_reply', 20);
    expect(await merge.splitMessage(m.db, t, m1)).toEqual({
      id: m1,
      kind: 'customer_message',
      authorContactId: contact,
      n: 2,
    });
    expect(await merge.splitMessage(m.db, await ticket(), m1)).toBeNull();
  });
});
