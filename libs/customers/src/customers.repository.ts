import { Injectable } from '@nestjs/common';
import {
  CursorValue,
  Keyset,
  Tx,
  conflict,
  escapeLike,
  pgCode,
  pgConstraint,
  returnedRows,
} from '@staydesk/core';
import { TIERS } from '@staydesk/core';
import type { Tier } from '@staydesk/core';

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

export interface TimelineRow {
  kind: string;
  at: Date;
  sortId: string;
  ticketId: string | null;
  title: string;
  body: string | null;
  actorUserId: string | null;
  actorContactId: string | null;
  fromValue: string | null;
  toValue: string | null;
  refId: string;
  /** `at` with microseconds, for the cursor. */
  atKey: string;
}

export const CUSTOMER_COLUMNS = `c.id::text, c.name, c.domain, c.tier, c.mrr::float8 AS mrr,
  c.account_manager_id::text AS "accountManagerId", c.status, c.customer_since AS "customerSince",
  c.churned_at AS "churnedAt", to_char(c.renewal_date, 'YYYY-MM-DD') AS "renewalDate",
  c.custom_fields AS "customFields", c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;
export const CONTACT_COLUMNS = `id::text, customer_id::text AS "customerId", name, email, phone,
  survey_opt_out AS "surveyOptOut", created_at AS "createdAt"`;

/** ORDER BY and keyset (columns, direction, cursor) for each customer ordering. */
const ORDERINGS: Record<
  CustomerOrder,
  { order: string; columns: string[]; cmp: '<' | '>'; keyset: Keyset }
> = {
  name: {
    order: 'lower(c.name) ASC, c.id ASC',
    columns: ['lower(c.name)', 'c.id'],
    cmp: '>',
    keyset: new Keyset('customers_name', [
      { kind: 'text', wrap: (v) => `lower(${v})` },
      { kind: 'id' },
    ]),
  },
  mrr_desc: {
    order: 'c.mrr DESC, c.id DESC',
    columns: ['c.mrr', 'c.id'],
    cmp: '<',
    keyset: new Keyset('customers_mrr_desc', [{ kind: 'number' }, { kind: 'id' }]),
  },
  renewal: {
    order: "coalesce(c.renewal_date, 'infinity'::date) ASC, c.id ASC",
    columns: ["coalesce(c.renewal_date, 'infinity'::date)", 'c.id'],
    cmp: '>',
    keyset: new Keyset('customers_renewal', [{ kind: 'date', infinity: true }, { kind: 'id' }]),
  },
  // stored lifetime values (customer_values, nightly); unknown ones last
  lifetime_value_desc: {
    order: 'coalesce(v.to_date, -1) DESC, c.id DESC',
    columns: ['coalesce(v.to_date, -1)', 'c.id'],
    cmp: '<',
    keyset: new Keyset('customers_ltv', [{ kind: 'number' }, { kind: 'id' }]),
  },
  expected_value_desc: {
    order: 'coalesce(v.expected, -1) DESC, c.id DESC',
    columns: ['coalesce(v.expected, -1)', 'c.id'],
    cmp: '<',
    keyset: new Keyset('customers_expected', [{ kind: 'number' }, { kind: 'id' }]),
  },
};

/** The cursor codec of a customer ordering. */
export const customerKeyset = (order: CustomerOrder): Keyset => ORDERINGS[order].keyset;

function rethrowUnique(err: unknown): never {
  if (pgCode(err) === '23505' && pgConstraint(err) === 'contacts_customer_email_key') {
    throw conflict('email: this customer already has a contact with this e-mail', {
      field: 'email',
    });
  }
  if (pgCode(err) === '23503') {
    throw conflict('a referenced record does not exist (it may have been removed)');
  }
  throw err;
}

@Injectable()
export class CustomersRepository {
  async byIds(tx: Tx, ids: readonly string[]): Promise<CustomerRow[]> {
    return tx.query(`SELECT ${CUSTOMER_COLUMNS} FROM customers c WHERE c.id = ANY($1::bigint[])`, [
      ids,
    ]);
  }

  async lockById(tx: Tx, id: string): Promise<CustomerRow | null> {
    const rows: CustomerRow[] = await tx.query(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers c WHERE c.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  sortValues(row: CustomerRow, order: CustomerOrder): (string | number | null)[] {
    switch (order) {
      case 'name':
        return [row.name.toLowerCase(), row.id];
      case 'mrr_desc':
        return [row.mrr, row.id];
      case 'renewal':
        return [row.renewalDate ?? 'infinity', row.id];
      case 'lifetime_value_desc':
        return [row.ltvKey ?? -1, row.id];
      case 'expected_value_desc':
        return [row.expectedKey ?? -1, row.id];
    }
  }

  async list(
    tx: Tx,
    filter: CustomerFilter,
    order: CustomerOrder,
    after: CursorValue[] | null,
    limit: number,
  ): Promise<CustomerRow[]> {
    const o = ORDERINGS[order];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (filter.search) {
      const like = `%${escapeLike(filter.search)}%`;
      const prefix = `${escapeLike(filter.search.toLowerCase())}%`;
      where.push(
        `(c.name ILIKE ${p(like)} OR c.domain ILIKE ${p(like)} OR EXISTS (
           SELECT 1 FROM contacts ct WHERE ct.customer_id = c.id AND lower(ct.email) LIKE ${p(prefix)}))`,
      );
    }
    if (filter.accountManagerId) where.push(`c.account_manager_id = ${p(filter.accountManagerId)}`);
    if (filter.tier) where.push(`c.tier = ${p(filter.tier)}`);
    if (filter.status) where.push(`c.status = ${p(filter.status)}`);
    if (filter.valueSegments) where.push(`v.segment = ANY(${p(filter.valueSegments)}::text[])`);
    if (filter.customFields && Object.keys(filter.customFields).length)
      where.push(`c.custom_fields @> ${p(JSON.stringify(filter.customFields))}::jsonb`);
    if (after) where.push(o.keyset.predicate(o.columns, o.cmp, after, p));
    return tx.query(
      `SELECT ${CUSTOMER_COLUMNS}, coalesce(v.to_date, -1)::float8 AS "ltvKey",
              coalesce(v.expected, -1)::float8 AS "expectedKey"
         FROM customers c LEFT JOIN customer_values v ON v.customer_id = c.id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${o.order} LIMIT ${p(limit)}`,
      params,
    );
  }

  async insert(
    tx: Tx,
    c: Omit<CustomerRow, 'id' | 'status' | 'churnedAt' | 'createdAt' | 'updatedAt'>,
  ): Promise<CustomerRow> {
    try {
      const rows: CustomerRow[] = await tx.query(
        `INSERT INTO customers AS c (name, domain, tier, mrr, account_manager_id, customer_since, renewal_date, custom_fields)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${CUSTOMER_COLUMNS}`,
        [
          c.name,
          c.domain,
          c.tier,
          c.mrr,
          c.accountManagerId,
          c.customerSince,
          c.renewalDate,
          c.customFields,
        ],
      );
      return rows[0];
    } catch (err) {
      rethrowUnique(err);
    }
  }

  async update(tx: Tx, id: string, c: Partial<CustomerRow>): Promise<CustomerRow> {
    const rows = returnedRows<CustomerRow>(
      await tx.query(
        `UPDATE customers AS c SET
          name = coalesce($2, name), domain = CASE WHEN $3::boolean THEN $4 ELSE domain END,
          tier = coalesce($5, tier), mrr = coalesce($6, mrr),
          account_manager_id = CASE WHEN $7::boolean THEN $8::bigint ELSE account_manager_id END,
          customer_since = coalesce($9, customer_since),
          renewal_date = CASE WHEN $10::boolean THEN $11::date ELSE renewal_date END,
          custom_fields = coalesce($12, custom_fields),
          status = coalesce($13, status),
          churned_at = CASE WHEN $14::boolean THEN $15::timestamptz ELSE churned_at END,
          updated_at = now()
        WHERE id = $1 RETURNING ${CUSTOMER_COLUMNS}`,
        [
          id,
          c.name ?? null,
          c.domain !== undefined,
          c.domain ?? null,
          c.tier ?? null,
          c.mrr ?? null,
          c.accountManagerId !== undefined,
          c.accountManagerId ?? null,
          c.customerSince ?? null,
          c.renewalDate !== undefined,
          c.renewalDate ?? null,
          c.customFields ?? null,
          c.status ?? null,
          c.churnedAt !== undefined,
          c.churnedAt ?? null,
        ],
      ),
    );
    return rows[0];
  }

  async insertStatusChange(
    tx: Tx,
    s: Omit<StatusChangeRow, 'id' | 'changedAt'>,
  ): Promise<StatusChangeRow> {
    const rows: StatusChangeRow[] = await tx.query(
      `INSERT INTO customer_status_changes (customer_id, from_status, to_status, reason, actor_id)
       VALUES ($1, $2, $3, $4, $5)
       RETURNING id::text, customer_id::text AS "customerId", from_status AS "fromStatus",
                 to_status AS "toStatus", reason, actor_id::text AS "actorId", changed_at AS "changedAt"`,
      [s.customerId, s.fromStatus, s.toStatus, s.reason, s.actorId],
    );
    return rows[0];
  }

  async statusChangesByCustomerIds(tx: Tx, ids: readonly string[]): Promise<StatusChangeRow[]> {
    return tx.query(
      `SELECT id::text, customer_id::text AS "customerId", from_status AS "fromStatus", to_status AS "toStatus",
              reason, actor_id::text AS "actorId", changed_at AS "changedAt"
         FROM customer_status_changes WHERE customer_id = ANY($1::bigint[]) ORDER BY changed_at, id`,
      [ids],
    );
  }

  async contactsByIds(tx: Tx, ids: readonly string[]): Promise<ContactRow[]> {
    return tx.query(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE id = ANY($1::bigint[])`, [ids]);
  }

  async contactsByCustomerIds(tx: Tx, ids: readonly string[]): Promise<ContactRow[]> {
    return tx.query(
      `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE customer_id = ANY($1::bigint[]) ORDER BY lower(name), id`,
      [ids],
    );
  }

  async insertContact(tx: Tx, c: Omit<ContactRow, 'id' | 'createdAt'>): Promise<ContactRow> {
    try {
      const rows: ContactRow[] = await tx.query(
        `INSERT INTO contacts (customer_id, name, email, phone, survey_opt_out) VALUES ($1, $2, $3, $4, $5)
         RETURNING ${CONTACT_COLUMNS}`,
        [c.customerId, c.name, c.email, c.phone, c.surveyOptOut],
      );
      return rows[0];
    } catch (err) {
      rethrowUnique(err);
    }
  }

  async updateContact(
    tx: Tx,
    id: string,
    c: { name?: string; email?: string; phone?: string | null; surveyOptOut?: boolean },
  ): Promise<ContactRow | null> {
    try {
      const rows = returnedRows<ContactRow>(
        await tx.query(
          `UPDATE contacts SET name = coalesce($2, name), email = coalesce($3, email),
                phone = CASE WHEN $4::boolean THEN $5 ELSE phone END,
                survey_opt_out = coalesce($6, survey_opt_out), updated_at = now()
          WHERE id = $1 RETURNING ${CONTACT_COLUMNS}`,
          [
            id,
            c.name ?? null,
            c.email ?? null,
            c.phone !== undefined,
            c.phone ?? null,
            c.surveyOptOut ?? null,
          ],
        ),
      );
      return rows[0] ?? null;
    } catch (err) {
      rethrowUnique(err);
    }
  }

  /**
   * A customer's history, newest first: tickets opened, messages, ticket status changes,
   * follow-ups, account status changes and survey answers. Each branch is limited on its own index before the
   * merge, so a long history costs no more than a page.
   */
  async timeline(
    tx: Tx,
    customerId: string,
    before: { at: string; sortId: string } | null,
    limit: number,
    /** Private teams whose tickets the viewer may not read (`IdentityService.hiddenTeamIds`). */
    hiddenTeamIds: string[],
  ): Promise<TimelineRow[]> {
    const at = before?.at ?? null;
    const sid = before?.sortId ?? null;
    const cond = (atCol: string, sortCol: string) =>
      `($2::timestamptz IS NULL OR (${atCol}, ${sortCol}) < ($2::timestamptz, $3::text))`;
    // a private team's ticket, with everything about it, only for its members and admins
    const visible = `(t.team_id IS NULL OR t.team_id <> ALL($5::bigint[]))`;
    const visibleRef = (col: string) =>
      `(${col} IS NULL OR NOT EXISTS (SELECT 1 FROM tickets ht WHERE ht.id = ${col} AND ht.team_id = ANY($5::bigint[])))`;
    return tx.query(
      `SELECT *, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "atKey" FROM (
         (SELECT 'ticket_created' AS kind, t.created_at AS at, 't' || lpad(t.id::text, 20, '0') AS "sortId",
                 t.id::text AS "ticketId", t.subject AS title, NULL AS body, t.created_by_id::text AS "actorUserId",
                 t.requester_id::text AS "actorContactId", NULL AS "fromValue", t.channel AS "toValue", t.id::text AS "refId"
            FROM tickets t
           WHERE t.customer_id = $1 AND ${cond('t.created_at', "'t' || lpad(t.id::text, 20, '0')")} AND ${visible}
           ORDER BY t.created_at DESC, t.id DESC LIMIT $4)
         UNION ALL
         (SELECT 'message', m.created_at, 'm' || lpad(m.id::text, 20, '0'), t.id::text, t.subject,
                 left(m.body, 500), m.author_user_id::text, m.author_contact_id::text, NULL, m.kind, m.id::text
            FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
           WHERE t.customer_id = $1 AND ${cond('m.created_at', "'m' || lpad(m.id::text, 20, '0')")} AND ${visible}
           ORDER BY m.created_at DESC, m.id DESC LIMIT $4)
         UNION ALL
         (SELECT 'ticket_status_changed', e.created_at, 'e' || lpad(e.id::text, 20, '0'), t.id::text, t.subject,
                 NULL, e.actor_id::text, NULL, e.from_value, e.to_value, e.id::text
            FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
           WHERE t.customer_id = $1 AND e.type = 'status_changed'
             AND ${cond('e.created_at', "'e' || lpad(e.id::text, 20, '0')")} AND ${visible}
           ORDER BY e.created_at DESC, e.id DESC LIMIT $4)
         UNION ALL
         (SELECT 'follow_up', f.created_at, 'f' || lpad(f.id::text, 20, '0'), f.ticket_id::text, f.kind,
                 coalesce(f.outcome, f.note), f.owner_id::text, NULL, f.status, to_char(f.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), f.id::text
            FROM follow_ups f
           WHERE f.customer_id = $1 AND ${cond('f.created_at', "'f' || lpad(f.id::text, 20, '0')")}
             AND ${visibleRef('f.ticket_id')}
           ORDER BY f.created_at DESC, f.id DESC LIMIT $4)
         UNION ALL
         (SELECT 'customer_status_changed', s.changed_at, 's' || lpad(s.id::text, 20, '0'), NULL, s.to_status,
                 s.reason, s.actor_id::text, NULL, s.from_status, s.to_status, s.id::text
            FROM customer_status_changes s
           WHERE s.customer_id = $1 AND ${cond('s.changed_at', "'s' || lpad(s.id::text, 20, '0')")}
           ORDER BY s.changed_at DESC, s.id DESC LIMIT $4)
         UNION ALL
         (SELECT 'survey_answered', v.responded_at, 'v' || lpad(v.id::text, 20, '0'), v.ticket_id::text, v.kind,
                 v.comment, NULL, v.contact_id::text,
                 CASE WHEN v.ces_score IS NULL THEN NULL ELSE v.ces_score::text END, v.score::text, v.id::text
            FROM surveys v
           WHERE v.customer_id = $1 AND v.responded_at IS NOT NULL AND v.score IS NOT NULL
             AND ${cond('v.responded_at', "'v' || lpad(v.id::text, 20, '0')")} AND ${visibleRef('v.ticket_id')}
           ORDER BY v.responded_at DESC, v.id DESC LIMIT $4)
       ) entries
       ORDER BY at DESC, "sortId" DESC
       LIMIT $4`,
      [customerId, at, sid, limit, hiddenTeamIds],
    );
  }
}
