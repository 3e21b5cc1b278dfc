import type { TicketChange } from '@staydesk/outbox';

/** The fields of a ticket a live queue filter looks at. */
export interface QueueFields {
  status: string;
  priority: string;
  channel: string;
  assigneeId: string | null;
  teamId: string | null;
  tags: string[];
  firstResponseBreached: boolean;
  /** The current (or last) next-reply clock was missed. */
  nextReplyBreached?: boolean;
  resolutionBreached: boolean;
}

/** A queue view as `queueChanged` evaluates it in memory (the same meaning as `tickets(filter)`). */
export interface QueueFilter {
  statuses?: string[];
  priorities?: string[];
  channels?: string[];
  teamIds?: string[];
  /** Without a team (with teamIds: those or none). */
  noTeam?: boolean;
  assigneeIds?: string[];
  unassigned?: boolean;
  tags?: string[];
  slaBreached?: boolean;
}

export type QueueChange = 'entered' | 'changed' | 'left';

/**
 * A filter's "any of these ids" and "none" on one field, as the SQL's `oneOfOrNone`: both = those
 * or none; neither = anything.
 */
function oneOfOrNone(value: string | null, ids: string[] | undefined, none: boolean | undefined) {
  if (ids?.length) return (value !== null && ids.includes(value)) || (!!none && value === null);
  return !none || value === null;
}

export function matchesQueue(t: QueueFields, f: QueueFilter): boolean {
  if (f.statuses?.length && !f.statuses.includes(t.status)) return false;
  if (f.priorities?.length && !f.priorities.includes(t.priority)) return false;
  if (f.channels?.length && !f.channels.includes(t.channel)) return false;
  if (!oneOfOrNone(t.teamId, f.teamIds, f.noTeam)) return false;
  if (!oneOfOrNone(t.assigneeId, f.assigneeIds, f.unassigned)) return false;
  if (f.tags?.length && !f.tags.some((tag) => t.tags.includes(tag))) return false;
  if (f.slaBreached !== undefined) {
    const breached = t.firstResponseBreached || t.resolutionBreached || !!t.nextReplyBreached;
    if (breached !== f.slaBreached) return false;
  }
  return true;
}

/**
 * The ticket as it was before `changes` (history rows: from → to), so a subscriber learns that a
 * ticket left its view. Fields the changes do not name are taken as they are now.
 */
export function before<T extends QueueFields>(now: T, changes: TicketChange[]): T {
  const was = { ...now, tags: [...now.tags] };
  // undo in reverse order: the earliest change's `from` is the state before the event
  for (const c of [...changes].reverse()) {
    switch (c.type) {
      case 'status_changed':
        if (c.from) was.status = c.from;
        break;
      case 'priority_changed':
        if (c.from) was.priority = c.from;
        break;
      case 'assignee_changed':
        was.assigneeId = c.from;
        break;
      case 'team_changed':
        was.teamId = c.from;
        break;
      case 'tags_changed':
        was.tags = c.from ? c.from.split(',').filter(Boolean) : [];
        break;
      default:
        break;
    }
  }
  return was;
}

/**
 * How an event moved a ticket relative to a view: null when the view never had it and still
 * does not (nothing to tell), `entered` when it matches now but did not before (or is new).
 */
export function queueChangeOf(
  now: QueueFields,
  changes: TicketChange[],
  created: boolean,
  f: QueueFilter,
): QueueChange | null {
  return queueChangeFrom(now, created ? null : before(now, changes), f);
}

/** `queueChangeOf` with the ticket as it was (`was`, null for a new ticket) computed once per event. */
export function queueChangeFrom(
  now: QueueFields,
  was: QueueFields | null,
  f: QueueFilter,
): QueueChange | null {
  const inNow = matchesQueue(now, f);
  const inBefore = was !== null && matchesQueue(was, f);
  if (inNow && inBefore) return 'changed';
  if (inNow) return 'entered';
  if (inBefore) return 'left';
  return null;
}
