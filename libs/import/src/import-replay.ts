import { Channel, Priority, TicketStatus } from '@staydesk/tickets';
import type { EventRecord, ImportedEvent, TicketImport, UserDirectory } from './import-records';
import { withHash } from './import-records';

/**
 * Rebuilds one ticket from its case's events, in time order: the first event creates it; agent
 * replies set the first response (and open a new ticket); customer replies wake pending,
 * on-hold and solved tickets; status activities move it. Leaving solved or closed for an
 * unsolved status is a reopen; closing an unsolved ticket solves it first (resolution time is
 * measured to that moment). Nothing in a historic log is refused as a "wrong" move.
 */
export function replayCase(
  caseId: string,
  rows: Omit<EventRecord, 'line' | 'caseId'>[],
  users: UserDirectory,
): TicketImport {
  let status: TicketStatus | null = null;
  let createdAt = 0;
  let firstResponseAt: number | null = null;
  let solvedAt: number | null = null;
  let closedAt: number | null = null;
  let reopenCount = 0;
  let solveCount = 0;
  const events: ImportedEvent[] = [];
  let subject: string | null = null;
  let channel: Channel | null = null;
  let priority: Priority | null = null;
  let requester: string | null = null;
  let customerName: string | null = null;
  const customFields: Record<string, string> = {};
  const actorOf = (a: string | null) => (a ? (users.get(a.toLowerCase()) ?? null) : null);
  // the earliest opened_at of the case, if the log has that column
  let openedAt: number | null = null;
  for (const r of rows) {
    if (r.openedAt != null && (openedAt === null || r.openedAt < openedAt)) openedAt = r.openedAt;
  }

  const move = (to: TicketStatus, at: number, actorId: string | null) => {
    if (to === status) return;
    const from = status as TicketStatus;
    const done = from === 'solved' || from === 'closed';
    if (done && to !== 'solved' && to !== 'closed') {
      reopenCount += 1;
      closedAt = null;
    }
    if (to === 'closed' && from !== 'solved') move('solved', at, actorId);
    if (to === 'solved') {
      solvedAt = at;
      solveCount += 1;
    }
    if (to === 'closed') closedAt = at;
    events.push({ type: 'status_changed', from: status, to, at: new Date(at), actorId });
    status = to;
  };

  for (const r of rows) {
    const actorId = actorOf(r.actor);
    subject = r.subject ?? subject;
    channel = r.channel ?? channel;
    priority = r.priority ?? priority;
    requester = r.requester ?? requester;
    customerName = customerName ?? r.customerName;
    if (r.extra) Object.assign(customFields, r.extra);
    if (status === null) {
      // the first event of any kind (ignored activities too) creates the ticket, unless
      // opened_at says it was opened earlier
      status = 'new';
      createdAt = openedAt !== null && openedAt < r.at ? openedAt : r.at;
      events.push({ type: 'created', from: null, to: 'new', at: new Date(createdAt), actorId });
      if (r.effect === 'created') continue;
    }
    const current = status as TicketStatus;
    switch (r.effect) {
      case 'created':
      case 'ignore':
        break;
      case 'agent_reply':
        if (firstResponseAt === null) {
          firstResponseAt = r.at;
          events.push({
            type: 'first_response',
            from: null,
            to: null,
            at: new Date(r.at),
            actorId,
          });
        }
        if (current === 'new') move('open', r.at, actorId);
        break;
      case 'customer_reply':
        if (current !== 'new' && current !== 'open') move('open', r.at, actorId);
        break;
      default:
        move(r.effect, r.at, actorId);
    }
  }
  return withHash({
    externalId: caseId,
    customer: rows[0].customer,
    customerName,
    requesterEmail: requester,
    requesterName: null,
    subject: subject ?? `Imported case ${caseId}`,
    channel: channel ?? 'email',
    priority: priority ?? 'normal',
    status: status ?? 'new',
    createdAt: new Date(createdAt),
    firstResponseAt: firstResponseAt === null ? null : new Date(firstResponseAt),
    solvedAt: solvedAt === null ? null : new Date(solvedAt),
    closedAt: closedAt === null ? null : new Date(closedAt),
    reopenCount,
    solveCount,
    assigneeId: null,
    tags: [],
    customFields,
    satisfaction: null,
    events,
    rows: rows.filter((r) => r.effect !== 'ignore').length,
    startedSolved:
      (rows[0]?.effect === 'solved' || rows[0]?.effect === 'closed') && createdAt === rows[0].at,
  });
}
