/**
 * The queue page's statement reads only what the query selects (issue 19, helper "queue"): the
 * ticket columns of the selected fields, and of each preloaded relation (customer, requester,
 * assignee) the columns of its selected fields, as long as every selected field is a plain
 * column. Anything else selected (a field with a resolver of its own, a field added later) falls
 * back to the full column list of that row, so a resolver never sees a row without the
 * properties it reads. The list statement used to read ~45 ticket columns and every column of
 * each relation for a page that shows seven of them.
 *
 * A relation read narrow comes back as plain columns of a `LEFT JOIN LATERAL` over the page's
 * rows (`"$customer.name"`, …), the statement the plain baseline runs (bench/plain.ts): no JSON
 * text to build in PostgreSQL and to parse again here. A relation read whole stays a JSON text
 * column over the owning library's column list (CUSTOMER_COLUMNS, …: custom fields, team ids).
 */
import type { GraphQLResolveInfo } from 'graphql';
import { AliasedExpression, Expression, RawBuilder, sql } from 'kysely';
import { jsonRow, preload, selectedFields } from '@staydesk/core';
import { CONTACT_COLUMNS, CUSTOMER_COLUMNS } from '@staydesk/customers';
import { USER_COLUMNS } from '@staydesk/identity';
import { T, TICKET_COLUMNS, TicketOrder, TicketRow } from './tickets.sql';

/** One relation's selection: the fields to read as plain columns, or every column (`all`). */
type RelationRead = false | 'all' | readonly string[];

export interface QueueSelection {
  /** The ticket fields to read (with {@link ALWAYS}); null = every column of a ticket row. */
  fields: ReadonlySet<string> | null;
  customer: RelationRead;
  requester: RelationRead;
  assignee: RelationRead;
  /** The message fields to read; never `all` (every message field the page can read is a column). */
  lastMessage: false | readonly string[];
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
 * Plain columns of the relations a page reads with its rows: SQL over the relation's table under
 * its alias in the lateral join (as in the owning libraries' CUSTOMER_COLUMNS, CONTACT_COLUMNS,
 * USER_COLUMNS and LAST_MESSAGE). A selected field outside these reads the relation's full
 * column list (as JSON text; for the last message, all of its columns).
 */
const RELATION_COLUMNS = {
  customer: {
    id: 'c.id::text',
    name: 'c.name',
    tier: 'c.tier',
    domain: 'c.domain',
    status: 'c.status',
  },
  requester: {
    id: 'r.id::text',
    customerId: 'r.customer_id::text',
    name: 'r.name',
    email: 'r.email',
    phone: 'r.phone',
  },
  assignee: { id: 'a.id::text', name: 'a.name', email: 'a.email', role: 'a.role' },
  lastMessage: {
    id: 'm.id::text',
    ticketId: 'm.ticket_id::text',
    kind: 'm.kind',
    authorUserId: 'm.author_user_id::text',
    authorContactId: 'm.author_contact_id::text',
    body: 'm.body',
    sentiment: 'm.sentiment',
    createdAt: 'm.created_at',
  },
} as const;

type Relation = keyof typeof RELATION_COLUMNS;
const RELATIONS = ['customer', 'requester', 'assignee', 'lastMessage'] as const;

/** The result column of a relation's field read plain: `$customer.name` (no `_`: the camelCase plugin keeps it). */
const plainKey = (relation: Relation, field: string) => `$${relation}.${field}`;

function relationRead(info: GraphQLResolveInfo, name: Relation): RelationRead {
  const fields = [...selectedFields(info, ['edges', 'node', name])].filter(
    (f) => !f.startsWith('__'),
  );
  const known: Record<string, string> = RELATION_COLUMNS[name];
  if (!fields.every((f) => f in known)) return 'all';
  return [...new Set(['id', ...fields])];
}

/** The last message's fields: the selected columns, or all of them for any other field. */
function messageRead(info: GraphQLResolveInfo): readonly string[] {
  const read = relationRead(info, 'lastMessage');
  return read === 'all' || read === false ? Object.keys(RELATION_COLUMNS.lastMessage) : read;
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
    lastMessage: selected.has('lastMessage') && messageRead(info),
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
    rel(s.lastMessage),
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

/**
 * The relations read whole, as JSON text in `$name` columns of the page's rows (parsed by
 * {@link toPageNode}); over `tickets t`, inside the page's ordered and limited subquery.
 */
export function pageJsonColumns(s: QueueSelection) {
  const cols = [];
  if (s.customer === 'all')
    cols.push(
      asJson(
        sql`SELECT ${sql.raw(CUSTOMER_COLUMNS)} FROM customers c WHERE c.id = ${T('customerId')}`,
      ).as('$customer'),
    );
  if (s.requester === 'all')
    cols.push(
      asJson(
        sql`SELECT ${sql.raw(CONTACT_COLUMNS)} FROM contacts WHERE id = ${T('requesterId')}`,
      ).as('$requester'),
    );
  if (s.assignee === 'all')
    cols.push(
      asJson(sql`SELECT ${sql.raw(USER_COLUMNS)} FROM users WHERE id = ${T('assigneeId')}`).as(
        '$assignee',
      ),
    );
  return cols;
}

/**
 * The lateral join's table and condition of each relation, over the page's rows `t` (ids as
 * text). `OFFSET 0` keeps each a subquery of its own: pulled up into one five-table join, the
 * planner searched its join orders on every execution (PostgreSQL CPU per page 1.17 → 0.87 ms
 * with the fence, quick world).
 */
const LATERAL_FROM = {
  customer: sql`customers c WHERE c.id = ${T('customerId')}::bigint OFFSET 0`,
  requester: sql`contacts r WHERE r.id = ${T('requesterId')}::bigint OFFSET 0`,
  assignee: sql`users a WHERE a.id = ${T('assigneeId')}::bigint OFFSET 0`,
  // notes follow their ticket (mayReadNotes = mayReadTicket) and the list holds only tickets
  // the caller may read, so the latest message of any kind is the one to show
  lastMessage: sql`ticket_messages m WHERE m.ticket_id = ${T('id')}::bigint
    ORDER BY m.created_at DESC, m.id DESC LIMIT 1`,
} as const;

/**
 * The page's statement: its rows (`inner`: the filter, the ordering and the limit over
 * `tickets t`, with the ticket columns and the relations read whole) and then, for those rows
 * only, each relation read narrow as plain columns of a `LEFT JOIN LATERAL` (a nested loop over
 * the page, each an index lookup), in the page's order again (`key`: the ordering's key column
 * of the rows, as read).
 */
export function pageStatement(
  s: QueueSelection,
  order: TicketOrder,
  dir: 'asc' | 'desc',
  inner: Expression<unknown>,
) {
  const columns = [sql`t.*`];
  const joins = [];
  for (const relation of RELATIONS) {
    const read = s[relation];
    if (read === false || read === 'all') continue;
    const known: Record<string, string> = RELATION_COLUMNS[relation];
    const alias = sql.id(`$${relation}`);
    columns.push(sql`${alias}.*`);
    const list = read.map((f) => `${known[f]} AS "${plainKey(relation, f)}"`).join(', ');
    joins.push(
      sql`LEFT JOIN LATERAL (SELECT ${sql.raw(list)} FROM ${LATERAL_FROM[relation]}) ${alias} ON true`,
    );
  }
  const key = ORDER_KEY[order];
  // text keys (timestamps with microseconds, 'infinity' last) in byte order; ids as numbers
  const sortKey =
    key === 'priorityRank' ? sql.ref(`t.${key}`) : sql`${sql.ref(`t.${key}`)} COLLATE "C"`;
  const d = sql.raw(dir === 'desc' ? 'DESC' : 'ASC');
  return sql<PageRecord>`SELECT ${sql.join(columns)} FROM ${inner} AS t ${sql.join(joins, sql` `)}
    ORDER BY ${sortKey} ${d}, ${T('id')}::bigint ${d}`;
}

/**
 * A page row as the driver reads it (no camelCase plugin): the ticket columns asked for under
 * their SQL names (`customer_id`, {@link camelKey} maps them), relations as plain
 * `$name.field` columns or JSON text.
 */
export type PageRecord = Record<string, unknown> & { id: string };

const CAMEL = new Map<string, string>();
/** `customer_id` → `customerId`, as the builder's camelCase plugin maps a result column. */
function camelKey(key: string): string {
  let camel = CAMEL.get(key);
  if (camel === undefined) {
    camel = key.replace(/_(.)/g, (_, c: string) => c.toUpperCase());
    CAMEL.set(key, camel);
  }
  return camel;
}

/** A relation row read as JSON text, timestamps as Dates ({@link jsonRow}). */
const fromJson = (json: string | null | undefined) =>
  json === null || json === undefined ? null : jsonRow<Record<string, unknown>>(JSON.parse(json));

/** A relation read as plain columns (null when the lateral join found no row: its id is null). */
function fromColumns(r: PageRecord, relation: Relation, fields: readonly string[]) {
  const keys = plainKeys(relation, fields);
  if (r[keys[0]] === null) return null;
  const value: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i++) value[fields[i]] = r[keys[i]];
  return value;
}

/** The result columns of a relation's fields (`id` first), kept per field list. */
const PLAIN_KEYS = new WeakMap<readonly string[], string[]>();
function plainKeys(relation: Relation, fields: readonly string[]): string[] {
  let keys = PLAIN_KEYS.get(fields);
  if (!keys) {
    keys = fields.map((f) => plainKey(relation, f));
    PLAIN_KEYS.set(fields, keys);
  }
  return keys;
}

const relationValue = (r: PageRecord, relation: Relation, read: RelationRead) =>
  read === 'all'
    ? fromJson(r[`$${relation}`] as string | null)
    : fromColumns(r, relation, read as readonly string[]);

/**
 * The page's node for one row: the ticket (only the columns read; `customFields` parsed when
 * read) with its relations preloaded, so their field resolvers are skipped.
 */
export function toPageNode(r: PageRecord, s: QueueSelection): TicketRow {
  const node: Record<string, unknown> = {};
  for (const key in r) if (key.charCodeAt(0) !== 36 /* $ */) node[camelKey(key)] = r[key];
  if (typeof node.customFields === 'string') node.customFields = JSON.parse(node.customFields);
  const values: Record<string, unknown> = {};
  if (s.customer) values.customer = relationValue(r, 'customer', s.customer);
  if (s.requester) values.requester = relationValue(r, 'requester', s.requester);
  if (s.assignee) values.assignee = relationValue(r, 'assignee', s.assignee);
  if (s.lastMessage) values.lastMessage = fromColumns(r, 'lastMessage', s.lastMessage);
  // a partial row when the query selected only columns: nothing but GraphQL reads it
  return preload(node as unknown as TicketRow, values);
}

/** The sort key's column of each ordering in a page row as read (snake_case, see {@link PageRecord}). */
const ORDER_COLUMN = {
  updated_desc: 'updated_key',
  created_desc: 'created_key',
  priority: 'priority_rank',
  due: 'due_key',
} as const satisfies Record<TicketOrder, string>;

/** The cursor key of a page row in `order`. */
export function pageSortKey(r: PageRecord, order: TicketOrder): string | number {
  return r[ORDER_COLUMN[order]] as string | number;
}
