import { replayCase } from './import-replay';

const at = (s: string) => Date.parse(`${s}Z`);
const row = (effect: string, when: string, actor: string | null = null) => ({
  effect: effect as never,
  at: at(when),
  actor,
  customer: 'c1',
  customerName: null,
  subject: null,
  channel: null,
  priority: null,
  requester: null,
  extra: null,
});

describe('replayCase', () => {
  it('rebuilds first response, last solve, reopens and the status history', () => {
    const t = replayCase(
      'X1',
      [
        row('created', '2024-01-01T09:00:00'),
        row('agent_reply', '2024-01-01T10:00:00', 'alice'),
        row('pending', '2024-01-01T10:05:00'),
        row('solved', '2024-01-01T12:00:00'),
        row('customer_reply', '2024-01-02T09:00:00'),
        row('agent_reply', '2024-01-02T09:30:00', 'alice'),
        row('solved', '2024-01-02T13:00:00'),
      ],
      new Map([['alice', '7']]),
    );
    expect(t).toMatchObject({
      status: 'solved',
      createdAt: new Date(at('2024-01-01T09:00:00')),
      firstResponseAt: new Date(at('2024-01-01T10:00:00')),
      solvedAt: new Date(at('2024-01-02T13:00:00')),
      reopenCount: 1,
      solveCount: 2,
      rows: 7,
    });
    expect(t.events.map((e) => `${e.type}:${e.from ?? ''}>${e.to ?? ''}`)).toEqual([
      'created:>new',
      'first_response:>',
      'status_changed:new>open',
      'status_changed:open>pending',
      'status_changed:pending>solved',
      'status_changed:solved>open',
      'status_changed:open>solved',
    ]);
    expect(t.events[1].actorId).toBe('7');
  });

  it('closing an unsolved ticket solves it at that moment; a log without "created" starts at its first event', () => {
    const t = replayCase(
      'X2',
      [row('agent_reply', '2024-01-01T09:00:00'), row('closed', '2024-01-01T11:00:00')],
      new Map(),
    );
    expect(t).toMatchObject({
      status: 'closed',
      solveCount: 1,
      solvedAt: new Date(at('2024-01-01T11:00:00')),
      closedAt: new Date(at('2024-01-01T11:00:00')),
      subject: 'Imported case X2',
    });
    expect(t.events.map((e) => e.to)).toEqual(['new', null, 'open', 'solved', 'closed']);
  });

  it('gives the same digest for the same case, a different one when anything changes', () => {
    const rows = [row('created', '2024-01-01T09:00:00'), row('solved', '2024-01-01T10:00:00')];
    const a = replayCase('X3', rows, new Map());
    expect(replayCase('X3', rows, new Map()).hash).toBe(a.hash);
    expect(
      replayCase('X3', [rows[0], row('solved', '2024-01-01T10:00:01')], new Map()).hash,
    ).not.toBe(a.hash);
  });

  it('creates the ticket at its first event of any kind, or at an earlier opened_at', () => {
    const ignoredFirst = replayCase(
      'X2',
      [row('ignore', '2024-01-01T08:00:00'), row('solved', '2024-01-01T12:00:00')],
      new Map(),
    );
    expect(ignoredFirst).toMatchObject({
      createdAt: new Date(at('2024-01-01T08:00:00')),
      solvedAt: new Date(at('2024-01-01T12:00:00')),
      rows: 1,
      startedSolved: false,
    });
    const late = replayCase('X3', [row('solved', '2024-01-01T12:00:00')], new Map());
    expect(late).toMatchObject({ createdAt: late.solvedAt, startedSolved: true });
    const opened = replayCase(
      'X4',
      [{ ...row('solved', '2024-01-01T12:00:00'), openedAt: at('2023-12-31T12:00:00') }],
      new Map(),
    );
    expect(opened).toMatchObject({
      createdAt: new Date(at('2023-12-31T12:00:00')),
      startedSolved: false,
    });
    expect(opened.events[0]).toMatchObject({ type: 'created', at: opened.createdAt });
  });
});
