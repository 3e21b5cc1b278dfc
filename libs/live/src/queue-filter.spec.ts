import { QueueFields, before, matchesQueue, queueChangeOf } from './queue-filter';

const ticket = (over: Partial<QueueFields> = {}): QueueFields => ({
  status: 'open',
  priority: 'normal',
  channel: 'email',
  assigneeId: null,
  teamId: '7',
  tags: ['billing'],
  firstResponseBreached: false,
  resolutionBreached: false,
  ...over,
});

describe('live queue filter', () => {
  it('matches like tickets(filter): lists are "any of", tags overlap, mine-or-unassigned', () => {
    expect(matchesQueue(ticket(), {})).toBe(true);
    expect(matchesQueue(ticket(), { statuses: ['new', 'open'] })).toBe(true);
    expect(matchesQueue(ticket(), { statuses: ['pending'] })).toBe(false);
    expect(matchesQueue(ticket(), { tags: ['vip', 'billing'] })).toBe(true);
    expect(matchesQueue(ticket(), { tags: ['vip'] })).toBe(false);
    expect(matchesQueue(ticket(), { teamIds: ['8'] })).toBe(false);
    expect(matchesQueue(ticket({ teamId: null }), { teamIds: ['7'] })).toBe(false);
    // noTeam: alone the teamless tickets, with teamIds those teams' or none
    expect(matchesQueue(ticket({ teamId: null }), { noTeam: true })).toBe(true);
    expect(matchesQueue(ticket(), { noTeam: true })).toBe(false);
    expect(matchesQueue(ticket({ teamId: null }), { teamIds: ['7'], noTeam: true })).toBe(true);
    expect(matchesQueue(ticket(), { teamIds: ['7'], noTeam: true })).toBe(true);
    expect(matchesQueue(ticket({ teamId: '8' }), { teamIds: ['7'], noTeam: true })).toBe(false);
    expect(matchesQueue(ticket(), { unassigned: true })).toBe(true);
    expect(matchesQueue(ticket({ assigneeId: '3' }), { unassigned: true })).toBe(false);
    expect(matchesQueue(ticket({ assigneeId: '3' }), { assigneeIds: ['3'] })).toBe(true);
    expect(matchesQueue(ticket(), { assigneeIds: ['3'] })).toBe(false);
    expect(matchesQueue(ticket(), { assigneeIds: ['3'], unassigned: true })).toBe(true);
    expect(
      matchesQueue(ticket({ assigneeId: '4' }), { assigneeIds: ['3'], unassigned: true }),
    ).toBe(false);
    expect(matchesQueue(ticket({ resolutionBreached: true }), { slaBreached: true })).toBe(true);
    expect(matchesQueue(ticket(), { slaBreached: true })).toBe(false);
    expect(matchesQueue(ticket(), { slaBreached: false })).toBe(true);
  });

  it('reconstructs the ticket before a change from its history rows', () => {
    const now = ticket({ status: 'solved', assigneeId: '3', tags: [] });
    const was = before(now, [
      { type: 'status_changed', from: 'open', to: 'pending' },
      { type: 'status_changed', from: 'pending', to: 'solved' },
      { type: 'assignee_changed', from: null, to: '3' },
      { type: 'tags_changed', from: 'billing,vip', to: '' },
    ]);
    expect(was).toEqual({ ...now, status: 'open', assigneeId: null, tags: ['billing', 'vip'] });
    expect(now.tags).toEqual([]);
  });

  it('says entered, changed, left, or nothing', () => {
    const unassignedView = { unassigned: true };
    const assign = [{ type: 'assignee_changed', from: null, to: '3' }];
    expect(queueChangeOf(ticket({ assigneeId: '3' }), assign, false, unassignedView)).toBe('left');
    expect(queueChangeOf(ticket({ assigneeId: '3' }), assign, false, { assigneeIds: ['3'] })).toBe(
      'entered',
    );
    expect(queueChangeOf(ticket(), [], true, unassignedView)).toBe('entered');
    expect(
      queueChangeOf(ticket(), [{ type: 'subject_changed', from: 'a', to: 'b' }], false, {}),
    ).toBe('changed');
    expect(queueChangeOf(ticket(), [], false, { statuses: ['closed'] })).toBeNull();
  });
});
