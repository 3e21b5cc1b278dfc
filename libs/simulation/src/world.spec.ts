import { sentimentOf } from '@staydesk/tickets';
import { simulateWorld } from './seed';
import { testWorld } from './world.fixture';

describe('a simulated world (pure, no database)', () => {
  const world = testWorld({ customers: 120, tickets: 1500, months: 12, seed: 9 });
  const sim = simulateWorld(world);

  it('is the same world for the same seed', () => {
    const small = (seed: number) =>
      simulateWorld(testWorld({ customers: 40, tickets: 400, months: 12, seed }));
    const first = small(9);
    const again = small(9);
    const digest = (s: typeof sim) =>
      s.tickets.map((t) => `${t.createdAt}:${t.customer.name}:${t.history.columns.status}`);
    expect(digest(again)).toEqual(digest(first));
    expect(digest(small(10))).not.toEqual(digest(first));
  });

  it('files tickets only for signed-up customers, within the ticket window', () => {
    expect(sim.tickets).toHaveLength(1500);
    for (const t of sim.tickets) {
      expect(t.createdAt).toBeGreaterThanOrEqual(t.customer.since);
      expect(t.createdAt).toBeGreaterThanOrEqual(world.ticketsFrom);
      expect(t.createdAt).toBeLessThanOrEqual(world.now);
      expect(t.customer.contacts).toContain(t.requester);
    }
  });

  it('keeps each history in time order, before now, with status changes that chain', () => {
    for (const t of sim.tickets) {
      const { events, messages, columns } = t.history;
      for (let i = 1; i < events.length; i++)
        expect(events[i].at).toBeGreaterThanOrEqual(events[i - 1].at);
      expect(events.every((e) => e.at <= world.now)).toBe(true);
      expect(messages.every((m) => m.at <= world.now && m.at >= t.createdAt)).toBe(true);
      expect(events[0].type).toBe('created');
      let status = 'new';
      for (const e of events.filter((x) => x.type === 'status_changed')) {
        expect(e.from).toBe(status);
        status = e.to!;
      }
      expect(columns.status).toBe(status);
    }
  });

  it('derives the row from the history: first response, reopens and SLA flags', () => {
    for (const t of sim.tickets) {
      const { events, messages, columns } = t.history;
      const firstReply = messages.find((m) => m.kind === 'public_reply');
      expect(columns.firstResponseAt).toBe(firstReply?.at ?? null);
      expect(events.filter((e) => e.type === 'first_response')).toHaveLength(firstReply ? 1 : 0);
      const reopens = events.filter(
        (e) => e.type === 'status_changed' && e.from === 'solved' && e.to === 'open',
      ).length;
      expect(columns.reopenCount).toBe(reopens);
      const lateFirst =
        (columns.firstResponseAt ?? world.now) > columns.firstResponseDueAt &&
        columns.firstResponseDueAt < world.now;
      expect(columns.firstResponseBreached).toBe(lateFirst);
    }
  });

  it('scores customer messages with the api’s sentiment, and moody customers write angrier ones', () => {
    const said = sim.tickets.flatMap((t) =>
      t.history.messages
        .filter((m) => m.kind === 'customer_message')
        .map((m) => ({ m, mood: t.customer.mood })),
    );
    for (const { m } of said.slice(0, 500)) expect(m.sentiment).toBe(sentimentOf(m.body));
    const negativeShare = (xs: typeof said) =>
      xs.filter(({ m }) => m.sentiment! < -0.05).length / xs.length;
    const byMood = [...said].sort((a, b) => a.mood - b.mood);
    const third = Math.floor(byMood.length / 3);
    expect(negativeShare(byMood.slice(-third))).toBeGreaterThan(
      negativeShare(byMood.slice(0, third)),
    );
  });

  it('asks for CSAT only after a solve, with ratings 1–5', () => {
    const csat = sim.surveys.filter((s) => s.kind === 'csat');
    expect(csat.length).toBeGreaterThan(0);
    for (const s of csat) {
      expect(s.ticket).not.toBeNull();
      expect(s.ticket!.history.columns.solveCount).toBeGreaterThan(0);
      if (s.score !== null) expect([1, 2, 3, 4, 5]).toContain(s.score);
    }
  });
});
