import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Tx, db } from '@staydesk/core';

export interface AttachmentRow {
  id: string;
  sha256: string;
  size: number;
  contentType: string;
  declaredType: string | null;
  filename: string;
  ticketMessageId: string | null;
  uploadedById: string | null;
  createdAt: Date;
}

/** What a download needs to decide access: the message's kind and the ticket's team. */
export interface AttachmentAccessRow extends AttachmentRow {
  messageKind: string | null;
  ticketId: string | null;
  teamId: string | null;
}

/** The columns of an {@link AttachmentRow}; qualified, so they also serve RETURNING and joins. */
const COLUMNS = [
  'attachments.id',
  'attachments.sha256',
  'attachments.size',
  'attachments.contentType',
  'attachments.declaredType',
  'attachments.filename',
  'attachments.ticketMessageId',
  'attachments.uploadedById',
  'attachments.createdAt',
] as const;

/** `= any($1::bigint[])`: one array parameter however many ids (DataLoader batches). */
const anyId = (ids: readonly string[]) => sql<string>`any(${[...ids]}::bigint[])`;

/**
 * SQL for attachments, written with the typed query builder ({@link db}): tables and columns are
 * checked against the migrated schema (`db.generated.ts`), results against the row types.
 */
@Injectable()
export class AttachmentsRepository {
  async insert(tx: Tx, a: Omit<AttachmentRow, 'id' | 'createdAt'>): Promise<AttachmentRow> {
    return db(tx)
      .insertInto('attachments')
      .values({
        sha256: a.sha256,
        size: a.size,
        contentType: a.contentType,
        declaredType: a.declaredType,
        filename: a.filename,
        ticketMessageId: a.ticketMessageId,
        uploadedById: a.uploadedById,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
  }

  async byMessageIds(tx: Tx, ids: readonly string[]): Promise<AttachmentRow[]> {
    return db(tx)
      .selectFrom('attachments')
      .select(COLUMNS)
      .where('attachments.ticketMessageId', '=', anyId(ids))
      .orderBy('attachments.id')
      .execute();
  }

  async forAccess(tx: Tx, id: string): Promise<AttachmentAccessRow | null> {
    const row = await db(tx)
      .selectFrom('attachments')
      .leftJoin('ticketMessages', 'ticketMessages.id', 'attachments.ticketMessageId')
      .leftJoin('tickets', 'tickets.id', 'ticketMessages.ticketId')
      .select(COLUMNS)
      .select([
        'ticketMessages.kind as messageKind',
        'ticketMessages.ticketId as ticketId',
        'tickets.teamId as teamId',
      ])
      .where('attachments.id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Attaches a user's unlinked uploads to a message; returns the ids it linked. */
  async link(tx: Tx, ids: string[], messageId: string, userId: string): Promise<string[]> {
    const rows = await db(tx)
      .updateTable('attachments')
      .set({ ticketMessageId: messageId })
      .where('attachments.id', '=', anyId(ids))
      .where('attachments.uploadedById', '=', userId)
      .where('attachments.ticketMessageId', 'is', null)
      .returning('attachments.id')
      .execute();
    return rows.map((r) => r.id);
  }
}
