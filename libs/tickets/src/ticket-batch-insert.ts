import { sql } from 'kysely';
import { Tx, db } from '@staydesk/core';
import { currentTraceCarrier } from '@staydesk/telemetry';
import { sentimentOf } from './sentiment';
import { MOST_SPECIFIC_POLICY, policyMatches } from './tickets.sql';

/** A ticket a customer's mail opens (the e-mail channel: no signed-in actor, no team). */
export interface MailTicketInput {
  requesterId: string;
  customerId: string;
  subject: string;
  /** The first message: what the customer wrote (the shown part of the mail). */
  body: string;
  /** The closed ticket this mail answered (recorded as a `linked_from` history event). */
  linkedFrom?: string | null;
  at?: Date;
}

export interface OpenedMailTicket {
  ticketId: string;
  number: number;
  customerId: string;
  messageId: string;
}

/**
 * Opens the tickets of a batch of inbound mails in ONE statement, with the very rows
 * `TicketsService.openFromMail` writes for each (issue 14): the ticket (status `new`, channel
 * `email`, priority `normal`, its number from `ticket_number_seq`, the SLA policy that applies
 * to its customer's tier and its due times, `next_due_at` as `nextDueAt`), its `created` (and
 * `linked_from`) events, its first customer message with its sentiment, the search vector of
 * subject and message, and the outbox rows `ticket.created` then `ticket.message_added` —
 * per ticket in input order, so ids, numbers and outbox order are what opening them one after
 * another gives. The caller runs the `ticket_created` hooks (automation rules) for each ticket
 * afterwards, in the same transaction, as `openFromMail` does. A `sql` template (CTEs over
 * `unnest`, decision 46) executed on `db(tx)`.
 *
 * Ids and numbers are drawn from the sequences in input order before the inserts (the rows of
 * one statement cannot see each other's generated ids otherwise). The policy is chosen as in
 * `policyFor` / `createContext`; due times are the creation time plus the policy's minutes (a
 * mail's ticket has no team, hence no business-hours calendar).
 */
export async function insertMailTickets(
  tx: Tx,
  items: MailTicketInput[],
): Promise<OpenedMailTicket[]> {
  if (items.length === 0) return [];
  const now = new Date();
  const col = <T>(f: (i: MailTicketInput) => T) => items.map(f);
  // eslint-disable-next-line staydesk/own-tables -- a mail batch's tickets and their outbox events are one statement (decision 52)
  const { rows } = await sql<OpenedMailTicket>`WITH src AS MATERIALIZED (
       SELECT x.ord, x.customer_id, x.requester_id, x.subject, x.body, x.sentiment, x.linked_from,
              x.created_at,
              nextval(pg_get_serial_sequence('tickets', 'id')) AS ticket_id,
              nextval('ticket_number_seq')::int AS number,
              nextval(pg_get_serial_sequence('ticket_messages', 'id')) AS message_id
         FROM unnest(${col((i) => i.customerId)}::bigint[], ${col((i) => i.requesterId)}::bigint[],
                     ${col((i) => i.subject.trim().slice(0, 250) || '(no subject)')}::text[],
                     ${col((i) => i.body)}::text[], ${col((i) => sentimentOf(i.body))}::real[],
                     ${col((i) => i.linkedFrom ?? null)}::bigint[], ${col((i) => i.at ?? now)}::timestamptz[])
              WITH ORDINALITY
              AS x(customer_id, requester_id, subject, body, sentiment, linked_from, created_at, ord)
        ORDER BY x.ord
     ), due AS (
       SELECT src.*, p.id AS sla_policy_id,
              src.created_at + make_interval(mins => p.first_response_minutes) AS fr_due,
              src.created_at + make_interval(mins => p.resolution_minutes) AS res_due
         FROM src JOIN customers c ON c.id = src.customer_id
         LEFT JOIN LATERAL (
           SELECT id, first_response_minutes, resolution_minutes FROM sla_policies
            WHERE ${policyMatches(sql.lit('normal'), sql.lit('email'), sql`c.tier`)}
            ORDER BY ${MOST_SPECIFIC_POLICY}
            LIMIT 1) p ON true
     ), t AS (
       INSERT INTO tickets (id, number, customer_id, requester_id, subject, channel, priority, status,
          assignee_id, team_id, tags, created_by_id, first_response_at, sla_policy_id,
          first_response_due_at, resolution_due_at, next_due_at, created_at, updated_at,
          last_message_at, search)
       OVERRIDING SYSTEM VALUE
       SELECT ticket_id, number, customer_id, requester_id, subject, 'email', 'normal', 'new',
              NULL, NULL, '{}', NULL, NULL, sla_policy_id, fr_due, res_due,
              coalesce(fr_due, res_due), created_at, created_at, created_at,
              to_tsvector('english', subject) || to_tsvector('english', body)
         FROM due ORDER BY ord
       RETURNING id
     ), e AS (
       INSERT INTO ticket_events (ticket_id, actor_id, type, from_value, to_value, created_at)
       SELECT ev.ticket_id, NULL, ev.type, ev.from_value, ev.to_value, ev.created_at
         FROM (SELECT ord, 1 AS k, ticket_id, 'created' AS type, NULL::text AS from_value,
                      'new' AS to_value, created_at FROM src
               UNION ALL
               SELECT ord, 2, ticket_id, 'linked_from', linked_from::text, NULL, created_at
                 FROM src WHERE linked_from IS NOT NULL) ev
        ORDER BY ev.ord, ev.k
     ), m AS (
       INSERT INTO ticket_messages (id, ticket_id, kind, author_user_id, author_contact_id, body,
          sentiment, created_at)
       OVERRIDING SYSTEM VALUE
       SELECT message_id, ticket_id, 'customer_message', NULL, requester_id, body, sentiment,
              created_at
         FROM src ORDER BY ord
     ), o AS (
       INSERT INTO outbox (type, payload, trace_context)
       SELECT ob.type, ob.payload, ${currentTraceCarrier()}::jsonb
         FROM (SELECT ord, 1 AS k, 'ticket.created' AS type,
                      jsonb_build_object('ticketId', ticket_id::text, 'customerId', customer_id::text)
                        AS payload FROM src
               UNION ALL
               SELECT ord, 2, 'ticket.message_added',
                      jsonb_build_object('ticketId', ticket_id::text, 'customerId', customer_id::text,
                                         'messageId', message_id::text, 'kind', 'customer_message')
                 FROM src) ob
        ORDER BY ob.ord, ob.k
     )
     SELECT src.ticket_id::text AS "ticketId", src.number, src.customer_id::text AS "customerId",
            src.message_id::text AS "messageId"
       FROM src ORDER BY src.ord`.execute(db(tx));
  return rows;
}
