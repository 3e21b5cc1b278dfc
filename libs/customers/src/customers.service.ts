import { Injectable } from '@nestjs/common';
import {
  AuditRepository,
  CursorValue,
  TransactionRunner,
  Tx,
  badInput,
  notFound,
  searchText,
} from '@staydesk/core';
import { Actor, IdentityService, validateId } from '@staydesk/identity';
import { OutboxService } from '@staydesk/outbox';
import { checkFieldValues } from './custom-field-values';
import { assertMayAssignManager, assertMayChangeCustomer } from './customer-ownership';
import type { TimelineRow } from './customer-timeline.sql';
import { CustomersRepository } from './customers.repository';
import {
  CUSTOMER_STATUSES,
  ContactRow,
  CustomerFilter,
  CustomerOrder,
  CustomerRow,
  CustomerStatus,
} from './customers.rows';
import { recordMrrHistory } from './mrr-history';
import {
  ContactInput,
  CustomerInput,
  validateContact,
  validateCustomer,
} from './customers.validation';

/** Value segments (libs/value computes them; listed here so customers need not import it). */
const VALUE_SEGMENTS = ['top', 'high', 'mid', 'low'];

/** Customers (accounts), their contacts, account status (churn/reactivation) and timeline. */
@Injectable()
export class CustomersService {
  constructor(
    private readonly repo: CustomersRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    private readonly identity: IdentityService,
    private readonly outbox: OutboxService,
  ) {}

  /** `tx`: read inside the caller's transaction (never a second pool connection while holding one). */
  byIds(ids: readonly string[], tx: Tx = this.tx.db): Promise<CustomerRow[]> {
    return this.repo.byIds(tx, ids);
  }

  contactsByIds(ids: readonly string[], tx: Tx = this.tx.db): Promise<ContactRow[]> {
    return this.repo.contactsByIds(tx, ids);
  }

  contactsByCustomerIds(ids: readonly string[]): Promise<ContactRow[]> {
    return this.repo.contactsByCustomerIds(this.tx.db, ids);
  }

  statusChangesByCustomerIds(ids: readonly string[]) {
    return this.repo.statusChangesByCustomerIds(this.tx.db, ids);
  }

  async customer(id: string): Promise<CustomerRow> {
    const [c] = await this.repo.byIds(this.tx.db, [validateId(id)]);
    if (!c) throw notFound('customer', id);
    return c;
  }

  async contact(id: string): Promise<ContactRow> {
    const [c] = await this.repo.contactsByIds(this.tx.db, [validateId(id)]);
    if (!c) throw notFound('contact', id);
    return c;
  }

  list(filter: CustomerFilter, order: CustomerOrder, after: CursorValue[] | null, limit: number) {
    filter = { ...filter, search: searchText(filter.search, 'filter.search') };
    if (filter.accountManagerId) validateId(filter.accountManagerId, 'filter.accountManagerId');
    for (const v of filter.valueSegments ?? []) {
      if (!VALUE_SEGMENTS.includes(v))
        throw badInput('filter.valueSegments', `"${v}" is not one of ${VALUE_SEGMENTS.join(', ')}`);
    }
    return this.repo.list(this.tx.db, filter, order, after, limit);
  }

  sortValues(row: CustomerRow, order: CustomerOrder) {
    return this.repo.sortValues(row, order);
  }

  async create(
    actor: Actor,
    input: CustomerInput & { contacts?: ContactInput[] | null },
  ): Promise<CustomerRow> {
    if (input.name == null) throw badInput('name', 'is required');
    const fields = validateCustomer(input);
    const contacts = (input.contacts ?? []).map((c, i) =>
      validateContact(c, `contacts[${i}]`, true),
    );
    if (contacts.length > 50) throw badInput('contacts', 'at most 50 contacts at once');
    assertMayAssignManager(actor, fields.accountManagerId);
    return this.tx.run(async (tx) => {
      if (fields.accountManagerId) await this.requireAccountManager(tx, fields.accountManagerId);
      const customFields = fields.customFields
        ? withoutNulls(await checkFieldValues(tx, 'customer', fields.customFields, 'customFields'))
        : {};
      const customer = await this.repo.insert(tx, {
        name: fields.name!,
        domain: fields.domain ?? null,
        tier: fields.tier ?? 'starter',
        mrr: fields.mrr ?? 0,
        accountManagerId: fields.accountManagerId ?? null,
        customerSince: fields.customerSince ?? new Date(),
        renewalDate: fields.renewalDate ?? null,
        customFields,
      });
      // MRR history (lifetime value): an MRR not given is recorded as unknown, not 0
      await recordMrrHistory(
        tx,
        [{ customerId: customer.id, mrr: fields.mrr ?? null }],
        'app',
        actor.id,
      );
      for (const c of contacts) {
        await this.repo.insertContact(tx, {
          customerId: customer.id,
          name: c.name!,
          email: c.email!,
          phone: c.phone ?? null,
          surveyOptOut: c.surveyOptOut ?? false,
        });
      }
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'customer.create',
        entity: 'customer',
        entityId: customer.id,
        details: { name: customer.name, contacts: contacts.length },
      });
      return customer;
    });
  }

  async update(
    actor: Actor,
    id: string,
    input: CustomerInput,
    given: Set<string>,
  ): Promise<CustomerRow> {
    validateId(id);
    const fields = validateCustomer(input);
    return this.tx.run(async (tx) => {
      const before = await this.repo.lockById(tx, id);
      if (!before) throw notFound('customer', id);
      assertMayChangeCustomer(actor, before);
      if (given.has('accountManagerId')) assertMayAssignManager(actor, fields.accountManagerId);
      if (fields.accountManagerId) await this.requireAccountManager(tx, fields.accountManagerId);
      // the whole set of values replaces the stored one; each changed value is checked against
      // its definition like setCustomerCustomFields (values sent back unchanged pass as stored)
      const customFields = fields.customFields
        ? withoutNulls(
            await checkFieldValues(
              tx,
              'customer',
              fields.customFields,
              'customFields',
              before.customFields ?? {},
            ),
          )
        : undefined;
      const patch: Partial<CustomerRow> = {
        name: fields.name ?? undefined,
        tier: fields.tier ?? undefined,
        mrr: fields.mrr ?? undefined,
        customerSince: fields.customerSince ?? undefined,
        customFields,
      };
      if (given.has('domain')) patch.domain = fields.domain ?? null;
      if (given.has('accountManagerId')) patch.accountManagerId = fields.accountManagerId ?? null;
      if (given.has('renewalDate')) patch.renewalDate = fields.renewalDate ?? null;
      const after = await this.repo.update(tx, id, patch);
      if (fields.mrr != null)
        await recordMrrHistory(tx, [{ customerId: id, mrr: fields.mrr }], 'app', actor.id);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'customer.update',
        entity: 'customer',
        entityId: id,
        details: { changed: [...given] },
      });
      return after;
    });
  }

  /** Marks a customer churned or active again, recording the change for retention metrics. */
  async setStatus(
    actor: Actor,
    id: string,
    status: CustomerStatus,
    reason: string | null,
  ): Promise<CustomerRow> {
    return this.tx.run((tx) => this.changeStatus(tx, actor, id, status, reason));
  }

  /**
   * The status change inside the caller's transaction (for modules that change more in the same
   * unit, e.g. retention closing the outreach follow-ups): customer row, status-change row,
   * audit entry and outbox event.
   */
  async changeStatus(
    tx: Tx,
    actor: Actor,
    id: string,
    status: CustomerStatus,
    reason: string | null,
  ): Promise<CustomerRow> {
    validateId(id);
    if (!CUSTOMER_STATUSES.includes(status))
      throw badInput('status', `must be one of ${CUSTOMER_STATUSES.join(', ')}`);
    if (reason != null && reason.length > 1000)
      throw badInput('reason', 'must be at most 1000 characters');
    const before = await this.repo.lockById(tx, id);
    if (!before) throw notFound('customer', id);
    assertMayChangeCustomer(actor, before);
    if (before.status === status) {
      throw badInput('status', `customer ${id} is already ${status}`);
    }
    const after = await this.repo.update(tx, id, {
      status,
      churnedAt: status === 'churned' ? new Date() : null,
    });
    await this.repo.insertStatusChange(tx, {
      customerId: id,
      fromStatus: before.status,
      toStatus: status,
      reason: reason?.trim() || null,
      actorId: actor.id,
    });
    await this.audit.record(tx, {
      actorId: actor.id,
      action: status === 'churned' ? 'customer.churn' : 'customer.reactivate',
      entity: 'customer',
      entityId: id,
      details: { reason },
    });
    await this.outbox.record(tx, {
      type: 'customer.status_changed',
      payload: { customerId: id, from: before.status, to: status },
    });
    return after;
  }

  async createContact(actor: Actor, customerId: string, input: ContactInput): Promise<ContactRow> {
    validateId(customerId, 'customerId');
    const c = validateContact(input, 'input', true);
    return this.tx.run(async (tx) => {
      const [customer] = await this.repo.byIds(tx, [customerId]);
      if (!customer) throw notFound('customer', customerId);
      const contact = await this.repo.insertContact(tx, {
        customerId,
        name: c.name!,
        email: c.email!,
        phone: c.phone ?? null,
        surveyOptOut: c.surveyOptOut ?? false,
      });
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'contact.create',
        entity: 'contact',
        entityId: contact.id,
      });
      return contact;
    });
  }

  async updateContact(
    actor: Actor,
    id: string,
    input: ContactInput,
    given: Set<string>,
  ): Promise<ContactRow> {
    validateId(id);
    const c = validateContact(input, 'input', false);
    return this.tx.run(async (tx) => {
      const contact = await this.repo.updateContact(tx, id, {
        name: c.name ?? undefined,
        email: c.email ?? undefined,
        phone: given.has('phone') ? (c.phone ?? null) : undefined,
        surveyOptOut: c.surveyOptOut ?? undefined,
      });
      if (!contact) throw notFound('contact', id);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'contact.update',
        entity: 'contact',
        entityId: id,
        details: { changed: [...given] },
      });
      return contact;
    });
  }

  // Writes inside another library's transaction (mail filing, bounces, survey pages, custom
  // fields): the caller owns the unit of work, customers owns the rows (decision 60).

  /** A free-tier customer for the unknown sender of a mail, named after them or their domain. */
  createSenderCustomer(tx: Tx, name: string, domain: string | null): Promise<string> {
    return this.repo.insertSenderCustomer(tx, name, domain);
  }

  /** The customer's contact with this address (any case), created when missing; its id. */
  ensureContact(tx: Tx, customerId: string, name: string, email: string): Promise<string> {
    return this.repo.ensureContact(tx, customerId, name, email);
  }

  /** Marks every contact with one of these addresses as bouncing (mail to them came back). */
  markAddressesBouncing(tx: Tx, emails: readonly string[], reason: string): Promise<number> {
    return this.repo.markAddressesBouncing(tx, emails, reason);
  }

  /** Clears the bouncing mark of the contact's address; null when there is no such contact. */
  clearAddressBouncing(
    tx: Tx,
    contactId: string,
  ): Promise<{ email: string; customerId: string; cleared: number } | null> {
    return this.repo.clearAddressBouncing(tx, contactId);
  }

  /** The contact asked for no more surveys. */
  optOutOfSurveys(tx: Tx, contactId: string): Promise<void> {
    return this.repo.optOutOfSurveys(tx, contactId);
  }

  /**
   * Sets (merges) and drops custom field values the caller has checked; the values after, or
   * null when there is no such customer.
   */
  changeCustomFieldValues(
    tx: Tx,
    customerId: string,
    set: Record<string, unknown>,
    drop: string[],
  ): Promise<Record<string, unknown> | null> {
    return this.repo.changeCustomFieldValues(tx, customerId, set, drop);
  }

  async timeline(
    customerId: string,
    before: { at: string; sortId: string } | null,
    limit: number,
    viewer: Actor,
  ): Promise<TimelineRow[]> {
    await this.customer(customerId);
    return this.repo.timeline(
      this.tx.db,
      customerId,
      before,
      limit,
      await this.identity.hiddenTeamIds(viewer),
    );
  }

  private async requireAccountManager(_tx: Tx, id: string): Promise<void> {
    const [u] = await this.identity.usersByIds([id], _tx);
    if (!u) throw notFound('user', id);
    if (u.role !== 'account_manager' && u.role !== 'admin') {
      throw badInput('accountManagerId', `user ${id} is a ${u.role}, not an account manager`);
    }
  }
}

function withoutNulls(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null));
}
