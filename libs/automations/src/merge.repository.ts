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
 * The statements of merge and split (merge.service.ts) that are not the tickets service's own:
 * moving messages and open follow-ups, linking the duplicate. Typed query builder ({@link db})
 * over the caller's transaction; the service keeps the locking and the order of the writes.
 */
@Injectable()
export class MergeRepository {
  /**
   * Moves every message of `sourceId` to `targetId`; each remembers the ticket it first came
   * from. Returns how many moved.
   */
  async moveMessages(tx: Tx, sourceId: string, targetId: string): Promise<number> {
    const result = await db(tx)
      // eslint-disable-next-line staydesk/own-tables -- to move behind libs/tickets (issue 21: a library writes only its own tables; listed in decision 59)
      .updateTable('ticketMessages')
      .set((eb) => ({
        ticketId: targetId,
        movedFromTicketId: eb.fn.coalesce('ticketMessages.movedFromTicketId', eb.val(sourceId)),
      }))
      .where('ticketMessages.ticketId', '=', sourceId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Open follow-ups about the duplicate now concern the ticket that stays. */
  async moveOpenFollowUps(tx: Tx, sourceId: string, targetId: string): Promise<void> {
    await db(tx)
      // eslint-disable-next-line staydesk/own-tables -- to move behind libs/followups (issue 21: a library writes only its own tables; listed in decision 59)
      .updateTable('followUps')
      .set({ ticketId: targetId })
      .where('followUps.ticketId', '=', sourceId)
      .where('followUps.status', '=', 'open')
      .execute();
  }

  async setMergedInto(tx: Tx, sourceId: string, targetId: string): Promise<void> {
    await db(tx)
      // eslint-disable-next-line staydesk/own-tables -- to move behind libs/tickets (issue 21: a library writes only its own tables; listed in decision 59)
      .updateTable('tickets')
      .set({ mergedIntoId: targetId })
      .where('tickets.id', '=', sourceId)
      .execute();
  }

  /** `last_message_at` from the ticket's messages (after messages moved in). */
  async refreshLastMessageAt(tx: Tx, ticketId: string): Promise<void> {
    await db(tx)
      // eslint-disable-next-line staydesk/own-tables -- to move behind libs/tickets (issue 21: a library writes only its own tables; listed in decision 59)
      .updateTable('tickets')
      .set((eb) => ({
        lastMessageAt: eb
          .selectFrom('ticketMessages')
          .select((e) => e.fn.max('ticketMessages.createdAt').as('latest'))
          .where('ticketMessages.ticketId', '=', ticketId)
          .$asScalar(),
      }))
      .where('tickets.id', '=', ticketId)
      .execute();
  }

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

  /** Moves one message into the ticket split off; it remembers the ticket it first came from. */
  async moveMessage(
    tx: Tx,
    messageId: string,
    toTicketId: string,
    fromTicketId: string,
  ): Promise<void> {
    await db(tx)
      // eslint-disable-next-line staydesk/own-tables -- to move behind libs/tickets (issue 21: a library writes only its own tables; listed in decision 59)
      .updateTable('ticketMessages')
      .set((eb) => ({
        ticketId: toTicketId,
        movedFromTicketId: eb.fn.coalesce('ticketMessages.movedFromTicketId', eb.val(fromTicketId)),
      }))
      .where('ticketMessages.id', '=', messageId)
      .execute();
  }
}
