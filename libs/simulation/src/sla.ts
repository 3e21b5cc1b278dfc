import { nextDueAt, slaBreaches } from '@staydesk/tickets';
import { type Status } from './catalog';
import {
  MINUTE,
  type SlaPolicy,
  type TicketColumns,
  type TicketEvent,
  type TicketMessage,
  type TicketSpec,
} from './model';

/**
 * The tickets row as a function of the history: the single place the seeder derives it. SLA due
 * times are created_at + the policy's targets (calendar time); breach flags and next_due_at come
 * from the api's own rules (slaBreaches, nextDueAt): a target is breached when met late, or still
 * unmet after its due time; next_due_at is the next unmet target while the ticket is unsolved.
 */
export function ticketColumns(
  ticket: TicketSpec,
  events: TicketEvent[],
  messages: TicketMessage[],
  sla: SlaPolicy,
  now: number,
): TicketColumns {
  let status: Status = 'new';
  let solvedAt: number | null = null;
  let closedAt: number | null = null;
  let reopenCount = 0;
  let solveCount = 0;
  let updatedAt = ticket.createdAt;
  for (const e of events) {
    updatedAt = Math.max(updatedAt, e.at);
    if (e.type !== 'created' && e.type !== 'status_changed') continue;
    status = e.to as Status;
    if (e.to === 'solved') {
      solvedAt = e.at;
      solveCount++;
    }
    if (e.to === 'closed') closedAt = e.at;
    if (e.from === 'solved' && e.to === 'open') reopenCount++;
  }
  let firstResponseAt: number | null = null;
  let lastMessageAt: number | null = null;
  for (const m of messages) {
    if (m.kind === 'public_reply' && (firstResponseAt === null || m.at < firstResponseAt)) {
      firstResponseAt = m.at;
    }
    lastMessageAt = lastMessageAt === null ? m.at : Math.max(lastMessageAt, m.at);
    updatedAt = Math.max(updatedAt, m.at);
  }
  const firstResponseDueAt = ticket.createdAt + sla.firstResponseMinutes * MINUTE;
  const resolutionDueAt = ticket.createdAt + sla.resolutionMinutes * MINUTE;
  const date = (ms: number | null) => (ms === null ? null : new Date(ms));
  const snapshot = {
    status,
    firstResponseAt: date(firstResponseAt),
    solvedAt: date(solvedAt),
    firstResponseDueAt: new Date(firstResponseDueAt),
    resolutionDueAt: new Date(resolutionDueAt),
  };
  const breaches = slaBreaches(snapshot, new Date(now));
  return {
    status,
    firstResponseAt,
    solvedAt,
    closedAt,
    reopenCount,
    solveCount,
    lastMessageAt,
    updatedAt,
    firstResponseDueAt,
    resolutionDueAt,
    firstResponseBreached: breaches.firstResponse,
    resolutionBreached: breaches.resolution,
    nextDueAt: nextDueAt(snapshot)?.getTime() ?? null,
  };
}
