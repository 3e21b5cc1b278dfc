import { sql } from 'kysely';
import { db } from '@staydesk/core';
import { IdentitySettingsRepository } from '@staydesk/identity';
import { MediumDatabase, fixtures, mediumDatabase } from '@staydesk/testing';
import { TicketsRepository } from './tickets.repository';

/**
 * The ticket writes other libraries ask for (tickets.repository.merge.ts) against a migrated
 * database: messages moved by a merge and a split remembering their first origin, the merge link,
 * the last message time, custom field values and a mail event by no one.
 */
describe('TicketsRepository: writes for merge, split, custom fields and mail (medium)', () => {
  const repo = new TicketsRepository(new IdentitySettingsRepository());
  let m: MediumDatabase;
  let customer: string;
  let contact: string;

  beforeAll(async () => {
    m = await mediumDatabase();
    const k = db(m.db);
    ({ id: customer } = await k
      .insertInto('customers')
      .values({ name: 'Acme', tier: 'pro', mrr: 100 })
      .returning('id')
      .executeTakeFirstOrThrow());
    ({ id: contact } = await k
      .insertInto('contacts')
      .values({ customerId: customer, name: 'Cy', email: 'cy@acme.test' })
      .returning('id')
      .executeTakeFirstOrThrow());
  });
  afterAll(() => m.close());

  const ticket = () => fixtures(m.db).ticket({ customerId: customer, requesterId: contact });

  const message = async (ticketId: string, at: Date, movedFromTicketId: string | null = null) =>
    (
      await db(m.db)
        .insertInto('ticketMessages')
        .values({
          ticketId,
          kind: 'customer_message',
          body: 'hello',
          createdAt: at,
          authorContactId: contact,
          movedFromTicketId,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;

  const messages = (ids: string[]) =>
    db(m.db)
      .selectFrom('ticketMessages')
      .select(['ticketMessages.id', 'ticketMessages.ticketId', 'ticketMessages.movedFromTicketId'])
      .where('ticketMessages.id', 'in', ids)
      .orderBy('ticketMessages.id')
      .execute();

  const tickets = (ids: string[]) =>
    db(m.db)
      .selectFrom('tickets')
      .select([
        'tickets.id',
        'tickets.mergedIntoId',
        'tickets.lastMessageAt',
        'tickets.version',
        'tickets.updatedAt',
      ])
      .select(sql<string>`custom_fields::text`.as('customFields'))
      .where('tickets.id', 'in', ids)
      .orderBy('tickets.id')
      .execute();

  it('moves every message on merge (each keeps its first origin), links and dates the target', async () => {
    const earlier = await ticket();
    const source = await ticket();
    const target = await ticket();
    const untouched = await ticket();
    const latest = new Date(Date.UTC(2026, 2, 1, 12));
    const kept = await message(target, new Date(Date.UTC(2026, 2, 1, 9)));
    const a = await message(source, latest);
    const b = await message(source, new Date(Date.UTC(2026, 2, 1, 10)), earlier);
    const other = await message(untouched, new Date(Date.UTC(2026, 2, 2)));
    const moved = await m.run(async (tx) => {
      const n = await repo.moveAllMessages(tx, source, target);
      await repo.setMergedInto(tx, source, target);
      await repo.refreshLastMessageAt(tx, target);
      return n;
    });
    expect(moved).toBe(2);
    expect(await messages([kept, a, b, other])).toEqual([
      { id: kept, ticketId: target, movedFromTicketId: null },
      { id: a, ticketId: target, movedFromTicketId: source },
      { id: b, ticketId: target, movedFromTicketId: earlier },
      { id: other, ticketId: untouched, movedFromTicketId: null },
    ]);
    const [s, t, u] = await tickets([source, target, untouched]);
    expect([s.mergedIntoId, t.mergedIntoId, u.mergedIntoId]).toEqual([target, null, null]);
    expect(t.lastMessageAt).toEqual(latest);
    expect(u.lastMessageAt).toBeNull();
    expect(await m.run((tx) => repo.moveAllMessages(tx, source, target))).toBe(0);
  });

  it('moves one message on split; it keeps the ticket it first came from', async () => {
    const first = await ticket();
    const second = await ticket();
    const fresh = await ticket();
    const one = await message(first, new Date());
    const stays = await message(first, new Date());
    await repo.moveMessage(m.db, one, second, first);
    await repo.moveMessage(m.db, one, fresh, second);
    expect(await messages([one, stays])).toEqual([
      { id: one, ticketId: fresh, movedFromTicketId: first },
      { id: stays, ticketId: first, movedFromTicketId: null },
    ]);
  });

  it('replaces custom field values as given, moving the version and updated_at on', async () => {
    const t = await ticket();
    const [before] = await tickets([t]);
    await repo.replaceCustomFields(m.db, t, { product_area: 'billing', seats: 3 });
    await repo.replaceCustomFields(m.db, t, { product_area: 'sales' });
    const [after] = await tickets([t]);
    expect(after.version).toBe(before.version + 2);
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    // snake_case keys as written, an object (not a JSON string), the old keys gone
    expect(JSON.parse(after.customFields)).toEqual({ product_area: 'sales' });
    const kind = await db(m.db)
      .selectFrom('tickets')
      .select((eb) => eb.fn<string>('jsonb_typeof', [eb.ref('tickets.customFields')]).as('kind'))
      .where('tickets.id', '=', t)
      .executeTakeFirstOrThrow();
    expect(kind.kind).toBe('object');
  });

  it('records an event by no one at the transaction’s time', async () => {
    const t = await ticket();
    const txTime = await m.run(async (tx) => {
      await repo.insertSystemEvent(tx, {
        ticketId: t,
        type: 'mail_failed',
        fromValue: '42',
        toValue: '550 no such user',
      });
      const { rows } = await sql<{ now: Date }>`SELECT now() AS now`.execute(db(tx));
      return rows[0].now;
    });
    const events = await repo.events(m.db, [t]);
    expect(events).toEqual([
      {
        id: expect.any(String),
        ticketId: t,
        actorId: null,
        type: 'mail_failed',
        fromValue: '42',
        toValue: '550 no such user',
        createdAt: txTime,
      },
    ]);
  });
});
