import { CHANNELS, PRIORITIES, badInput } from '@staydesk/core';
import type { Channel, Priority } from '@staydesk/core';

// The vocabulary lives in @staydesk/core; re-exported for the ticket domain's users.
export { CHANNELS, PRIORITIES };
export type { Channel, Priority };

export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const MESSAGE_KINDS = ['public_reply', 'internal_note', 'customer_message'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/**
 * The ticket state machine. `closed` is final; `solved → open` is a reopen.
 * new → open | pending | on_hold | solved
 * open ↔ pending ↔ on_hold, any of them → solved
 * solved → open (reopen) | closed
 */
const MOVES: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'pending', 'on_hold', 'solved'],
  open: ['pending', 'on_hold', 'solved'],
  pending: ['open', 'on_hold', 'solved'],
  on_hold: ['open', 'pending', 'solved'],
  solved: ['open', 'closed'],
  closed: [],
};

export function assertMove(from: TicketStatus, to: TicketStatus, field = 'status'): void {
  if (from === to) throw badInput(field, `the ticket is already ${to}`);
  if (!MOVES[from].includes(to)) {
    const allowed = MOVES[from];
    throw badInput(
      field,
      `cannot move a ticket from ${from} to ${to}` +
        (allowed.length
          ? ` (from ${from} it can go to ${allowed.join(', ')})`
          : `: ${from} is final`),
    );
  }
}

/** What a message does to the status (customers writing back reopen or wake up a ticket). */
export function statusAfterMessage(current: TicketStatus, kind: MessageKind): TicketStatus {
  if (current === 'closed') {
    throw badInput(
      'id',
      kind === 'internal_note'
        ? 'unreachable'
        : 'the ticket is closed: closed is final, open a new ticket instead',
    );
  }
  if (
    kind === 'customer_message' &&
    (current === 'pending' || current === 'on_hold' || current === 'solved')
  ) {
    return 'open';
  }
  if (kind === 'public_reply' && current === 'new') return 'open';
  return current;
}

export interface SlaTargets {
  firstResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
}

export interface SlaSnapshot extends SlaTargets {
  status: TicketStatus;
  firstResponseAt: Date | null;
  solvedAt: Date | null;
  /** When the resolution clock's current pause began; null or absent while it runs. */
  slaPausedAt?: Date | null;
  /** The running next-reply clock's due time (absent/null: none runs). Pauses like resolution. */
  nextReplyDueAt?: Date | null;
}

/** Statuses that pause the resolution clock (waiting on the customer, or on hold). */
export const PAUSING_STATUSES: readonly TicketStatus[] = ['pending', 'on_hold'];

/**
 * The resolution and next-reply clocks across a status move: entering pending/on hold starts a
 * pause; leaving them ends it, and both due times move later by the pause's length.
 */
export function slaClockAfterMove(
  t: {
    slaPausedAt: Date | null;
    slaPausedSeconds: number;
    resolutionDueAt: Date | null;
    nextReplyDueAt?: Date | null;
  },
  to: TicketStatus,
  now: Date,
): {
  slaPausedAt?: Date | null;
  slaPausedSeconds?: number;
  resolutionDueAt?: Date | null;
  nextReplyDueAt?: Date | null;
} {
  const pauses = PAUSING_STATUSES.includes(to);
  if (t.slaPausedAt === null)
    return pauses && (t.resolutionDueAt || t.nextReplyDueAt) ? { slaPausedAt: now } : {};
  if (pauses) return {};
  const ms = Math.max(0, now.getTime() - t.slaPausedAt.getTime());
  return {
    slaPausedAt: null,
    slaPausedSeconds: t.slaPausedSeconds + Math.round(ms / 1000),
    resolutionDueAt: t.resolutionDueAt ? new Date(t.resolutionDueAt.getTime() + ms) : null,
    ...(t.nextReplyDueAt ? { nextReplyDueAt: new Date(t.nextReplyDueAt.getTime() + ms) } : {}),
  };
}

/** Whether a reply at `at` met the running next-reply clock (a paused clock stopped at the pause). */
export function nextReplyMet(
  t: { nextReplyDueAt: Date; slaPausedAt?: Date | null },
  at: Date,
): boolean {
  return (t.slaPausedAt ?? at) <= t.nextReplyDueAt;
}

/** The next SLA deadline a ticket is working against, or null when none is pending. */
export function nextDueAt(t: SlaSnapshot): Date | null {
  if (t.status === 'solved' || t.status === 'closed') return null;
  if (t.firstResponseAt === null && t.firstResponseDueAt) return t.firstResponseDueAt;
  if (t.slaPausedAt) return null; // the resolution and next-reply clocks are paused
  const next = t.nextReplyDueAt ?? null;
  if (next && (!t.resolutionDueAt || next < t.resolutionDueAt)) return next;
  return t.resolutionDueAt;
}

/** Breach flags as of `now`: a target is breached when met late, or still unmet after its due time. */
export function slaBreaches(
  t: SlaSnapshot,
  now: Date,
): { firstResponse: boolean; resolution: boolean; nextReply: boolean } {
  const done = t.status === 'solved' || t.status === 'closed';
  const firstResponse = t.firstResponseDueAt
    ? t.firstResponseAt
      ? t.firstResponseAt > t.firstResponseDueAt
      : !done && now > t.firstResponseDueAt
    : false;
  const resolution = t.resolutionDueAt
    ? done && t.solvedAt
      ? t.solvedAt > t.resolutionDueAt
      : (t.slaPausedAt ?? now) > t.resolutionDueAt // a paused clock stopped at the pause
    : false;
  const nextReply = !done && t.nextReplyDueAt ? (t.slaPausedAt ?? now) > t.nextReplyDueAt : false;
  return { firstResponse, resolution, nextReply };
}

export const TAG = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export function normalizeTags(tags: string[], field = 'tags'): string[] {
  if (tags.length > 20) throw badInput(field, 'at most 20 tags');
  const out = new Set<string>();
  for (const raw of tags) {
    const t = raw.trim().toLowerCase();
    if (!TAG.test(t))
      throw badInput(
        field,
        `"${raw.slice(0, 50)}" is not a tag (a-z, 0-9, - and _, up to 40 characters)`,
      );
    out.add(t);
  }
  return [...out].sort();
}

export const MAX_SUBJECT = 500;
export const MAX_BODY = 65_536;

export function validateSubject(subject: string, field = 'subject'): string {
  const s = subject.trim();
  if (!s) throw badInput(field, 'must not be empty');
  if (s.length > MAX_SUBJECT)
    throw badInput(field, `must be at most ${MAX_SUBJECT} characters (got ${s.length})`);
  return s;
}

export function validateBody(body: string, field = 'body'): string {
  if (!body.trim()) throw badInput(field, 'must not be empty');
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY) throw badInput(field, `must be at most 64 KB`);
  return body;
}
