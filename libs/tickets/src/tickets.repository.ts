import { Injectable } from '@nestjs/common';
import { Tx } from '@staydesk/core';
import {
  EVENT_COLUMNS,
  EventRow,
  MESSAGE_COLUMNS,
  MessageRow,
  ORDERINGS,
  TICKET_COLUMNS,
  TicketFilter,
  TicketOrder,
  TicketRelations,
  TicketRow,
  filterWhere,
  relationColumns,
} from './tickets.sql';
import { TicketPolicyQueries } from './tickets.repository.policies';

export type {
  TicketRow,
  MessageRow,
  EventRow,
  SlaPolicyRow,
  TicketOrder,
  TicketFilter,
  TicketCursor,
  TicketRelations,
  TicketWithRelations,
} from './tickets.sql';
export { ticketKeyset, MESSAGE_KEYSET, ticketSortKey, ticketKeySearch } from './tickets.sql';

/**
 * SQL of tickets, messages, history and SLA policies. Built in layers, one file each:
 * tickets.repository.writes.ts, tickets.repository.policies.ts, and the reads here.
 */
@Injectable()
export class TicketsRepository extends TicketPolicyQueries {
  async byIds(tx: Tx, ids: readonly string[]): Promise<TicketRow[]> {
    return tx.query(`SELECT ${TICKET_COLUMNS} FROM tickets t WHERE t.id = ANY($1::bigint[])`, [
      ids,
    ]);
  }

  async byNumber(tx: Tx, number: number): Promise<TicketRow | undefined> {
    const rows: TicketRow[] = await tx.query(
      `SELECT ${TICKET_COLUMNS} FROM tickets t WHERE t.number = $1`,
      [number],
    );
    return rows[0];
  }

  /** Ids of solved tickets solved before `before` (auto-close), oldest first. */
  async solvedBefore(tx: Tx, before: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(
      `SELECT id::text FROM tickets WHERE status = 'solved' AND solved_at < $1
        ORDER BY solved_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [before, limit],
    );
    return rows.map((r) => r.id);
  }

  async lockById(tx: Tx, id: string): Promise<TicketRow | null> {
    const rows: TicketRow[] = await tx.query(
      `SELECT ${TICKET_COLUMNS} FROM tickets t WHERE t.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  async list(
    tx: Tx,
    f: TicketFilter,
    order: TicketOrder,
    after: [string | number, string] | null,
    limit: number,
    include: TicketRelations = {},
  ) {
    const o = ORDERINGS[order];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = filterWhere(f, p);
    if (after) where.push(o.keyset.predicate([o.key, 't.id'], o.cmp, after, p));
    return tx.query(
      `SELECT ${TICKET_COLUMNS}${relationColumns(include)} FROM tickets t
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${o.order} LIMIT ${p(limit)}`,
      params,
    ) as Promise<TicketRow[]>;
  }

  /**
   * Matching tickets, counted up to `cap` (the same conditions as `list`): the queue's totalCount
   * and saved views' counts, so a broad filter stays cheap.
   */
  async count(tx: Tx, f: TicketFilter, cap: number): Promise<number> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = filterWhere(f, p);
    const rows: { n: number }[] = await tx.query(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM tickets t
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} LIMIT ${p(cap)}) capped`,
      params,
    );
    return rows[0].n;
  }

  async lastMessages(
    tx: Tx,
    ticketIds: readonly string[],
    includeNotes: boolean,
  ): Promise<MessageRow[]> {
    return tx.query(
      `SELECT DISTINCT ON (m.ticket_id) ${MESSAGE_COLUMNS}
         FROM ticket_messages m
        WHERE m.ticket_id = ANY($1::bigint[]) AND ($2 OR m.kind <> 'internal_note')
        ORDER BY m.ticket_id, m.created_at DESC, m.id DESC`,
      [ticketIds, includeNotes],
    );
  }

  async messages(
    tx: Tx,
    ticketId: string,
    after: string | null,
    limit: number,
    includeNotes = true,
  ): Promise<MessageRow[]> {
    return tx.query(
      `SELECT ${MESSAGE_COLUMNS} FROM ticket_messages m
        WHERE m.ticket_id = $1 AND ($2::bigint IS NULL OR m.id > $2) AND ($4 OR m.kind <> 'internal_note')
        ORDER BY m.id ASC LIMIT $3`,
      [ticketId, after, limit, includeNotes],
    );
  }

  async events(tx: Tx, ticketIds: readonly string[]): Promise<EventRow[]> {
    return tx.query(
      `SELECT ${EVENT_COLUMNS} FROM ticket_events e WHERE e.ticket_id = ANY($1::bigint[]) ORDER BY e.id`,
      [ticketIds],
    );
  }

  async countOpenByCustomer(
    tx: Tx,
    customerIds: readonly string[],
  ): Promise<{ customerId: string; n: number }[]> {
    return tx.query(
      `SELECT customer_id::text AS "customerId", count(*)::int AS n FROM tickets
        WHERE customer_id = ANY($1::bigint[]) AND status NOT IN ('solved', 'closed')
        GROUP BY customer_id`,
      [customerIds],
    );
  }
}
