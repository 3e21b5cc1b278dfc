import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Tx, db } from '@staydesk/core';

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

/** `= any($1::bigint[])`: one array parameter however many ids. */
const anyId = (ids: readonly string[]) => sql<string>`any(${[...ids]}::bigint[])`;

/**
 * Reads everything stored about a contact, and anonymises it, set-based (one statement per
 * table). The erasure keeps rows and their timestamps, ids, kinds, scores and sentiment, so KPIs
 * and history stay correct, and removes what identifies or describes the person.
 *
 * Written with the typed query builder ({@link db}); the preview's counting statement is a typed
 * SQL template. Tables and columns are checked against the migrated schema (`db.generated.ts`).
 */
@Injectable()
export class PrivacyRepository {
  async lockContact(
    tx: Tx,
    id: string,
  ): Promise<{ id: string; customerId: string; erasedAt: Date | null } | null> {
    const row = await db(tx)
      .selectFrom('contacts')
      .select(['contacts.id', 'contacts.customerId', 'contacts.erasedAt'])
      .where('contacts.id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row ?? null;
  }

  async exportData(tx: Tx, id: string): Promise<Record<string, unknown>> {
    const k = db(tx);
    const contact = await k
      .selectFrom('contacts as c')
      .innerJoin('customers as cu', 'cu.id', 'c.customerId')
      .select((eb) => [
        'c.id',
        'c.name',
        'c.email',
        'c.phone',
        'c.surveyOptOut',
        'c.createdAt',
        'c.updatedAt',
        'c.erasedAt',
        sql<{
          id: string;
          name: string;
        }>`json_build_object('id', ${eb.ref('cu.id')}::text, 'name', ${eb.ref('cu.name')})`.as(
          'customer',
        ),
      ])
      .where('c.id', '=', id)
      .executeTakeFirst();
    const tickets = await k
      .selectFrom('tickets as t')
      .select([
        't.id',
        't.subject',
        't.channel',
        't.priority',
        't.status',
        't.createdAt',
        't.solvedAt',
        't.closedAt',
      ])
      .where('t.requesterId', '=', id)
      .orderBy('t.id')
      .execute();
    // what they wrote anywhere, and what staff wrote to them (public replies on their tickets);
    // internal notes are staff's own records and are not part of the export
    const messages = await k
      .selectFrom('ticketMessages as m')
      .innerJoin('tickets as t', 't.id', 'm.ticketId')
      .select(['m.id', 'm.ticketId', 'm.kind', 'm.body', 'm.createdAt'])
      .where((eb) =>
        eb.or([
          eb('m.authorContactId', '=', id),
          eb.and([eb('t.requesterId', '=', id), eb('m.kind', '=', 'public_reply')]),
        ]),
      )
      .orderBy('m.id')
      .execute();
    const surveys = await k
      .selectFrom('surveys as s')
      .select([
        's.id',
        's.kind',
        's.ticketId',
        's.period',
        's.sentAt',
        's.remindedAt',
        's.respondedAt',
        's.score',
        's.cesScore',
        's.comment',
      ])
      .where('s.contactId', '=', id)
      .orderBy('s.id')
      .execute();
    return { contact: contact ?? null, tickets, messages, surveys };
  }

  /** What {@link erase} would change, counted with the same conditions, in one statement. */
  async erasurePreview(tx: Tx, id: string): Promise<ErasurePreviewRow | null> {
    const { rows } = await sql<ErasurePreviewRow>`
      WITH t AS (SELECT id FROM tickets WHERE requester_id = ${id})
      SELECT c.id::text AS "contactId", c.name, c.email, cu.name AS "customerName",
             c.erased_at AS "erasedAt",
             (SELECT count(*)::int FROM t) AS "ticketsErased",
             (SELECT count(*)::int FROM ticket_messages m
               WHERE (m.author_contact_id = ${id} OR m.ticket_id IN (SELECT id FROM t))
                 AND m.body <> ${ERASED}) AS "messagesErased",
             (SELECT count(*)::int FROM surveys s WHERE s.contact_id = ${id}) AS "surveysDetached",
             (SELECT count(*)::int FROM follow_ups f
               WHERE f.ticket_id IN (SELECT id FROM t)
                 AND (f.note IS NOT NULL OR f.outcome IS NOT NULL)) AS "followUpsErased"
        FROM contacts c JOIN customers cu ON cu.id = c.customer_id
       WHERE c.id = ${id}`.execute(db(tx));
    return rows[0] ?? null;
  }

  async erase(tx: Tx, id: string): Promise<ErasureCounts> {
    const k = db(tx);
    await k
      // eslint-disable-next-line staydesk/own-tables -- erasure reaches every copy of a person's data in one transaction; privacy is the one place that lists them (docs/privacy.md)
      .updateTable('contacts')
      .set((eb) => ({
        name: 'Erased contact',
        email: sql<string>`'erased-' || ${eb.ref('contacts.id')} || '@erased.invalid'`,
        phone: null,
        surveyOptOut: true,
        erasedAt: sql<Date>`now()`,
        updatedAt: sql<Date>`now()`,
      }))
      .where('contacts.id', '=', id)
      .execute();
    const tickets = await k
      // eslint-disable-next-line staydesk/own-tables -- erasure reaches every copy of a person's data in one transaction; privacy is the one place that lists them (docs/privacy.md)
      .updateTable('tickets')
      .set({
        subject: ERASED,
        search: sql<string>`''::tsvector`,
        publicSearch: null,
        updatedAt: sql<Date>`now()`,
      })
      .where('tickets.requesterId', '=', id)
      .returning('tickets.id')
      .execute();
    const ticketIds = tickets.map((t) => t.id);
    const messages = await k
      // eslint-disable-next-line staydesk/own-tables -- erasure reaches every copy of a person's data in one transaction; privacy is the one place that lists them (docs/privacy.md)
      .updateTable('ticketMessages')
      .set({ body: ERASED })
      .where((eb) =>
        eb.or([
          eb('ticketMessages.authorContactId', '=', id),
          eb('ticketMessages.ticketId', '=', anyId(ticketIds)),
        ]),
      )
      .where('ticketMessages.body', '<>', ERASED)
      .returning('ticketMessages.id')
      .execute();
    const followUps = await k
      // eslint-disable-next-line staydesk/own-tables -- erasure reaches every copy of a person's data in one transaction; privacy is the one place that lists them (docs/privacy.md)
      .updateTable('followUps')
      .set((eb) => ({
        note: sql<
          string | null
        >`CASE WHEN ${eb.ref('followUps.note')} IS NULL THEN NULL ELSE ${ERASED} END`,
        outcome: sql<
          string | null
        >`CASE WHEN ${eb.ref('followUps.outcome')} IS NULL THEN NULL ELSE ${ERASED} END`,
      }))
      .where('followUps.ticketId', '=', anyId(ticketIds))
      .where((eb) =>
        eb.or([eb('followUps.note', 'is not', null), eb('followUps.outcome', 'is not', null)]),
      )
      .returning('followUps.id')
      .execute();
    // detached: scores stay for the KPIs, the link to the person, the comment and the page go
    const surveys = await k
      // eslint-disable-next-line staydesk/own-tables -- erasure reaches every copy of a person's data in one transaction; privacy is the one place that lists them (docs/privacy.md)
      .updateTable('surveys')
      .set((eb) => ({
        contactId: null,
        comment: null,
        formNonce: null,
        expiresAt: sql<Date>`least(${eb.ref('surveys.expiresAt')}, now())`,
      }))
      .where('surveys.contactId', '=', id)
      .returning('surveys.id')
      .execute();
    // earlier audit entries about this contact may hold its old name or e-mail in details
    await k
      // eslint-disable-next-line staydesk/own-tables -- erasure reaches every copy of a person's data in one transaction; privacy is the one place that lists them (docs/privacy.md)
      .updateTable('auditLog')
      .set({ details: null })
      .where('auditLog.entity', '=', 'contact')
      .where('auditLog.entityId', '=', id)
      .execute();
    return {
      ticketsErased: ticketIds.length,
      messagesErased: messages.length,
      surveysDetached: surveys.length,
      followUpsErased: followUps.length,
    };
  }
}
