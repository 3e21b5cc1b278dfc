import { Injectable } from '@nestjs/common';
import { Tx, returnedRows } from '@staydesk/core';

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

const COLUMNS = `a.id::text, a.sha256, a.size, a.content_type AS "contentType", a.declared_type AS "declaredType",
  a.filename, a.ticket_message_id::text AS "ticketMessageId", a.uploaded_by_id::text AS "uploadedById",
  a.created_at AS "createdAt"`;

@Injectable()
export class AttachmentsRepository {
  async insert(tx: Tx, a: Omit<AttachmentRow, 'id' | 'createdAt'>): Promise<AttachmentRow> {
    const rows: AttachmentRow[] = await tx.query(
      `INSERT INTO attachments AS a (sha256, size, content_type, declared_type, filename, ticket_message_id, uploaded_by_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [
        a.sha256,
        a.size,
        a.contentType,
        a.declaredType,
        a.filename,
        a.ticketMessageId,
        a.uploadedById,
      ],
    );
    return rows[0];
  }

  async byMessageIds(tx: Tx, ids: readonly string[]): Promise<AttachmentRow[]> {
    return tx.query(
      `SELECT ${COLUMNS} FROM attachments a WHERE a.ticket_message_id = ANY($1::bigint[]) ORDER BY a.id`,
      [ids],
    );
  }

  async forAccess(tx: Tx, id: string): Promise<AttachmentAccessRow | null> {
    const rows: AttachmentAccessRow[] = await tx.query(
      `SELECT ${COLUMNS}, m.kind AS "messageKind", m.ticket_id::text AS "ticketId", t.team_id::text AS "teamId"
         FROM attachments a
         LEFT JOIN ticket_messages m ON m.id = a.ticket_message_id
         LEFT JOIN tickets t ON t.id = m.ticket_id
        WHERE a.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Attaches a user's unlinked uploads to a message; returns the ids it linked. */
  async link(tx: Tx, ids: string[], messageId: string, userId: string): Promise<string[]> {
    const rows = returnedRows<{ id: string }>(
      await tx.query(
        `UPDATE attachments SET ticket_message_id = $2
          WHERE id = ANY($1::bigint[]) AND uploaded_by_id = $3 AND ticket_message_id IS NULL
          RETURNING id::text`,
        [ids, messageId, userId],
      ),
    );
    return rows.map((r) => r.id);
  }
}
