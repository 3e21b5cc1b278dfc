/**
 * The queue page's statement reads only what the query selects (issue 19, helper "queue"): the
 * ticket columns of the selected fields, and of each preloaded relation (customer, requester,
 * assignee) the columns of its selected fields, as long as every selected field is a plain
 * column. Anything else selected (a field with a resolver of its own, a field added later) falls
 * back to the full column list of that row, so a resolver never sees a row without the
 * properties it reads. The list statement used to read ~45 ticket columns and every column of
 * each relation for a page that shows seven of them.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { AliasedExpression, RawBuilder, sql } from 'kysely';
import { jsonRow, preload, selectedFields } from '@staydesk/core';
import { CONTACT_COLUMNS, CUSTOMER_COLUMNS } from '@staydesk/customers';
import { USER_COLUMNS } from '@staydesk/identity';
import { T, TICKET_COLUMNS, TicketOrder, TicketRow } from './tickets.sql';

/** One relation's selection: the columns to read, or every column (`all`). */
type RelationRead = false | 'all' | string[];

export interface QueueSelection {
  /** The ticket fields to read (with {@link ALWAYS}); null = every column of a ticket row. */
  fields: ReadonlySet<string> | null;
  customer: RelationRead;
  requester: RelationRead;
  assignee: RelationRead;
  lastMessage: boolean;
}

/**
 * Read on every page whatever is selected: the ids the Ticket field resolvers and the
 * preloaded relations start from (customer, requester, assignee, team, lastMessage, messages,
 * events, surveys read `id`, `customerId`, `requesterId`, `assigneeId`, `teamId` only).
 */
const ALWAYS = ['id', 'customerId', 'requesterId', 'assigneeId', 'teamId'] as const;

/** The sort key column of each ordering (its cursor). */
const ORDER_KEY = {
  updated_desc: 'updatedKey',
  created_desc: 'createdKey',
  priority: 'priorityRank',
  due: 'dueKey',
} as const satisfies Record<TicketOrder, keyof TicketRow>;

type TicketColumn = (typeof TICKET_COLUMNS)[number];

/** TICKET_COLUMNS by their alias (= the TicketRow key = the GraphQL field name). */
const COLUMN_BY_NAME = new Map<string, TicketColumn>(
  TICKET_COLUMNS.map((c) => [(c as AliasedExpression<unknown, string>).alias as string, c]),
);

/**
 * Ticket fields with a resolver that reads only the {@link ALWAYS} ids of its parent. A field
 * that is neither a column nor listed here makes the page read every column.
 */
const ID_RESOLVED = new Set([
  'customer',
  'requester',
  'assignee',
  'team',
  'lastMessage',
  'messages',
  'events',
  'surveys',
]);

/**
 * Plain columns of the relations a page reads with its rows (SQL over the relation's table as
 * in the owning libraries' CUSTOMER_COLUMNS, CONTACT_COLUMNS and USER_COLUMNS). A selected
 * field outside these reads the relation's full column list.
 */
const RELATION_COLUMNS = {
  customer: {
    id: 'c.id::text AS id',
    name: 'c.name',
    tier: 'c.tier',
    domain: 'c.domain',
    status: 'c.status',
  },
  requester: {
    id: 'id::text AS id',
    customerId: 'customer_id::text AS "customerId"',
    name: 'name',
    email: 'email',
    phone: 'phone',
  },
  assignee: { id: 'id::text AS id', name: 'name', email: 'email', role: 'role' },
} as const;

type Narrowable = keyof typeof RELATION_COLUMNS;

function relationRead(info: GraphQLResolveInfo, name: Narrowable): RelationRead {
  const fields = [...selectedFields(info, ['edges', 'node', name])].filter(
    (f) => !f.startsWith('__'),
  );
  const known: Record<string, string> = RELATION_COLUMNS[name];
  if (!fields.every((f) => f in known)) return 'all';
  return [...new Set(['id', ...fields])].map((f) => known[f]);
}

/** What the page's statement must read for this query. */
export function queueSelection(info: GraphQLResolveInfo): QueueSelection {
  const selected = selectedFields(info, ['edges', 'node']);
  const narrow = [...selected].every(
    (f) => f.startsWith('__') || COLUMN_BY_NAME.has(f) || ID_RESOLVED.has(f),
  );
  return {
    fields: narrow ? selected : null,
    customer: selected.has('customer') && relationRead(info, 'customer'),
    requester: selected.has('requester') && relationRead(info, 'requester'),
    assignee: selected.has('assignee') && relationRead(info, 'assignee'),
    lastMessage: selected.has('lastMessage'),
  };
}

/** A selection as a string: equal selections read the same columns. */
export function selectionKey(s: QueueSelection): string {
  const rel = (r: RelationRead) => (r === false ? '-' : r === 'all' ? '*' : r.join(','));
  return [
    s.fields ? [...s.fields].sort().join(',') : '*',
    rel(s.customer),
    rel(s.requester),
    rel(s.assignee),
    s.lastMessage ? 'm' : '-',
  ].join('|');
}

/** The ticket columns of a page: the selected ones, the ids and the ordering's key. */
export function pageTicketColumns(s: QueueSelection, order: TicketOrder): readonly TicketColumn[] {
  if (!s.fields) return TICKET_COLUMNS;
  const names = new Set<string>([...ALWAYS, ORDER_KEY[order], ...s.fields]);
  return [...names].flatMap((n) => COLUMN_BY_NAME.get(n) ?? []);
}

const asJson = (select: RawBuilder<unknown>) =>
  sql<string | null>`(SELECT to_jsonb(x)::text FROM (${select}) x)`;

const columnsOf = (read: RelationRead, all: string) =>
  sql.raw(read === 'all' || read === false ? all : read.join(', '));

/** The relation columns of a page, as JSON text in `$name` columns (parsed by {@link toPageNode}). */
export function pageRelationColumns(s: QueueSelection, lastMessage: RawBuilder<string | null>) {
  const cols = [];
  if (s.customer)
    cols.push(
      asJson(
        sql`SELECT ${columnsOf(s.customer, CUSTOMER_COLUMNS)} FROM customers c WHERE c.id = ${T('customerId')}`,
      ).as('$customer'),
    );
  if (s.requester)
    cols.push(
      asJson(
        sql`SELECT ${columnsOf(s.requester, CONTACT_COLUMNS)} FROM contacts WHERE id = ${T('requesterId')}`,
      ).as('$requester'),
    );
  if (s.assignee)
    cols.push(
      asJson(
        sql`SELECT ${columnsOf(s.assignee, USER_COLUMNS)} FROM users WHERE id = ${T('assigneeId')}`,
      ).as('$assignee'),
    );
  // notes follow their ticket (mayReadNotes = mayReadTicket) and the list holds only tickets
  // the caller may read, so the latest message of any kind is the one to show
  if (s.lastMessage) cols.push(lastMessage.as('$lastMessage'));
  return cols;
}

/** A page row as read: the ticket columns asked for and the relations as JSON text. */
export type PageRecord = Partial<Record<keyof TicketRow, unknown>> &
  Pick<TicketRow, (typeof ALWAYS)[number]> &
  Partial<Record<'$customer' | '$requester' | '$assignee' | '$lastMessage', string | null>>;

/** A relation row read as JSON text, timestamps as Dates ({@link jsonRow}). */
const fromJson = (json: string | null | undefined) =>
  json === null || json === undefined ? null : jsonRow<Record<string, unknown>>(JSON.parse(json));

/**
 * The page's node for one row: the ticket (only the columns read; `customFields` parsed when
 * read) with its relations preloaded, so their field resolvers are skipped.
 */
export function toPageNode(r: PageRecord, s: QueueSelection): TicketRow {
  const { $customer, $requester, $assignee, $lastMessage } = r;
  const node: Record<string, unknown> = {};
  for (const key in r) if (key.charCodeAt(0) !== 36 /* $ */) node[key] = r[key as keyof TicketRow];
  if (typeof node.customFields === 'string') node.customFields = JSON.parse(node.customFields);
  const values: Record<string, unknown> = {};
  if (s.customer) values.customer = fromJson($customer);
  if (s.requester) values.requester = fromJson($requester);
  if (s.assignee) values.assignee = fromJson($assignee);
  if (s.lastMessage) values.lastMessage = fromJson($lastMessage);
  // a partial row when the query selected only columns: nothing but GraphQL reads it
  return preload(node as unknown as TicketRow, values);
}

/** The cursor key of a page row in `order`. */
export function pageSortKey(r: PageRecord, order: TicketOrder): string | number {
  return r[ORDER_KEY[order]] as string | number;
}
