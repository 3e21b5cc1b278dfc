import type { OutboxRow, TicketChange } from '@staydesk/outbox';

/**
 * A ticket event's team, as far as visibility needs it (`mayReadTicket`): null for a ticket
 * without a team.
 */
export interface LiveTeam {
  id: string;
  isPrivate: boolean;
  leadId: string | null;
}

/**
 * What travels on Redis pub/sub from the worker's outbox relay (after commit) and from
 * `reportPresence` to every api process. A ticket event carries the ticket as the relay read
 * it after the commit and its team's visibility (`ticket`, `team`: one read in the worker
 * instead of one per api process and relayed batch); the api processes filter per subscriber.
 * Without them (an event of an older worker, or a read that failed) each api reads them.
 */
export type LiveEvent =
  | {
      kind: 'ticket';
      /** The outbox row id: unique per event, so a client can drop a duplicate. */
      id: string;
      ticketId: string;
      type: 'created' | 'updated' | 'message';
      changes: TicketChange[];
      messageId?: string;
      messageKind?: string;
      /** The ticket (a TicketRow as JSON: `ticketFromJson`), read after the commit. */
      ticket?: Record<string, unknown>;
      /** Its team's visibility, with `ticket`. */
      team?: LiveTeam | null;
      /** When the relay published it (ms since the epoch), for the bench's commit→delivery figure. */
      publishedAt: number;
    }
  | { kind: 'followup'; id: string; followUpId: string; ownerId: string; publishedAt: number }
  | { kind: 'presence'; ticketId: string };

export const liveChannel = (prefix: string) => `${prefix}:live:events`;

/**
 * A sorted set of the api processes that have ticket subscribers (queue or activity), scored by
 * when each entry expires: the worker reads each event's ticket only while it is not empty.
 */
export const liveReadersKey = (prefix: string) => `${prefix}:live:readers`;

/** The live event of a relayed outbox row, or null for rows nobody subscribes to. */
export function liveEventOf(row: OutboxRow, now = Date.now()): LiveEvent | null {
  const p = row.payload as Record<string, unknown>;
  const changes = (p.changes as TicketChange[] | undefined) ?? [];
  switch (row.type) {
    case 'ticket.created':
      return base(row, 'created', [], now);
    case 'ticket.updated':
      return base(row, 'updated', changes, now);
    case 'ticket.message_added':
      return {
        ...base(row, 'message', changes, now),
        messageId: String(p.messageId),
        messageKind: String(p.kind),
      };
    case 'followup.due':
      return {
        kind: 'followup',
        id: row.id,
        followUpId: String(p.followUpId),
        ownerId: String(p.ownerId),
        publishedAt: now,
      };
    // solves, reopens and assignments also write ticket.updated (with the change); customer and
    // survey events have no subscription
    case 'ticket.solved':
    case 'ticket.assigned':
    case 'ticket.reopened':
    case 'survey.answered':
    case 'customer.status_changed':
    case 'automation.mail_queued':
    case 'user.password_reset_requested':
      return null;
    default: {
      const unreachable: never = row.type;
      return unreachable;
    }
  }
}

function base(
  row: OutboxRow,
  type: 'created' | 'updated' | 'message',
  changes: TicketChange[],
  now: number,
) {
  return {
    kind: 'ticket' as const,
    id: row.id,
    ticketId: String((row.payload as { ticketId: unknown }).ticketId),
    type,
    changes,
    publishedAt: now,
  };
}
