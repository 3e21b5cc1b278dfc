import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Tx, db } from '@staydesk/core';
import type { FieldDefinitionRow, FieldEntity, FieldType } from '@staydesk/customers';

/** The columns of a {@link FieldDefinitionRow}. */
const DEFINITION_COLUMNS = [
  'customFieldDefinitions.id',
  'customFieldDefinitions.entity',
  'customFieldDefinitions.key',
  'customFieldDefinitions.label',
  'customFieldDefinitions.type',
  'customFieldDefinitions.options',
  'customFieldDefinitions.position',
  'customFieldDefinitions.active',
  'customFieldDefinitions.createdAt',
  'customFieldDefinitions.updatedAt',
] as const;

/**
 * The writes of custom field definitions and values (custom-fields.ts). Typed query builder
 * ({@link db}); values (jsonb whose keys are the fields' snake_case keys) are written as JSON
 * text and read back as text, never as objects the CamelCasePlugin would rename.
 */
@Injectable()
export class CustomFieldsRepository {
  /** A new definition, last of its entity; null when the entity has that key already. */
  async insertDefinition(
    tx: Tx,
    d: { entity: FieldEntity; key: string; label: string; type: FieldType; options: string[] },
  ): Promise<FieldDefinitionRow | null> {
    const row = await db(tx)
      .insertInto('customFieldDefinitions')
      .values((eb) => ({
        entity: d.entity,
        key: d.key,
        label: d.label,
        type: d.type,
        options: d.options,
        position: eb
          .selectFrom('customFieldDefinitions as p')
          .select((e) => sql<number>`coalesce(max(${e.ref('p.position')}), 0) + 1`.as('next'))
          .where('p.entity', '=', d.entity)
          .$asScalar(),
      }))
      .onConflict((oc) => oc.columns(['entity', 'key']).doNothing())
      .returning(DEFINITION_COLUMNS)
      .executeTakeFirst();
    return row ?? null;
  }

  async lockDefinition(tx: Tx, id: string): Promise<FieldDefinitionRow | null> {
    const row = await db(tx)
      .selectFrom('customFieldDefinitions')
      .select(DEFINITION_COLUMNS)
      .where('customFieldDefinitions.id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row ?? null;
  }

  async updateDefinition(
    tx: Tx,
    id: string,
    d: Pick<FieldDefinitionRow, 'label' | 'options' | 'active' | 'position'>,
  ): Promise<FieldDefinitionRow> {
    return db(tx)
      .updateTable('customFieldDefinitions')
      .set({
        label: d.label,
        options: d.options,
        active: d.active,
        position: d.position,
        updatedAt: sql<Date>`now()`,
      })
      .where('customFieldDefinitions.id', '=', id)
      .returning(DEFINITION_COLUMNS)
      .executeTakeFirstOrThrow();
  }
}
