import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import {
  CursorValue,
  DB,
  Tx,
  conflict,
  db,
  escapeLike,
  pgCode,
  pgConstraint,
} from '@staydesk/core';
import { TimelineRow, customerTimeline } from './customer-timeline.sql';
import {
  ContactRow,
  CustomerFilter,
  CustomerOrder,
  CustomerRow,
  ORDERINGS,
  StatusChangeRow,
  anyId,
  contactColumns,
  customerColumns,
  statusChangeColumns,
  withCustomFields,
} from './customers.rows';

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

/**
 * SQL for customers and contacts, written with the typed query builder ({@link db}): tables
 * and columns are checked against the migrated schema (`db.generated.ts`), results against the
 * row types. The timeline is a typed SQL template (customer-timeline.sql.ts).
 */
@Injectable()
export class CustomersRepository {
  async byIds(tx: Tx, ids: readonly string[]): Promise<CustomerRow[]> {
    const rows = await db(tx)
      .selectFrom('customers')
      .select(customerColumns)
      .where('customers.id', '=', anyId(ids))
      .execute();
    return rows.map(withCustomFields);
  }

  async lockById(tx: Tx, id: string): Promise<CustomerRow | null> {
    const row = await db(tx)
      .selectFrom('customers')
      .select(customerColumns)
      .where('customers.id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row ? withCustomFields(row) : null;
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
    let q = db(tx)
      .selectFrom('customers')
      .leftJoin('customerValues', 'customerValues.customerId', 'customers.id')
      .select(customerColumns)
      .select((eb) => [
        sql<number>`coalesce(${eb.ref('customerValues.toDate')}, -1)::float8`.as('ltvKey'),
        sql<number>`coalesce(${eb.ref('customerValues.expected')}, -1)::float8`.as('expectedKey'),
      ]);
    if (filter.search) {
      const like = `%${escapeLike(filter.search)}%`;
      const prefix = `${escapeLike(filter.search.toLowerCase())}%`;
      q = q.where((eb) =>
        eb.or([
          eb('customers.name', 'ilike', like),
          eb('customers.domain', 'ilike', like),
          eb.exists(
            eb
              .selectFrom('contacts as ct')
              .select(sql.lit(1).as('one'))
              .whereRef('ct.customerId', '=', 'customers.id')
              .where((sub) => sub(sub.fn<string>('lower', ['ct.email']), 'like', prefix)),
          ),
        ]),
      );
    }
    if (filter.accountManagerId)
      q = q.where('customers.accountManagerId', '=', filter.accountManagerId);
    if (filter.tier) q = q.where('customers.tier', '=', filter.tier);
    if (filter.status) q = q.where('customers.status', '=', filter.status);
    if (filter.valueSegments) {
      const segments = filter.valueSegments;
      q = q.where(
        'customerValues.segment',
        '=',
        sql<DB['customerValues']['segment']>`any(${segments}::text[])`,
      );
    }
    if (filter.customFields && Object.keys(filter.customFields).length) {
      const fields = JSON.stringify(filter.customFields);
      q = q.where((eb) => sql<boolean>`${eb.ref('customers.customFields')} @> ${fields}::jsonb`);
    }
    if (after) {
      const cmp = sql.raw(o.dir === 'asc' ? '>' : '<');
      q = q.where(
        (eb) => sql<boolean>`(${sql.join(o.keys(eb))}) ${cmp} (${sql.join(o.values(after))})`,
      );
    }
    const rows = await q
      .orderBy((eb) => o.keys(eb)[0], o.dir)
      .orderBy((eb) => o.keys(eb)[1], o.dir)
      .limit(limit)
      .execute();
    return rows.map(withCustomFields);
  }

  async insert(
    tx: Tx,
    c: Omit<CustomerRow, 'id' | 'status' | 'churnedAt' | 'createdAt' | 'updatedAt'>,
  ): Promise<CustomerRow> {
    try {
      const row = await db(tx)
        .insertInto('customers')
        .values({
          name: c.name,
          domain: c.domain,
          tier: c.tier,
          mrr: c.mrr,
          accountManagerId: c.accountManagerId,
          customerSince: c.customerSince,
          renewalDate: c.renewalDate,
          customFields: JSON.stringify(c.customFields),
        })
        .returning(customerColumns)
        .executeTakeFirstOrThrow();
      return withCustomFields(row);
    } catch (err) {
      rethrowUnique(err);
    }
  }

  /** Changes the given fields (undefined or null on a NOT NULL column: unchanged). */
  async update(tx: Tx, id: string, c: Partial<CustomerRow>): Promise<CustomerRow> {
    const row = await db(tx)
      .updateTable('customers')
      .set({
        ...(c.name != null && { name: c.name }),
        ...(c.domain !== undefined && { domain: c.domain }),
        ...(c.tier != null && { tier: c.tier }),
        ...(c.mrr != null && { mrr: c.mrr }),
        ...(c.accountManagerId !== undefined && { accountManagerId: c.accountManagerId }),
        ...(c.customerSince != null && { customerSince: c.customerSince }),
        ...(c.renewalDate !== undefined && { renewalDate: c.renewalDate }),
        ...(c.customFields != null && { customFields: JSON.stringify(c.customFields) }),
        ...(c.status != null && { status: c.status }),
        ...(c.churnedAt !== undefined && { churnedAt: c.churnedAt }),
        updatedAt: sql<Date>`now()`,
      })
      .where('customers.id', '=', id)
      .returning(customerColumns)
      .executeTakeFirstOrThrow();
    return withCustomFields(row);
  }

  async insertStatusChange(
    tx: Tx,
    s: Omit<StatusChangeRow, 'id' | 'changedAt'>,
  ): Promise<StatusChangeRow> {
    return db(tx)
      .insertInto('customerStatusChanges')
      .values({
        customerId: s.customerId,
        fromStatus: s.fromStatus,
        toStatus: s.toStatus,
        reason: s.reason,
        actorId: s.actorId,
      })
      .returning(statusChangeColumns)
      .executeTakeFirstOrThrow();
  }

  async statusChangesByCustomerIds(tx: Tx, ids: readonly string[]): Promise<StatusChangeRow[]> {
    return db(tx)
      .selectFrom('customerStatusChanges')
      .select(statusChangeColumns)
      .where('customerStatusChanges.customerId', '=', anyId(ids))
      .orderBy('customerStatusChanges.changedAt')
      .orderBy('customerStatusChanges.id')
      .execute();
  }

  async contactsByIds(tx: Tx, ids: readonly string[]): Promise<ContactRow[]> {
    return db(tx)
      .selectFrom('contacts')
      .select(contactColumns)
      .where('contacts.id', '=', anyId(ids))
      .execute();
  }

  async contactsByCustomerIds(tx: Tx, ids: readonly string[]): Promise<ContactRow[]> {
    return db(tx)
      .selectFrom('contacts')
      .select(contactColumns)
      .where('contacts.customerId', '=', anyId(ids))
      .orderBy((eb) => eb.fn('lower', ['contacts.name']))
      .orderBy('contacts.id')
      .execute();
  }

  async insertContact(tx: Tx, c: Omit<ContactRow, 'id' | 'createdAt'>): Promise<ContactRow> {
    try {
      return await db(tx)
        .insertInto('contacts')
        .values({
          customerId: c.customerId,
          name: c.name,
          email: c.email,
          phone: c.phone,
          surveyOptOut: c.surveyOptOut,
        })
        .returning(contactColumns)
        .executeTakeFirstOrThrow();
    } catch (err) {
      rethrowUnique(err);
    }
  }

  /** Changes the given fields (undefined or null name/e-mail/opt-out: unchanged); null when gone. */
  async updateContact(
    tx: Tx,
    id: string,
    c: { name?: string; email?: string; phone?: string | null; surveyOptOut?: boolean },
  ): Promise<ContactRow | null> {
    try {
      const row = await db(tx)
        .updateTable('contacts')
        .set({
          ...(c.name != null && { name: c.name }),
          ...(c.email != null && { email: c.email }),
          ...(c.phone !== undefined && { phone: c.phone }),
          ...(c.surveyOptOut != null && { surveyOptOut: c.surveyOptOut }),
          updatedAt: sql<Date>`now()`,
        })
        .where('contacts.id', '=', id)
        .returning(contactColumns)
        .executeTakeFirst();
      return row ?? null;
    } catch (err) {
      rethrowUnique(err);
    }
  }

  /** A free-tier customer for the unknown sender of a mail (name cut to 200 characters); its id. */
  async insertSenderCustomer(tx: Tx, name: string, domain: string | null): Promise<string> {
    const made = await db(tx)
      .insertInto('customers')
      .values({ name: name.slice(0, 200), domain, tier: 'free' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return made.id;
  }

  /** The customer's contact with this address (any case), created when missing; its id. */
  async ensureContact(tx: Tx, customerId: string, name: string, email: string): Promise<string> {
    const contact = await db(tx)
      .insertInto('contacts')
      .values({ customerId, name: name.slice(0, 200), email })
      // the unique index is on (customer_id, lower(email)): an expression target
      .onConflict((oc) =>
        oc
          .expression(sql`customer_id, lower(email)`)
          .doUpdateSet((eb) => ({ updatedAt: eb.ref('contacts.updatedAt') })),
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    return contact.id;
  }

  /** Marks every contact with one of these addresses (any case) as bouncing; how many it marked. */
  async markAddressesBouncing(tx: Tx, emails: readonly string[], reason: string): Promise<number> {
    if (emails.length === 0) return 0;
    const rows = await db(tx)
      .updateTable('contacts')
      .set({
        emailBouncingAt: sql<Date>`now()`,
        emailBounceReason: reason.slice(0, 500),
        updatedAt: sql<Date>`now()`,
      })
      // lower() in PostgreSQL, as the index contacts_email_idx; one array for the index scan
      .where(
        (eb) =>
          sql<boolean>`${eb.fn('lower', ['contacts.email'])} = any(array(select lower(a) from unnest(${[...emails]}::text[]) as a))`,
      )
      .returning('contacts.id')
      .execute();
    return rows.length;
  }

  /**
   * Clears the bouncing mark of a contact's address (on every contact with that address, as the
   * bounce set it). The address, its customer and how many contacts it cleared; null when the
   * contact does not exist.
   */
  async clearAddressBouncing(
    tx: Tx,
    contactId: string,
  ): Promise<{ email: string; customerId: string; cleared: number } | null> {
    const contact = await db(tx)
      .selectFrom('contacts')
      .select(['contacts.email', 'contacts.customerId'])
      .where('contacts.id', '=', contactId)
      .executeTakeFirst();
    if (!contact) return null;
    const cleared = await db(tx)
      .updateTable('contacts')
      .set({ emailBouncingAt: null, emailBounceReason: null, updatedAt: sql<Date>`now()` })
      .where((eb) =>
        eb(eb.fn('lower', ['contacts.email']), '=', eb.fn('lower', [eb.val(contact.email)])),
      )
      .where('contacts.emailBouncingAt', 'is not', null)
      .returning('contacts.id')
      .execute();
    return { ...contact, cleared: cleared.length };
  }

  /** The contact gets no more surveys. */
  async optOutOfSurveys(tx: Tx, contactId: string): Promise<void> {
    await db(tx)
      .updateTable('contacts')
      .set({ surveyOptOut: true, updatedAt: sql<Date>`now()` })
      .where('contacts.id', '=', contactId)
      .execute();
  }

  /**
   * Merges `set` into a customer's custom field values and drops the keys in `drop`; the values
   * after (read back as JSON text: their snake_case keys stay), or null when there is no such
   * customer.
   */
  async changeCustomFieldValues(
    tx: Tx,
    customerId: string,
    set: Record<string, unknown>,
    drop: string[],
  ): Promise<Record<string, unknown> | null> {
    const row = await db(tx)
      .updateTable('customers')
      .set((eb) => ({
        customFields: sql<string>`(${eb.ref('customers.customFields')} || ${JSON.stringify(set)}::jsonb) - ${drop}::text[]`,
        updatedAt: sql<Date>`now()`,
      }))
      .where('customers.id', '=', customerId)
      .returning((eb) => sql<string>`${eb.ref('customers.customFields')}::text`.as('valuesText'))
      .executeTakeFirst();
    return row ? (JSON.parse(row.valuesText) as Record<string, unknown>) : null;
  }

  /** A customer's history, newest first (customer-timeline.sql.ts). */
  async timeline(
    tx: Tx,
    customerId: string,
    before: { at: string; sortId: string } | null,
    limit: number,
    /** Private teams whose tickets the viewer may not read (`IdentityService.hiddenTeamIds`). */
    hiddenTeamIds: string[],
  ): Promise<TimelineRow[]> {
    return customerTimeline(tx, customerId, before, limit, hiddenTeamIds);
  }
}
