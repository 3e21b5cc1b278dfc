import { describe, expect, it } from 'vitest';
import { formatMinutes, slaCountdown, type SlaFields } from './sla';

const now = new Date('2026-11-30T10:00:00Z');
const at = (min: number) => new Date(now.getTime() + min * 60_000).toISOString();
const ticket = (over: Partial<SlaFields>): SlaFields => ({
  status: 'open',
  firstResponseAt: null,
  firstResponseDueAt: at(25),
  resolutionDueAt: at(480),
  firstResponseBreached: false,
  resolutionBreached: false,
  ...over,
});

describe('SLA countdown', () => {
  it('counts down to the first response until an agent replied', () => {
    const s = slaCountdown(ticket({}), now)!;
    expect(s.target).toBe('first response');
    expect(s.label).toBe('First response due in 25 min');
    expect(s.short).toBe('Reply in 25 min');
    expect(s.breached).toBe(false);
    expect(s.dueSoon).toBe(true);
  });

  it('switches to resolution after the first reply', () => {
    const s = slaCountdown(ticket({ firstResponseAt: at(-5) }), now)!;
    expect(s.target).toBe('resolution');
    expect(s.label).toBe('Resolution due in 8 h');
    expect(s.dueSoon).toBe(false);
  });

  it('counts down to the next reply while a customer message waits, when it is due first', () => {
    const replied = { firstResponseAt: at(-60), nextReplyDueAt: at(20) };
    const s = slaCountdown(ticket(replied), now)!;
    expect(s.target).toBe('next reply');
    expect(s.label).toBe('Next reply due in 20 min');
    expect(s.short).toBe('Reply in 20 min');
    const late = slaCountdown(ticket({ ...replied, nextReplyDueAt: at(-10) }), now)!;
    expect(late.label).toBe('Next reply overdue by 10 min');
    expect(late.breached).toBe(true);
    // resolution due sooner wins; before the first response the first-response clock shows
    expect(slaCountdown(ticket({ ...replied, nextReplyDueAt: at(600) }), now)!.target).toBe(
      'resolution',
    );
    expect(slaCountdown(ticket({ nextReplyDueAt: at(20) }), now)!.target).toBe('first response');
  });

  it('is breached (red) once the target passed, saying by how much', () => {
    const s = slaCountdown(ticket({ firstResponseDueAt: at(-125) }), now)!;
    expect(s.breached).toBe(true);
    expect(s.label).toBe('First response overdue by 2 h 5 min');
    expect(s.short).toBe('Reply 2 h 5 min late');
  });

  it('trusts the api when it says breached although the clock has not run out', () => {
    const s = slaCountdown(ticket({ firstResponseBreached: true }), now)!;
    expect(s.breached).toBe(true);
    expect(s.label).toBe('First response breached');
  });

  it('shows no clock for solved, closed, pending, on-hold tickets or without a policy', () => {
    for (const status of ['solved', 'closed', 'pending', 'on_hold']) {
      expect(slaCountdown(ticket({ status }), now)).toBeNull();
    }
    expect(
      slaCountdown(ticket({ firstResponseDueAt: null, resolutionDueAt: null }), now),
    ).toBeNull();
  });

  it('formats minutes, hours and days', () => {
    expect(formatMinutes(0.4)).toBe('0 min');
    expect(formatMinutes(59)).toBe('59 min');
    expect(formatMinutes(120)).toBe('2 h');
    expect(formatMinutes(-61)).toBe('1 h 1 min');
    expect(formatMinutes(3 * 24 * 60 + 120)).toBe('3 d 2 h');
  });
});
