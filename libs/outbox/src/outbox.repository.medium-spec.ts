import { MediumDatabase, mediumDatabase } from '@staydesk/testing';
import { OutboxRepository } from './outbox.repository';

/** The outbox claim against a migrated database: two relays never claim the same row. */
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
});
