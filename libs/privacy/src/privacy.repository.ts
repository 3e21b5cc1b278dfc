import { Injectable } from '@nestjs/common';
import { Tx, returnedRows } from '@staydesk/core';

export const ERASED = '[erased]';

export interface ErasureCounts {
  ticketsErased: number;
  messagesErased: number;
  surveysDetached: number;
  followUpsErased: number;
}

export interface ErasurePreviewRow extends ErasureCounts {
  contactId: string;
  name: string;
  email: string;
  customerName: string;
  erasedAt: Date | null;
}

const one = async <T>(tx: Tx, sql: string, params: unknown[]): Promise<T[]> =>
  (await tx.query(sql, params)) as T[];

/**
 * Reads everything stored about a contact, and anonymises it, set-based (one statement per
 * table). The erasure keeps rows and their timestamps, ids, kinds, scores and sentiment, so KPIs
 * and history stay correct, and removes what identifies or describes the person.
 */
@Injectable()
export class PrivacyRepository {
  async lockContact(
    tx: Tx,
    id: string,
  ): Promise<{ id: string; customerId: string; erasedAt: Date | null } | null> {
    const rows = await one<{ id: string; customerId: string; erasedAt: Date | null }>(
      tx,
      `SELECT id::text, customer_id::text AS "customerId", erased_at AS "erasedAt"
         FROM contacts WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  async exportData(tx: Tx, id: string): Promise<Record<string, unknown>> {
    const [contact] = await one<Record<string, unknown>>(
      tx,
      `SELECT c.id::text, c.name, c.email, c.phone, c.survey_opt_out AS "surveyOptOut",
              c.created_at AS "createdAt", c.updated_at AS "updatedAt", c.erased_at AS "erasedAt",
              json_build_object('id', cu.id::text, 'name', cu.name) AS customer
         FROM contacts c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = $1`,
      [id],
    );
    const tickets = await one(
      tx,
      `SELECT t.id::text, t.subject, t.channel, t.priority, t.status, t.created_at AS "createdAt",
              t.solved_at AS "solvedAt", t.closed_at AS "closedAt"
         FROM tickets t WHERE t.requester_id = $1 ORDER BY t.id`,
      [id],
    );
    // what they wrote anywhere, and what staff wrote to them (public replies on their tickets);
    // internal notes are staff's own records and are not part of the export
    const messages = await one(
      tx,
      `SELECT m.id::text, m.ticket_id::text AS "ticketId", m.kind, m.body, m.created_at AS "createdAt"
         FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
        WHERE m.author_contact_id = $1 OR (t.requester_id = $1 AND m.kind = 'public_reply')
        ORDER BY m.id`,
      [id],
    );
    const surveys = await one(
      tx,
      `SELECT s.id::text, s.kind, s.ticket_id::text AS "ticketId", s.period, s.sent_at AS "sentAt",
              s.reminded_at AS "remindedAt", s.responded_at AS "respondedAt", s.score,
              s.ces_score AS "cesScore", s.comment
         FROM surveys s WHERE s.contact_id = $1 ORDER BY s.id`,
      [id],
    );
    return { contact: contact ?? null, tickets, messages, surveys };
  }

  /** What {@link erase} would change, counted with the same conditions, in one statement. */
  async erasurePreview(tx: Tx, id: string): Promise<ErasurePreviewRow | null> {
    const rows = await one<ErasurePreviewRow>(
      tx,
      `WITH t AS (SELECT id FROM tickets WHERE requester_id = $1)
       SELECT c.id::text AS "contactId", c.name, c.email, cu.name AS "customerName",
              c.erased_at AS "erasedAt",
              (SELECT count(*)::int FROM t) AS "ticketsErased",
              (SELECT count(*)::int FROM ticket_messages m
                WHERE (m.author_contact_id = $1 OR m.ticket_id IN (SELECT id FROM t))
                  AND m.body <> $2) AS "messagesErased",
              (SELECT count(*)::int FROM surveys s WHERE s.contact_id = $1) AS "surveysDetached",
              (SELECT count(*)::int FROM follow_ups f
                WHERE f.ticket_id IN (SELECT id FROM t)
                  AND (f.note IS NOT NULL OR f.outcome IS NOT NULL)) AS "followUpsErased"
         FROM contacts c JOIN customers cu ON cu.id = c.customer_id
        WHERE c.id = $1`,
      [id, ERASED],
    );
    return rows[0] ?? null;
  }

  async erase(tx: Tx, id: string): Promise<ErasureCounts> {
    await tx.query(
      `UPDATE contacts
          SET name = 'Erased contact', email = 'erased-' || id || '@erased.invalid', phone = NULL,
              survey_opt_out = true, erased_at = now(), updated_at = now()
        WHERE id = $1`,
      [id],
    );
    const tickets = returnedRows<{ id: string }>(
      await tx.query(
        `UPDATE tickets SET subject = $2, search = ''::tsvector, public_search = NULL, updated_at = now()
        WHERE requester_id = $1 RETURNING id::text`,
        [id, ERASED],
      ),
    );
    const ticketIds = tickets.map((t) => t.id);
    const messages = returnedRows(
      await tx.query(
        `UPDATE ticket_messages SET body = $3
        WHERE (author_contact_id = $1 OR ticket_id = ANY($2::bigint[])) AND body <> $3
        RETURNING id`,
        [id, ticketIds, ERASED],
      ),
    );
    const followUps = returnedRows(
      await tx.query(
        `UPDATE follow_ups
          SET note = CASE WHEN note IS NULL THEN NULL ELSE $2 END,
              outcome = CASE WHEN outcome IS NULL THEN NULL ELSE $2 END
        WHERE ticket_id = ANY($1::bigint[]) AND (note IS NOT NULL OR outcome IS NOT NULL)
        RETURNING id`,
        [ticketIds, ERASED],
      ),
    );
    // detached: scores stay for the KPIs, the link to the person, the comment and the page go
    const surveys = returnedRows(
      await tx.query(
        `UPDATE surveys
          SET contact_id = NULL, comment = NULL, form_nonce = NULL, expires_at = least(expires_at, now())
        WHERE contact_id = $1 RETURNING id`,
        [id],
      ),
    );
    // earlier audit entries about this contact may hold its old name or e-mail in details
    await tx.query(
      `UPDATE audit_log SET details = NULL WHERE entity = 'contact' AND entity_id = $1`,
      [id],
    );
    return {
      ticketsErased: ticketIds.length,
      messagesErased: messages.length,
      surveysDetached: surveys.length,
      followUpsErased: followUps.length,
    };
  }
}
