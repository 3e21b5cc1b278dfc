import { Injectable } from '@nestjs/common';
import { Tx, db } from '@staydesk/core';

/** A message as a split needs it: its kind, its author and how many public messages its ticket has. */
export interface SplitMessageRow {
  id: string;
  kind: 'public_reply' | 'internal_note' | 'customer_message';
  authorContactId: string | null;
  /** The ticket's messages other than internal notes. */
  n: number;
}

/**
 * The read of split (merge.service.ts) that is not the tickets service's own: the message to move
 * with its ticket's count. The writes of merge and split are the tickets' and follow-ups' owners'
 * (libs/tickets, libs/followups), run in the caller's transaction.
 */
@Injectable()
export class MergeRepository {
  /** A message of the ticket, with the number of the ticket's non-note messages; null if not there. */
  async splitMessage(tx: Tx, ticketId: string, messageId: string): Promise<SplitMessageRow | null> {
    const row = await db(tx)
      .selectFrom('ticketMessages as m')
      .select((eb) => [
        'm.id',
        'm.kind',
        'm.authorContactId',
        eb
          .selectFrom('ticketMessages as x')
          .select((e) => e.fn.countAll<string>().as('n'))
          .whereRef('x.ticketId', '=', 'm.ticketId')
          .where('x.kind', '<>', 'internal_note')
          .as('n'),
      ])
      .where('m.id', '=', messageId)
      .where('m.ticketId', '=', ticketId)
      .executeTakeFirst();
    return row ? { ...row, n: Number(row.n) } : null;
  }
}
