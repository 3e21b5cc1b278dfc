import { Injectable } from '@nestjs/common';
import { CompiledQuery, sql } from 'kysely';
import { Tx, compileOnly, db, named, withParameters } from '@staydesk/core';
import {
  E,
  EVENT_COLUMNS,
  EventRow,
  M,
  MESSAGE_COLUMNS,
  MessageRow,
  T,
  TICKET_COLUMNS,
  TicketFilter,
  TicketOrder,
  TicketRelations,
  TicketRow,
  TicketWithRelations,
  toTicket,
} from './tickets.sql';
import { ORDERINGS, afterCursor, filterWhere, relationColumns } from './tickets.queue-sql';
import {
  PageRecord,
  QueueSelection,
  pageJsonColumns,
  pageStatement,
  pageTicketColumns,
  selectionKey,
} from './tickets.queue-page';
import { TicketMergeQueries } from './tickets.repository.merge';

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
export { ticketKeyset, MESSAGE_KEYSET, ticketSortKey, ticketKeySearch } from './tickets.queue-sql';

/** First-page statements of the queue, compiled, by order, size, selection and filter. */
const PAGE_STATEMENTS = new Map<string, CompiledQuery>();
/** Distinct first pages kept (filters differ per team, view and, for non-admins, per viewer). */
const PAGE_STATEMENTS_KEPT = 500;
/** Longest key kept (a long search text is compiled each time instead). */
const MAX_PAGE_KEY = 2_000;

/**
 * `byIds` runs for every ticket a DataLoader or a live event reads (each api process reads the
 * ticket of every live event), so it is built and compiled once and run with new parameters
 * (decision 61: compiling costs far more CPU than sending), as a named prepared statement
 * (decision 76: PostgreSQL parses and plans it once per connection).
 */
const TICKETS_BY_IDS = named(
  'tickets_by_ids',
  compileOnly
    .selectFrom('tickets as t')
    .select(TICKET_COLUMNS)
    .where(sql<boolean>`${T('id')} = ANY(${[]}::bigint[])`)
    .compile(),
);

/**
 * SQL of tickets, messages, history and SLA policies. Built in layers, one file each:
 * tickets.repository.writes.ts, tickets.repository.policies.ts, tickets.repository.merge.ts (the
 * writes other libraries ask for) and the reads here. CRUD and
 * lists are Kysely over `db(tx)`; the set-based statements are `sql<Row>` templates executed on
 * `db(tx)`; both take their columns from typed references checked against db.generated.ts
 * (tickets.sql.ts), so a renamed column fails the typecheck (decision 46).
 */
@Injectable()
export class TicketsRepository extends TicketMergeQueries {
  private tickets(tx: Tx) {
    return db(tx).selectFrom('tickets as t').select(TICKET_COLUMNS);
  }

  /** Tickets by id (compiled once, {@link TICKETS_BY_IDS}). */
  async byIds(tx: Tx, ids: readonly string[]): Promise<TicketRow[]> {
    const { rows } = await db(tx).executeQuery(withParameters(TICKETS_BY_IDS, [[...ids]]));
    return rows.map(toTicket);
  }

  async byNumber(tx: Tx, number: number): Promise<TicketRow | undefined> {
    const row = await this.tickets(tx).where('t.number', '=', number).executeTakeFirst();
    return row && toTicket(row);
  }

  /** Ids of solved tickets solved before `before` (auto-close), oldest first. */
  async solvedBefore(tx: Tx, before: Date, limit: number): Promise<string[]> {
    const rows = await db(tx)
      .selectFrom('tickets')
      .select('tickets.id')
      .where('tickets.status', '=', sql.lit('solved'))
      .where('tickets.solvedAt', '<', before)
      .orderBy('tickets.solvedAt')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    return rows.map((r) => r.id);
  }

  async lockById(tx: Tx, id: string): Promise<TicketRow | null> {
    const row = await this.tickets(tx).where('t.id', '=', id).forUpdate().executeTakeFirst();
    return row ? toTicket(row) : null;
  }

  /** A page of tickets in `order`, strictly after the keyset `after`, with the relations asked for. */
  async list(
    tx: Tx,
    f: TicketFilter,
    order: TicketOrder,
    after: [string | number, string] | null,
    limit: number,
    include: TicketRelations = {},
  ): Promise<TicketWithRelations[]> {
    const o = ORDERINGS[order];
    let q = this.tickets(tx).select(relationColumns(include));
    for (const w of filterWhere(f)) q = q.where(w);
    if (after) q = q.where(afterCursor(order, after));
    const rows = await q.orderBy(o.key, o.dir).orderBy('t.id', o.dir).limit(limit).execute();
    return rows.map((r) => {
      const t: TicketWithRelations = toTicket(r);
      for (const k of ['$customer', '$requester', '$assignee', '$lastMessage'] as const) {
        const json = (r as Partial<Record<typeof k, string | null>>)[k];
        if (json !== undefined) t[k] = json === null ? null : JSON.parse(json);
      }
      return t;
    });
  }

  /**
   * The queue page: like {@link list}, reading only the columns the query selects
   * (tickets.queue-page.ts); rows as the driver reads them, for `toPageNode`.
   */
  async page(
    tx: Tx,
    f: TicketFilter,
    order: TicketOrder,
    after: [string | number, string] | null,
    limit: number,
    selection: QueueSelection,
  ): Promise<PageRecord[]> {
    // a queue's first page is asked for again and again with the same filter (every agent of
    // the team, every refresh): its statement is built and compiled once (decision 61's cost)
    const key = after ? null : JSON.stringify([order, limit, selectionKey(selection), f]);
    let compiled = key && key.length <= MAX_PAGE_KEY ? PAGE_STATEMENTS.get(key) : undefined;
    if (!compiled) {
      const o = ORDERINGS[order];
      let q = db(tx)
        .selectFrom('tickets as t')
        .select(pageTicketColumns(selection, order))
        .select(pageJsonColumns(selection));
      for (const w of filterWhere(f)) q = q.where(w);
      if (after) q = q.where(afterCursor(order, after));
      const rows = q.orderBy(o.key, o.dir).orderBy('t.id', o.dir).limit(limit);
      compiled = pageStatement(selection, order, o.dir, rows).compile(db(tx));
      if (key && key.length <= MAX_PAGE_KEY) {
        if (PAGE_STATEMENTS.size >= PAGE_STATEMENTS_KEPT)
          PAGE_STATEMENTS.delete(PAGE_STATEMENTS.keys().next().value!);
        PAGE_STATEMENTS.set(key, compiled);
      }
    }
    // the rows as the driver gives them (snake_case ticket keys, `toPageNode` maps them): the
    // builder's result plugin would copy every row into a second object to rename its keys
    return (await tx.query(compiled.sql, [...compiled.parameters])) as PageRecord[];
  }

  /**
   * Matching tickets, counted up to `cap` (the same conditions as `list`): the queue's totalCount
   * and saved views' counts, so a broad filter stays cheap.
   */
  async count(tx: Tx, f: TicketFilter, cap: number): Promise<number> {
    let capped = db(tx).selectFrom('tickets as t').select(sql.lit(1).as('one'));
    for (const w of filterWhere(f)) capped = capped.where(w);
    const row = await db(tx)
      .selectFrom(capped.limit(cap).as('capped'))
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    return row.n;
  }

  async lastMessages(
    tx: Tx,
    ticketIds: readonly string[],
    includeNotes: boolean,
  ): Promise<MessageRow[]> {
    return db(tx)
      .selectFrom('ticketMessages as m')
      .distinctOn('m.ticketId')
      .select(MESSAGE_COLUMNS)
      .where(sql<boolean>`${M('ticketId')} = ANY(${ticketIds}::bigint[])`)
      .$if(!includeNotes, (q) => q.where('m.kind', '<>', sql.lit('internal_note')))
      .orderBy('m.ticketId')
      .orderBy('m.createdAt', 'desc')
      .orderBy('m.id', 'desc')
      .execute();
  }

  async messages(
    tx: Tx,
    ticketId: string,
    after: string | null,
    limit: number,
    includeNotes = true,
  ): Promise<MessageRow[]> {
    let q = db(tx)
      .selectFrom('ticketMessages as m')
      .select(MESSAGE_COLUMNS)
      .where('m.ticketId', '=', ticketId);
    if (after !== null) q = q.where('m.id', '>', after);
    if (!includeNotes) q = q.where('m.kind', '<>', sql.lit('internal_note'));
    return q.orderBy('m.id', 'asc').limit(limit).execute();
  }

  async events(tx: Tx, ticketIds: readonly string[]): Promise<EventRow[]> {
    return db(tx)
      .selectFrom('ticketEvents as e')
      .select(EVENT_COLUMNS)
      .where(sql<boolean>`${E('ticketId')} = ANY(${ticketIds}::bigint[])`)
      .orderBy('e.id')
      .execute();
  }

  async countOpenByCustomer(
    tx: Tx,
    customerIds: readonly string[],
  ): Promise<{ customerId: string; n: number }[]> {
    return db(tx)
      .selectFrom('tickets')
      .select(['tickets.customerId', sql<number>`count(*)::int`.as('n')])
      .where((eb) => sql<boolean>`${eb.ref('tickets.customerId')} = ANY(${customerIds}::bigint[])`)
      .where((eb) => sql<boolean>`${eb.ref('tickets.status')} NOT IN ('solved', 'closed')`)
      .groupBy('tickets.customerId')
      .execute();
  }
}
