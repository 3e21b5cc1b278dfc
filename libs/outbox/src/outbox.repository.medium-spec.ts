import { sql } from 'kysely';
import { db } from '@staydesk/core';
import { MediumDatabase, mediumDatabase } from '@staydesk/testing';
import { OutboxRepository } from './outbox.repository';

/**
 * The outbox against a migrated database: two relays never claim the same row; payloads come
 * back exactly as written.
 */
describe('OutboxRepository.claim (medium)', () => {
  const repo = new OutboxRepository();
  let m: MediumDatabase;
  beforeAll(async () => {
    m = await mediumDatabase();
    await m.db.query(
      `INSERT INTO outbox (type, payload)
       SELECT 'ticket.created', jsonb_build_object('ticketId', g::text) FROM generate_series(1, 10) g`,
    );
  });
  afterAll(() => m.close());

  it('claims oldest first and skips rows another open transaction holds', async () => {
    let releaseFirst!: () => void;
    const held = new Promise<void>((r) => (releaseFirst = r));
    let firstClaimed!: (ids: string[]) => void;
    const claimedByFirst = new Promise<string[]>((r) => (firstClaimed = r));
    const first = m.run(async (tx) => {
      const rows = await repo.claim(tx, 4);
      firstClaimed(rows.map((r) => r.id));
      await held; // keep the row locks until the second relay has claimed
    });
    const a = await claimedByFirst;
    const b = await m.run(async (tx) => (await repo.claim(tx, 4)).map((r) => r.id));
    releaseFirst();
    await first;
    expect(a).toHaveLength(4);
    expect(b).toHaveLength(4);
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    const sorted = [...a].sort((x, y) => Number(x) - Number(y));
    expect(a).toEqual(sorted);
    expect(Number(b[0])).toBeGreaterThan(Number(a[3]));
  });

  it('marks published rows so they are never claimed again, and counts the backlog', async () => {
    const ids = await m.run(async (tx) => {
      const rows = await repo.claim(tx, 100);
      await repo.markPublished(
        tx,
        rows.slice(0, 7).map((r) => r.id),
      );
      return rows.map((r) => r.id);
    });
    expect(ids).toHaveLength(10);
    expect(await repo.pendingCount(m.db)).toBe(3);
    const again = await m.run((tx) => repo.claim(tx, 100));
    expect(again.map((r) => r.id)).toEqual(ids.slice(7));
    expect((await repo.backlog(m.db)).count).toBe(3);
  });

  it('returns payloads as written, counts failures and prunes old published rows', async () => {
    const added = await repo.add(m.db, {
      type: 'ticket.created',
      payload: { ticketId: '42', customerId: '7' },
    });
    // snake_case keys inside jsonb must survive the builder's CamelCasePlugin
    const { id: raw } = await db(m.db)
      .insertInto('outbox')
      .values({
        type: 'ticket.created',
        payload: JSON.stringify({ snake_key: { inner_key: [{ deep_key: 1 }] } }),
        traceContext: JSON.stringify({ traceparent: '00-abc-def-01' }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const rows = await m.run(async (tx) => {
      const claimed = await repo.claim(tx, 100);
      await repo.markFailed(tx, [added], 'x'.repeat(2000));
      return claimed;
    });
    expect(rows.find((r) => r.id === added)).toEqual({
      id: added,
      type: 'ticket.created',
      payload: { ticketId: '42', customerId: '7' },
      attempts: 0,
      traceContext: null,
    });
    expect(rows.find((r) => r.id === raw)).toMatchObject({
      payload: { snake_key: { inner_key: [{ deep_key: 1 }] } },
      traceContext: { traceparent: '00-abc-def-01' },
    });
    const failed = await db(m.db)
      .selectFrom('outbox')
      .select(['attempts', 'lastError', 'publishedAt'])
      .where('id', '=', added)
      .executeTakeFirstOrThrow();
    expect(failed).toEqual({ attempts: 1, lastError: 'x'.repeat(1000), publishedAt: null });

    await m.run(async (tx) =>
      repo.markPublished(
        tx,
        (await repo.claim(tx, 100)).map((r) => r.id),
      ),
    );
    expect(await repo.backlog(m.db)).toEqual({ count: 0, oldestAgeSeconds: 0 });
    await db(m.db)
      .updateTable('outbox')
      .set({ publishedAt: sql<Date>`now() - interval '10 days'` })
      .where('id', 'not in', [added, raw])
      .execute();
    expect(await repo.prune(m.db, 7)).toBe(10);
    expect(await repo.prune(m.db, 7)).toBe(0);
  });
});
