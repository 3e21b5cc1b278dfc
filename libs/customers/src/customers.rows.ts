import { Expression, ExpressionBuilder, RawBuilder, sql } from 'kysely';
import { CursorValue, DB, Keyset, TIERS } from '@staydesk/core';
import type { Tier } from '@staydesk/core';

/**
 * The customers library's row types, and how the repository reads them: column lists for the
 * typed query builder and the list orderings with their keysets (moved out of
 * customers.repository.ts, which keeps the statements).
 */
export { TIERS };
export type { Tier };
export const CUSTOMER_STATUSES = ['active', 'churned'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

export interface CustomerRow {
  id: string;
  name: string;
  domain: string | null;
  tier: Tier;
  mrr: number;
  accountManagerId: string | null;
  status: CustomerStatus;
  customerSince: Date;
  churnedAt: Date | null;
  renewalDate: string | null;
  customFields: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  /** Sort keys of the value orderings (list only): stored value, −1 when unknown. */
  ltvKey?: number;
  expectedKey?: number;
}

export interface ContactRow {
  id: string;
  customerId: string;
  name: string;
  email: string;
  phone: string | null;
  surveyOptOut: boolean;
  createdAt: Date;
}

export interface StatusChangeRow {
  id: string;
  customerId: string;
  fromStatus: CustomerStatus;
  toStatus: CustomerStatus;
  reason: string | null;
  actorId: string | null;
  changedAt: Date;
}

export type CustomerOrder =
  'name' | 'mrr_desc' | 'renewal' | 'lifetime_value_desc' | 'expected_value_desc';

export interface CustomerFilter {
  search?: string;
  accountManagerId?: string;
  tier?: Tier;
  status?: CustomerStatus;
  /** Value segments (customer_values, computed nightly). */
  valueSegments?: string[];
  /** Custom field values, all must match (`custom_fields @> …`, GIN-indexed). */
  customFields?: Record<string, string | number | boolean>;
}

/**
 * The customer columns for hand-written SQL elsewhere (the tickets' JSON sub-selects read
 * `customers c`); this library reads them through {@link customerColumns}.
 */
export const CUSTOMER_COLUMNS = `c.id::text, c.name, c.domain, c.tier, c.mrr::float8 AS mrr,
  c.account_manager_id::text AS "accountManagerId", c.status, c.customer_since AS "customerSince",
  c.churned_at AS "churnedAt", to_char(c.renewal_date, 'YYYY-MM-DD') AS "renewalDate",
  c.custom_fields AS "customFields", c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;
/** The contact columns for hand-written SQL elsewhere (see {@link CUSTOMER_COLUMNS}). */
export const CONTACT_COLUMNS = `id::text, customer_id::text AS "customerId", name, email, phone,
  survey_opt_out AS "surveyOptOut", created_at AS "createdAt"`;

/**
 * The columns of a {@link CustomerRow}. `custom_fields` is read as text and parsed
 * ({@link withCustomFields}): the builder's CamelCasePlugin would rename the snake_case keys of
 * a returned jsonb object.
 */
export const customerColumns = (eb: ExpressionBuilder<DB, 'customers'>) =>
  [
    'customers.id',
    'customers.name',
    'customers.domain',
    'customers.tier',
    sql<number>`${eb.ref('customers.mrr')}::float8`.as('mrr'),
    'customers.accountManagerId',
    'customers.status',
    'customers.customerSince',
    'customers.churnedAt',
    sql<string | null>`to_char(${eb.ref('customers.renewalDate')}, 'YYYY-MM-DD')`.as('renewalDate'),
    sql<string>`${eb.ref('customers.customFields')}::text`.as('customFieldsText'),
    'customers.createdAt',
    'customers.updatedAt',
  ] as const;

export function withCustomFields<R extends { customFieldsText: string }>({
  customFieldsText,
  ...row
}: R): Omit<R, 'customFieldsText'> & { customFields: Record<string, unknown> } {
  return { ...row, customFields: JSON.parse(customFieldsText) as Record<string, unknown> };
}

export const contactColumns = [
  'contacts.id',
  'contacts.customerId',
  'contacts.name',
  'contacts.email',
  'contacts.phone',
  'contacts.surveyOptOut',
  'contacts.createdAt',
] as const;

export const statusChangeColumns = (eb: ExpressionBuilder<DB, 'customerStatusChanges'>) =>
  [
    'customerStatusChanges.id',
    'customerStatusChanges.customerId',
    eb.ref('customerStatusChanges.fromStatus').$castTo<CustomerStatus>().as('fromStatus'),
    eb.ref('customerStatusChanges.toStatus').$castTo<CustomerStatus>().as('toStatus'),
    'customerStatusChanges.reason',
    'customerStatusChanges.actorId',
    'customerStatusChanges.changedAt',
  ] as const;

/** `= any($1::bigint[])`: one array parameter however many ids (DataLoader batches). */
export const anyId = (ids: readonly string[]) => sql<string>`any(${[...ids]}::bigint[])`;

type ListEb = ExpressionBuilder<DB, 'customers' | 'customerValues'>;

/** Sort key (expressions, one direction), keyset and the cursor's values cast like the keys. */
interface Ordering {
  keys: (eb: ListEb) => [Expression<unknown>, Expression<unknown>];
  dir: 'asc' | 'desc';
  keyset: Keyset;
  values: (v: CursorValue[]) => [RawBuilder<unknown>, RawBuilder<unknown>];
}

/** ORDER BY and keyset (columns, direction, cursor) for each customer ordering. */
export const ORDERINGS: Record<CustomerOrder, Ordering> = {
  name: {
    keys: (eb) => [sql`lower(${eb.ref('customers.name')})`, eb.ref('customers.id')],
    dir: 'asc',
    keyset: new Keyset('customers_name', [{ kind: 'text' }, { kind: 'id' }]),
    values: ([name, id]) => [sql`lower(${name}::text)`, sql`${id}::bigint`],
  },
  mrr_desc: {
    keys: (eb) => [eb.ref('customers.mrr'), eb.ref('customers.id')],
    dir: 'desc',
    keyset: new Keyset('customers_mrr_desc', [{ kind: 'number' }, { kind: 'id' }]),
    values: ([mrr, id]) => [sql`${mrr}::numeric`, sql`${id}::bigint`],
  },
  renewal: {
    keys: (eb) => [
      sql`coalesce(${eb.ref('customers.renewalDate')}, 'infinity'::date)`,
      eb.ref('customers.id'),
    ],
    dir: 'asc',
    keyset: new Keyset('customers_renewal', [{ kind: 'date', infinity: true }, { kind: 'id' }]),
    values: ([date, id]) => [sql`${date}::date`, sql`${id}::bigint`],
  },
  // stored lifetime values (customer_values, nightly); unknown ones last
  lifetime_value_desc: {
    keys: (eb) => [sql`coalesce(${eb.ref('customerValues.toDate')}, -1)`, eb.ref('customers.id')],
    dir: 'desc',
    keyset: new Keyset('customers_ltv', [{ kind: 'number' }, { kind: 'id' }]),
    values: ([value, id]) => [sql`${value}::numeric`, sql`${id}::bigint`],
  },
  expected_value_desc: {
    keys: (eb) => [sql`coalesce(${eb.ref('customerValues.expected')}, -1)`, eb.ref('customers.id')],
    dir: 'desc',
    keyset: new Keyset('customers_expected', [{ kind: 'number' }, { kind: 'id' }]),
    values: ([value, id]) => [sql`${value}::numeric`, sql`${id}::bigint`],
  },
};

/** The cursor codec of a customer ordering. */
export const customerKeyset = (order: CustomerOrder): Keyset => ORDERINGS[order].keyset;
