/** SLA and status bookkeeping of a ticket change: pure functions over a ticket and its pending patch. */
import { badInput } from '@staydesk/core';
import { Actor, WeeklyHours, addBusinessMinutes } from '@staydesk/identity';
import { TicketStatus, nextDueAt, slaClockAfterMove, slaBreaches } from './ticket-rules';
import { EventRow, SlaPolicyRow, TicketRow } from './tickets.repository';

export type NewEvent = Omit<EventRow, 'id'>;

/** History rows as the outbox carries them (live updates tell subscribers what changed). */
export const changesOf = (events: NewEvent[]) =>
  events.map((e) => ({ type: e.type, from: e.fromValue, to: e.toValue }));

/** An unassigned ticket goes to the agent who answers or solves it (with its history event). */
export function selfAssign(
  t: TicketRow,
  patch: Partial<TicketRow>,
  actor: Pick<Actor, 'id'>,
  now: Date,
): NewEvent[] {
  if (t.assigneeId !== null) return [];
  patch.assigneeId = actor.id;
  return [
    {
      ticketId: t.id,
      actorId: actor.id,
      type: 'assignee_changed',
      fromValue: null,
      toValue: actor.id,
      createdAt: now,
    },
  ];
}

/** Status bookkeeping shared by explicit moves and message-driven moves. */
export function applyStatus(
  t: TicketRow,
  to: TicketStatus,
  patch: Partial<TicketRow>,
  actor: Pick<Actor, 'id'> | null,
  now: Date,
): NewEvent[] {
  patch.status = to;
  Object.assign(patch, slaClockAfterMove({ ...t, ...patch }, to, now));
  if (to === 'solved') {
    patch.solvedAt = now;
    patch.solveCount = t.solveCount + 1;
  }
  if (t.status === 'solved' && to === 'open') patch.reopenCount = t.reopenCount + 1;
  if (to === 'closed') patch.closedAt = now;
  // solving or closing stops a running next-reply clock (no reply: neither met nor breached)
  if ((to === 'solved' || to === 'closed') && t.nextReplyDueAt) {
    patch.nextReplyStartedAt = null;
    patch.nextReplyDueAt = null;
  }
  return [
    {
      ticketId: t.id,
      actorId: actor?.id ?? null,
      type: 'status_changed',
      fromValue: t.status,
      toValue: to,
      createdAt: now,
    },
  ];
}

/** Keeps next_due_at and the breach flags consistent with a pending change. */
export function refreshSla(t: TicketRow, patch: Partial<TicketRow>, now: Date) {
  const merged = { ...t, ...patch };
  patch.nextDueAt = nextDueAt(merged);
  const b = slaBreaches(merged, now);
  // once breached, a flag stays (a breach is history, not state), unless the targets moved
  const targetsMoved =
    patch.firstResponseDueAt !== undefined || patch.resolutionDueAt !== undefined;
  patch.firstResponseBreached = targetsMoved
    ? b.firstResponse
    : t.firstResponseBreached || b.firstResponse;
  patch.resolutionBreached = targetsMoved ? b.resolution : t.resolutionBreached || b.resolution;
  // the flag belongs to the current (or last) next-reply clock: a new clock starts unbreached
  // (a reply that stopped the clock has already set it)
  if (patch.nextReplyStartedAt) patch.nextReplyBreached = b.nextReply;
  else if (patch.nextReplyBreached === undefined)
    patch.nextReplyBreached = t.nextReplyBreached || b.nextReply;
}

/**
 * The SLA fields of a ticket being created at `at`: its policy, the due times (business time on
 * the team's calendar) and the next due time for the status it starts in.
 */
export function newTicketSla(
  policy: SlaPolicyRow | null,
  at: Date,
  team: Parameters<typeof dueTimes>[2],
  start: { status: TicketStatus; firstResponseAt: Date | null } = {
    status: 'new',
    firstResponseAt: null,
  },
) {
  const due = dueTimes(policy, at, team);
  return {
    slaPolicyId: policy?.id ?? null,
    ...due,
    nextDueAt: nextDueAt({ ...start, solvedAt: null, ...due }),
  };
}

export function dueTimes(
  policy: SlaPolicyRow | null,
  from: Date,
  team: {
    timezone: string | null;
    businessHours: Record<string, [string, string][]> | null;
    holidays?: { date: string }[];
  } | null,
) {
  if (!policy) return { firstResponseDueAt: null, resolutionDueAt: null };
  const add = (minutes: number) => addPolicyMinutes(policy, from, minutes, team);
  return {
    firstResponseDueAt: add(policy.firstResponseMinutes),
    resolutionDueAt: add(policy.resolutionMinutes),
  };
}

/** `from` + `minutes` of the policy's clock: business time on the team's calendar when it has one. */
export function addPolicyMinutes(
  policy: SlaPolicyRow,
  from: Date,
  minutes: number,
  team: {
    timezone: string | null;
    businessHours: Record<string, [string, string][]> | null;
    holidays?: { date: string }[];
  } | null,
): Date {
  return policy.businessHours && team?.timezone && team.businessHours
    ? addBusinessMinutes(
        from,
        minutes,
        team.timezone,
        team.businessHours as WeeklyHours,
        new Set((team.holidays ?? []).map((h) => h.date)),
      )
    : new Date(from.getTime() + minutes * 60_000);
}

/** The rules of an SLA policy (create and update). */
export function checkPolicy(p: {
  name: string;
  firstResponseMinutes: number;
  resolutionMinutes: number;
  nextReplyMinutes?: number | null;
}) {
  if (!p.name.trim() || p.name.length > 100) throw badInput('name', 'must be 1 to 100 characters');
  for (const f of ['firstResponseMinutes', 'resolutionMinutes', 'nextReplyMinutes'] as const) {
    const v = p[f];
    if (v == null && f === 'nextReplyMinutes') continue;
    if (v == null || !Number.isInteger(v) || v < 1 || v > 60 * 24 * 365) {
      throw badInput(f, 'must be a whole number of minutes from 1 to 525600');
    }
  }
  if (p.resolutionMinutes < p.firstResponseMinutes) {
    throw badInput('resolutionMinutes', 'must not be shorter than the first-response target');
  }
}
