import { sql } from 'kysely';
import { DB, Tx, db } from '@staydesk/core';
import { TicketPolicyQueries } from './tickets.repository.policies';

/**
 * The ticket writes other libraries ask for, each in the caller's transaction: merge and split
 * (libs/automations: messages moved between tickets, the merge link, the last message time),
 * custom field values (libs/automations) and mail delivery events (libs/email). Typed builder.
 */
export abstract class TicketMergeQueries extends TicketPolicyQueries {
  /**
   * Moves every message of `sourceId` to `targetId`; each remembers the ticket it first came
   * from. Returns how many moved.
   */
  async moveAllMessages(tx: Tx, sourceId: string, targetId: string): Promise<number> {
    const result = await db(tx)
      .updateTable('ticketMessages')
      .set((eb) => ({
        ticketId: targetId,
        movedFromTicketId: eb.fn.coalesce('ticketMessages.movedFromTicketId', eb.val(sourceId)),
      }))
      .where('ticketMessages.ticketId', '=', sourceId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Moves one message to `toTicketId`; it remembers the ticket it first came from. */
  async moveMessage(
    tx: Tx,
    messageId: string,
    toTicketId: string,
    fromTicketId: string,
  ): Promise<void> {
    await db(tx)
      .updateTable('ticketMessages')
      .set((eb) => ({
        ticketId: toTicketId,
        movedFromTicketId: eb.fn.coalesce('ticketMessages.movedFromTicketId', eb.val(fromTicketId)),
      }))
      .where('ticketMessages.id', '=', messageId)
      .execute();
  }

  /** Links a merged ticket to the ticket it was merged into (`merged_into_id`). */
  async setMergedInto(tx: Tx, sourceId: string, targetId: string): Promise<void> {
    await db(tx)
      .updateTable('tickets')
      .set({ mergedIntoId: targetId })
      .where('tickets.id', '=', sourceId)
      .execute();
  }

  /** `last_message_at` from the ticket's messages (after messages moved in). */
  async refreshLastMessageAt(tx: Tx, ticketId: string): Promise<void> {
    await db(tx)
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

  /**
   * Replaces a ticket's custom field values (jsonb keyed by the fields' snake_case keys, written
   * as JSON text) and moves its version on; the caller locked the ticket.
   */
  async replaceCustomFields(
    tx: Tx,
    ticketId: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    await db(tx)
      .updateTable('tickets')
      .set((eb) => ({
        customFields: JSON.stringify(values),
        version: eb('tickets.version', '+', 1),
        updatedAt: sql<Date>`now()`,
      }))
      .where('tickets.id', '=', ticketId)
      .execute();
  }

  /**
   * A history event by no one (`actor_id` null) at the transaction's time (the column's default),
   * e.g. a reply's mail bounced or refused.
   */
  async insertSystemEvent(
    tx: Tx,
    e: {
      ticketId: string;
      type: DB['ticketEvents']['type'];
      fromValue: string | null;
      toValue: string | null;
    },
  ): Promise<void> {
    await db(tx)
      .insertInto('ticketEvents')
      .values({
        ticketId: e.ticketId,
        actorId: null,
        type: e.type,
        fromValue: e.fromValue,
        toValue: e.toValue,
      })
      .execute();
  }
}
