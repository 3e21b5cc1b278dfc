import { nextDueAt, nextReplyMet, slaBreaches, slaClockAfterMove } from './ticket-rules';

const at = (s: string) => new Date(`2026-01-01T${s}:00Z`);

describe('resolution clock that pauses while pending / on hold', () => {
  it('starts a pause on entering pending, keeps it across on_hold, and moves the due time on resume', () => {
    const running = { slaPausedAt: null, slaPausedSeconds: 0, resolutionDueAt: at('12:00') };
    expect(slaClockAfterMove(running, 'pending', at('09:00'))).toEqual({
      slaPausedAt: at('09:00'),
    });
    const paused = { ...running, slaPausedAt: at('09:00') };
    expect(slaClockAfterMove(paused, 'on_hold', at('10:00'))).toEqual({});
    expect(slaClockAfterMove(paused, 'open', at('11:30'))).toEqual({
      slaPausedAt: null,
      slaPausedSeconds: 9000,
      resolutionDueAt: at('14:30'),
    });
    // solving from pending ends the pause too
    expect(slaClockAfterMove(paused, 'solved', at('09:10')).resolutionDueAt).toEqual(at('12:10'));
    // no resolution target: nothing to pause
    expect(
      slaClockAfterMove({ ...running, resolutionDueAt: null }, 'pending', at('09:00')),
    ).toEqual({});
  });

  it('has no pending resolution deadline and no new breach while paused', () => {
    const t = {
      status: 'pending' as const,
      firstResponseAt: at('08:00'),
      solvedAt: null,
      firstResponseDueAt: at('09:00'),
      resolutionDueAt: at('12:00'),
      slaPausedAt: at('10:00'),
    };
    expect(nextDueAt(t)).toBeNull();
    expect(slaBreaches(t, at('13:00')).resolution).toBe(false);
    // paused after the target had passed: still breached
    expect(slaBreaches({ ...t, slaPausedAt: at('12:30') }, at('13:00')).resolution).toBe(true);
    expect(slaBreaches({ ...t, slaPausedAt: null }, at('13:00')).resolution).toBe(true);
  });
});

describe('next-reply clock', () => {
  const t = {
    status: 'open' as const,
    firstResponseAt: at('08:00'),
    solvedAt: null,
    firstResponseDueAt: at('09:00'),
    resolutionDueAt: at('18:00'),
    nextReplyDueAt: at('10:30'),
  };

  it('is the next deadline when due before resolution, and breaches past due', () => {
    expect(nextDueAt(t)).toEqual(at('10:30'));
    expect(nextDueAt({ ...t, nextReplyDueAt: at('19:00') })).toEqual(at('18:00'));
    expect(slaBreaches(t, at('10:00')).nextReply).toBe(false);
    expect(slaBreaches(t, at('10:31')).nextReply).toBe(true);
    expect(nextReplyMet(t, at('10:30'))).toBe(true);
    expect(nextReplyMet(t, at('10:31'))).toBe(false);
  });

  it('pauses and moves with the resolution clock', () => {
    const running = {
      slaPausedAt: null,
      slaPausedSeconds: 0,
      resolutionDueAt: null,
      nextReplyDueAt: at('10:30'),
    };
    expect(slaClockAfterMove(running, 'on_hold', at('10:00'))).toEqual({
      slaPausedAt: at('10:00'),
    });
    const paused = { ...running, slaPausedAt: at('10:00') };
    expect(slaClockAfterMove(paused, 'open', at('12:00')).nextReplyDueAt).toEqual(at('12:30'));
    // while paused: no deadline, no breach, a reply is judged at the pause's start
    const p = { ...t, status: 'on_hold' as const, slaPausedAt: at('10:00') };
    expect(nextDueAt(p)).toBeNull();
    expect(slaBreaches(p, at('13:00')).nextReply).toBe(false);
    expect(nextReplyMet(p, at('13:00'))).toBe(true);
  });
});
