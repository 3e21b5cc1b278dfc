import { Tx, badInput, db } from '@staydesk/core';

/**
 * Custom field values of tickets and customers, checked against the admins' definitions
 * (`custom_field_definitions`). Lives here, below libs/automations (which manages the
 * definitions), so that `updateCustomer` and `setCustomerCustomFields` share one check.
 */
export const FIELD_ENTITIES = ['ticket', 'customer'] as const;
export type FieldEntity = (typeof FIELD_ENTITIES)[number];
export const FIELD_TYPES = ['text', 'number', 'date', 'dropdown', 'checkbox'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldDefinitionRow {
  id: string;
  entity: FieldEntity;
  key: string;
  label: string;
  type: FieldType;
  options: string[];
  position: number;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The definition columns for hand-written SQL elsewhere (libs/automations' custom-fields.ts). */
export const FIELD_DEFINITION_COLUMNS = `id::text, entity, key, label, type, options, position, active,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The entity's definitions (all when null), in order: typed query builder. */
export function listFieldDefinitions(
  tx: Tx,
  entity: FieldEntity | null,
): Promise<FieldDefinitionRow[]> {
  let q = db(tx)
    .selectFrom('customFieldDefinitions as d')
    .select([
      'd.id',
      'd.entity',
      'd.key',
      'd.label',
      'd.type',
      'd.options',
      'd.position',
      'd.active',
      'd.createdAt',
      'd.updatedAt',
    ]);
  if (entity !== null) q = q.where('d.entity', '=', entity);
  return q.orderBy('d.entity').orderBy('d.position').orderBy('d.id').execute();
}

/** Checks one value against its definition; null clears the field. */
export function checkFieldValue(def: FieldDefinitionRow, value: unknown, at: string): unknown {
  if (value === null) return null;
  switch (def.type) {
    case 'text':
      if (typeof value !== 'string' || value.length > 1000)
        throw badInput(at, `${def.label} takes text of at most 1000 characters`);
      return value.trim();
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw badInput(at, `${def.label} takes a number`);
      return value;
    case 'date': {
      const ok =
        typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}$/.test(value) &&
        new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
      if (!ok) throw badInput(at, `${def.label} takes a date like 2027-03-31`);
      return value;
    }
    case 'dropdown':
      if (typeof value !== 'string' || !def.options.includes(value))
        throw badInput(at, `${def.label} takes one of ${def.options.join(', ')}`);
      return value;
    case 'checkbox':
      if (typeof value !== 'boolean') throw badInput(at, `${def.label} takes true or false`);
      return value;
  }
}

/**
 * Validates values against the entity's active definitions; BAD_USER_INPUT names
 * `<prefix>.<key>`. Keys in `keep` whose value equals the stored one pass unchecked (a field
 * an import set before it was defined survives an edit that sends it back unchanged).
 */
export async function checkFieldValues(
  tx: Tx,
  entity: FieldEntity,
  values: Record<string, unknown>,
  prefix = 'values',
  keep: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const entries = Object.entries(values);
  if (entries.length > 100) throw badInput(prefix, 'at most 100 fields at once');
  const defs = entries.length ? await listFieldDefinitions(tx, entity) : [];
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const at = `${prefix}.${key}`;
    if (key in keep && JSON.stringify(keep[key]) === JSON.stringify(value)) {
      out[key] = value;
      continue;
    }
    const def = defs.find((d) => d.key === key);
    if (!def) throw badInput(at, `there is no ${entity} field "${key.slice(0, 50)}"`);
    if (!def.active) throw badInput(at, `the ${entity} field "${def.label}" is switched off`);
    out[key] = checkFieldValue(def, value, at);
  }
  return out;
}

/** A list filter on custom field values (`{"plan": "gold"}`): keys and scalar values only. */
export function customFieldFilter(
  v: Record<string, unknown>,
  at = 'filter.customFields',
): Record<string, string | number | boolean> {
  const entries = Object.entries(v);
  if (entries.length > 20) throw badInput(at, 'at most 20 fields');
  for (const [k, x] of entries) {
    if (!/^[a-z][a-z0-9_]{0,39}$/.test(k))
      throw badInput(at, `"${k.slice(0, 50)}" is not a custom field key`);
    if (!['string', 'number', 'boolean'].includes(typeof x))
      throw badInput(`${at}.${k}`, 'must be a text, number, date or true/false');
  }
  return v as Record<string, string | number | boolean>;
}
