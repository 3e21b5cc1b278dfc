import { Injectable } from '@nestjs/common';
import {
  Args,
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  registerEnumType,
} from '@nestjs/graphql';
import {
  AuditRepository,
  GraphQLJSONObject,
  TransactionRunner,
  Tx,
  badInput,
  conflict,
  forbidden,
  notFound,
} from '@staydesk/core';
import {
  ACCOUNT_OWNERS,
  Actor,
  CurrentUser,
  EVERYONE,
  Roles,
  TICKET_WORKERS,
  validateId,
} from '@staydesk/identity';
import { OutboxService } from '@staydesk/outbox';
import {
  FIELD_ENTITIES,
  FIELD_TYPES,
  FieldDefinitionRow,
  FieldEntity,
  FieldType,
  CustomersService,
  checkFieldValues,
  listFieldDefinitions,
} from '@staydesk/customers';
import { TicketObject, TicketsService } from '@staydesk/tickets';
import { CustomFieldsRepository } from './custom-fields.repository';

export { FIELD_ENTITIES, FIELD_TYPES, checkFieldValue } from '@staydesk/customers';
export type { FieldDefinitionRow, FieldEntity, FieldType } from '@staydesk/customers';

/**
 * Admin-defined fields of tickets and customers; values validated on set. Its SQL is in
 * {@link CustomFieldsRepository} (typed query builder).
 */
@Injectable()
export class CustomFieldsService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    private readonly tickets: TicketsService,
    private readonly outbox: OutboxService,
    private readonly repo: CustomFieldsRepository,
    private readonly customers: CustomersService,
  ) {}

  async list(entity: FieldEntity | null, tx: Tx = this.tx.db): Promise<FieldDefinitionRow[]> {
    return listFieldDefinitions(tx, entity);
  }

  async create(actor: Actor, input: FieldDefinitionInput): Promise<FieldDefinitionRow> {
    this.requireAdmin(actor);
    if (!FIELD_ENTITIES.includes(input.entity as FieldEntity))
      throw badInput('entity', `must be ${FIELD_ENTITIES.join(' or ')}`);
    const key = (input.key ?? '').trim();
    if (!/^[a-z][a-z0-9_]{0,39}$/.test(key))
      throw badInput(
        'key',
        'must be 1 to 40 lowercase letters, digits or _ starting with a letter',
      );
    if (!FIELD_TYPES.includes(input.type as FieldType))
      throw badInput('type', `must be one of ${FIELD_TYPES.join(', ')}`);
    const { label, options } = this.checkShape(input.type as FieldType, input);
    return this.tx.run(async (tx) => {
      const row = await this.repo.insertDefinition(tx, {
        entity: input.entity as FieldEntity,
        key,
        label,
        type: input.type as FieldType,
        options,
      });
      if (!row)
        throw conflict(`a ${input.entity} field with the key "${key}" exists already`, {
          field: 'key',
        });
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'custom_field.create',
        entity: 'custom_field',
        entityId: row.id,
        details: { key, type: input.type },
      });
      return row;
    });
  }

  /** Label, options, order and whether it is offered; the key and type stay (values depend on them). */
  async update(
    actor: Actor,
    id: string,
    input: FieldDefinitionUpdate,
  ): Promise<FieldDefinitionRow> {
    this.requireAdmin(actor);
    validateId(id);
    return this.tx.run(async (tx) => {
      const before = await this.repo.lockDefinition(tx, id);
      if (!before) throw notFound('custom field', id);
      const { label, options } = this.checkShape(before.type, {
        label: input.label ?? before.label,
        options: input.options ?? before.options,
      });
      const row = await this.repo.updateDefinition(tx, id, {
        label,
        options,
        active: input.active ?? before.active,
        position: input.position ?? before.position,
      });
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'custom_field.update',
        entity: 'custom_field',
        entityId: id,
        details: { label, active: row.active },
      });
      return row;
    });
  }

  /** Validates values against the entity's active definitions (BAD_USER_INPUT names the field). */
  async check(
    entity: FieldEntity,
    values: Record<string, unknown>,
    tx: Tx = this.tx.db,
  ): Promise<Record<string, unknown>> {
    return checkFieldValues(tx, entity, values);
  }

  async setTicketValues(
    actor: Actor,
    ticketId: string,
    values: Record<string, unknown>,
    expectedVersion: number | null | undefined,
  ) {
    if (!TICKET_WORKERS.includes(actor.role))
      throw forbidden(`a ${actor.role} may not change tickets`);
    validateId(ticketId, 'ticketId');
    const checked = await this.check('ticket', values);
    return this.tx.run(async (tx) => {
      const t = await this.tickets.lockForChange(tx, ticketId, expectedVersion);
      const next: Record<string, unknown> = { ...t.customFields };
      for (const [k, v] of Object.entries(checked)) {
        if (v === null) delete next[k];
        else next[k] = v;
      }
      if (JSON.stringify(next) === JSON.stringify(t.customFields)) return t;
      await this.tickets.replaceCustomFieldsInTx(tx, ticketId, next);
      const changed = Object.keys(checked).join(',');
      await this.tickets.recordEventsInTx(tx, [
        {
          ticketId,
          actorId: actor.id,
          type: 'custom_fields_changed',
          fromValue: changed,
          toValue: JSON.stringify(checked).slice(0, 1000),
          createdAt: new Date(),
        },
      ]);
      await this.outbox.record(tx, {
        type: 'ticket.updated',
        payload: {
          ticketId,
          customerId: t.customerId,
          changes: [{ type: 'custom_fields_changed', from: changed, to: null }],
        },
      });
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'ticket.custom_fields',
        entity: 'ticket',
        entityId: ticketId,
        details: { fields: Object.keys(checked) },
      });
      await this.tickets.runHooks(tx, ticketId, 'ticket_updated', actor);
      return this.tickets.lockForChange(tx, ticketId);
    });
  }

  async setCustomerValues(actor: Actor, customerId: string, values: Record<string, unknown>) {
    if (!ACCOUNT_OWNERS.includes(actor.role))
      throw forbidden(`a ${actor.role} may not change customers`);
    validateId(customerId, 'customerId');
    const checked = await this.check('customer', values);
    return this.tx.run(async (tx) => {
      const after = await this.customers.changeCustomFieldValues(
        tx,
        customerId,
        Object.fromEntries(Object.entries(checked).filter(([, v]) => v !== null)),
        Object.entries(checked)
          .filter(([, v]) => v === null)
          .map(([k]) => k),
      );
      if (!after) throw notFound('customer', customerId);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'customer.custom_fields',
        entity: 'customer',
        entityId: customerId,
        details: { fields: Object.keys(checked) },
      });
      return after;
    });
  }

  private checkShape(type: FieldType, input: { label?: string | null; options?: string[] | null }) {
    const label = (input.label ?? '').trim();
    if (!label || label.length > 100) throw badInput('label', 'must be 1 to 100 characters');
    const options = [...new Set((input.options ?? []).map((o) => o.trim()).filter(Boolean))];
    if (type === 'dropdown' && (options.length < 1 || options.length > 100))
      throw badInput('options', 'a dropdown needs 1 to 100 options');
    if (type !== 'dropdown' && options.length)
      throw badInput('options', 'only dropdowns have options');
    if (options.some((o) => o.length > 100))
      throw badInput('options', 'an option is at most 100 characters');
    return { label, options };
  }

  private requireAdmin(actor: Actor) {
    if (actor.role !== 'admin') throw forbidden('only admins manage custom fields');
  }
}

const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };
export const FieldEntityEnum = enumOf(FIELD_ENTITIES);
registerEnumType(FieldEntityEnum, { name: 'CustomFieldEntity' });
export const FieldTypeEnum = enumOf(FIELD_TYPES);
registerEnumType(FieldTypeEnum, {
  name: 'CustomFieldType',
  description:
    'Values: text (string), number, date ("YYYY-MM-DD"), dropdown (one of the options), checkbox (true/false).',
});

@ObjectType('CustomFieldDefinition', {
  description:
    'An admin-defined field of tickets or customers. Values live in customFields under `key`; queue filters and saved views match them (TicketFilter.customFields), automation rules test them (field "custom.<key>").',
})
export class FieldDefinitionObject {
  @Field(() => ID) id!: string;
  @Field(() => FieldEntityEnum) entity!: string;
  @Field() key!: string;
  @Field() label!: string;
  @Field(() => FieldTypeEnum) type!: string;
  @Field(() => [String]) options!: string[];
  @Field(() => Int) position!: number;
  @Field() active!: boolean;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}

@InputType('CustomFieldDefinitionInput')
export class FieldDefinitionInput {
  @Field(() => FieldEntityEnum) entity!: string;
  @Field({ description: 'lowercase letters, digits and _ (fixed once created).' }) key!: string;
  @Field() label!: string;
  @Field(() => FieldTypeEnum) type!: string;
  @Field(() => [String], { nullable: true, description: 'Dropdowns only.' })
  options?: string[] | null;
}

@InputType('CustomFieldDefinitionUpdate')
export class FieldDefinitionUpdate {
  @Field(() => String, { nullable: true }) label?: string | null;
  @Field(() => [String], { nullable: true }) options?: string[] | null;
  @Field(() => Boolean, { nullable: true }) active?: boolean | null;
  @Field(() => Int, { nullable: true }) position?: number | null;
}

@Resolver(() => FieldDefinitionObject)
export class CustomFieldsResolver {
  constructor(private readonly fields: CustomFieldsService) {}

  @Roles(...EVERYONE)
  @Query(() => [FieldDefinitionObject], { description: 'Custom field definitions, in order.' })
  customFieldDefinitions(
    @Args('entity', { type: () => FieldEntityEnum, nullable: true }) entity?: FieldEntity | null,
  ) {
    return this.fields.list(entity ?? null);
  }

  @Roles('admin')
  @Mutation(() => FieldDefinitionObject, { description: 'Define a field (admins).' })
  createCustomFieldDefinition(
    @CurrentUser() actor: Actor,
    @Args('input') input: FieldDefinitionInput,
  ) {
    return this.fields.create(actor, input);
  }

  @Roles('admin')
  @Mutation(() => FieldDefinitionObject, {
    description: 'Relabel, change options, reorder or switch a field off (admins).',
  })
  updateCustomFieldDefinition(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: FieldDefinitionUpdate,
  ) {
    return this.fields.update(actor, id, input);
  }

  @Roles(...TICKET_WORKERS)
  @Mutation(() => TicketObject, {
    description:
      'Set custom field values of a ticket (null clears one). Each is checked against its definition: BAD_USER_INPUT names the field.',
  })
  setTicketCustomFields(
    @CurrentUser() actor: Actor,
    @Args('ticketId', { type: () => ID }) ticketId: string,
    @Args('values', { type: () => GraphQLJSONObject }) values: Record<string, unknown>,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number | null,
  ) {
    return this.fields.setTicketValues(actor, ticketId, values, expectedVersion);
  }

  @Roles(...ACCOUNT_OWNERS)
  @Mutation(() => GraphQLJSONObject, {
    description:
      "Set custom field values of a customer (null clears one); returns the customer's values.",
  })
  setCustomerCustomFields(
    @CurrentUser() actor: Actor,
    @Args('customerId', { type: () => ID }) customerId: string,
    @Args('values', { type: () => GraphQLJSONObject }) values: Record<string, unknown>,
  ) {
    return this.fields.setCustomerValues(actor, customerId, values);
  }
}
