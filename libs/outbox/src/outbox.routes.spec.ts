import { loadConfig } from '@staydesk/core';
import type { DomainEvent } from './events';
import { recentKey, routeBatch, routeEvent, windowAdds } from './outbox.routes';

const config = loadConfig({ JWT_SECRET: 'x'.repeat(32) });

const created = (ticketId: string, customerId: string): DomainEvent => ({
  type: 'ticket.created',
  payload: { ticketId, customerId },
});
const customerMessage = (ticketId: string, customerId: string, messageId: string): DomainEvent => ({
  type: 'ticket.message_added',
  payload: { ticketId, customerId, messageId, kind: 'customer_message' },
});

describe('routeBatch (the jobs a relay batch publishes)', () => {
  // the debounced ids carry the time window: one instant for the whole test
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(1_780_000_000_000));
  afterEach(() => jest.restoreAllMocks());

  it('publishes each job id once: the first row routing it keeps it, later rows leave it out', () => {
    const rows = [
      { id: '1', event: created('10', '7') },
      { id: '2', event: customerMessage('10', '7', '100') },
      { id: '3', event: created('11', '7') },
      { id: '4', event: customerMessage('11', '7', '101') },
      { id: '5', event: created('12', '8') },
    ];
    const batch = routeBatch(rows, config);
    const ids = (i: number) =>
      batch[i].map((j) => `${j.name} ${j.jobId}${j.window ? ` ${j.window.member}` : ''}`);
    const [rescore, kpis] = routeEvent(rows[0].event, config).map((j) => j.jobId);
    const window = Math.floor(1_780_000_000_000 / config.risk.debounceMs);
    expect(rescore).toBe(`risk-window-${window}`);
    expect(kpis).toMatch(/^kpi-refresh-/);
    expect(ids(0)).toEqual([`risk.rescore-window ${rescore} 7`, `kpi.refresh ${kpis}`]);
    // the same customer's rescore and the KPI refresh are already in the batch
    expect(ids(1)).toEqual(['mail.notify evt-2-mail-notify']);
    expect(ids(2)).toEqual([]);
    expect(ids(3)).toEqual(['mail.notify evt-4-mail-notify']);
    // another customer of the same window: a member of its own, the same window job
    expect(ids(4)).toEqual([`risk.rescore-window ${rescore} 8`]);
    expect(windowAdds(batch.flat())).toEqual([
      {
        name: 'risk.rescore-window',
        index: window,
        ms: config.risk.debounceMs,
        members: ['7', '8'],
      },
    ]);
    // what is kept is what routeEvent says, with the id the relay always gave it
    expect(batch[1][0]).toMatchObject({
      name: 'mail.notify',
      data: { kind: 'customer_reply', ticketId: '10', key: 'reply-100' },
    });
    expect(batch[0][0].delayMs).toBe(config.risk.debounceMs);
  });

  it('keeps every job of rows that share no id (public replies each mailed)', () => {
    const rows = ['1', '2', '3'].map((id) => ({
      id,
      event: {
        type: 'ticket.message_added',
        payload: {
          ticketId: `2${id}`,
          customerId: `3${id}`,
          messageId: `4${id}`,
          kind: 'public_reply',
        },
      } satisfies DomainEvent,
    }));
    const batch = routeBatch(rows, config);
    expect(batch.map((jobs) => jobs.find((j) => j.name === 'mail.send-reply')?.jobId)).toEqual([
      'mail-reply-41',
      'mail-reply-42',
      'mail-reply-43',
    ]);
    expect(
      batch.map((jobs) => jobs.filter((j) => j.name === 'risk.rescore-window').length),
    ).toEqual([1, 1, 1]);
  });

  it('leaves out a debounced id an earlier batch added until its window ends, and only those', () => {
    // 3 s into a 5 s debounce window
    const now = Date.now() + 3000;
    jest.spyOn(Date, 'now').mockReturnValue(now);
    const first = routeBatch([{ id: '1', event: created('10', '7') }], config, undefined, now);
    expect(first[0].map((j) => j.debounced)).toEqual([true, true]);
    // no job with these ids can start before the window's end, whoever added it
    expect(first[0].map((j) => j.notBefore)).toEqual([now + 2000, now + 2000]);
    const recent = new Map(
      first
        .flat()
        .map((j) => [recentKey(j.name, j.jobId, j.window?.member), j.notBefore ?? 0] as const),
    );
    const later = [
      { id: '2', event: created('11', '7') },
      { id: '3', event: customerMessage('11', '7', '102') },
      { id: '4', event: created('12', '8') },
    ];
    const names = (batch: ReturnType<typeof routeBatch>) =>
      batch.map((jobs) => jobs.map((j) => j.name));
    // customer 7's rescore and the KPI refresh are pending in Redis: not added again
    expect(names(routeBatch(later, config, recent, now + 1))).toEqual([
      [],
      ['mail.notify'],
      ['risk.rescore-window'],
    ]);
    // the next window's ids are other jobs: added
    jest.spyOn(Date, 'now').mockReturnValue(now + 2000);
    expect(names(routeBatch(later, config, recent, now + 2000))).toEqual([
      ['risk.rescore-window', 'kpi.refresh'],
      ['mail.notify'],
      ['risk.rescore-window'],
    ]);
  });
});

describe('windowAdds (one Redis script per window and job)', () => {
  const at = (window: number, member: string, name = 'risk.rescore-window' as const) => ({
    name,
    data: { window },
    window: { member, index: window, ms: 5000 },
  });

  it('groups members by window, each once, in first-seen order, and leaves other jobs out', () => {
    const adds = windowAdds([
      at(10, '3'),
      { name: 'kpi.refresh', data: {} },
      at(10, '1'),
      at(11, '3'),
      at(10, '3'),
      at(10, '2'),
    ]);
    expect(adds).toEqual([
      { name: 'risk.rescore-window', index: 10, ms: 5000, members: ['3', '1', '2'] },
      { name: 'risk.rescore-window', index: 11, ms: 5000, members: ['3'] },
    ]);
    expect(windowAdds([{ name: 'kpi.refresh', data: {} }])).toEqual([]);
  });
});
