import {
  FieldNode,
  GraphQLResolveInfo,
  GraphQLSchema,
  SelectionSetNode,
  isObjectType,
} from 'graphql';

/**
 * Relations a list query has already read with its rows (one joined statement instead of a
 * DataLoader per relation): `preload(row, { customer, … })` attaches them, and the schema
 * transform `usePreloaded` makes each field with a resolver answer from them first, without
 * running the resolver (and Nest's per-field context, guards and parameter decorators around
 * it). Rows without preloaded values resolve as before.
 */
const PRELOADED = Symbol('preloaded');

type WithPreloaded = { [PRELOADED]?: Record<string, unknown> };

export function preload<T extends object>(row: T, values: Record<string, unknown>): T {
  (row as WithPreloaded)[PRELOADED] = values;
  return row;
}

/** The name of the resolver @nestjs/graphql gives a field that just reads its property. */
const NEST_PROPERTY_RESOLVER = 'rootFieldResolver';

/**
 * Wraps the resolver of every argument-less field of the schema's object types (in place): a
 * value preloaded under the field's name wins. Used as the GraphQL module's `transformSchema`.
 */
export function usePreloaded(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      // Nest gives every plain property its own resolver (`rootFieldResolver`: the property, or
      // the field's default value); no value is ever preloaded for one, and wrapping it cost a
      // second call on every column of every row of a page
      if (!resolve || field.args.length > 0 || resolve.name === NEST_PROPERTY_RESOLVER) continue;
      const name = field.name;
      field.resolve = (source, args, context, info) => {
        const preloaded = (source as WithPreloaded | null)?.[PRELOADED];
        if (preloaded !== undefined && name in preloaded) return preloaded[name];
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}

/**
 * The field names the query selects at `path` below the current field (e.g. ['edges', 'node']
 * of a connection), through fragments and inline fragments. Directives are not evaluated: a
 * field under @skip counts as selected (reading it is harmless).
 */
export function selectedFields(info: GraphQLResolveInfo, path: string[]): Set<string> {
  let sets: SelectionSetNode[] = info.fieldNodes
    .map((n) => n.selectionSet)
    .filter((s): s is SelectionSetNode => !!s);
  const fieldsOf = (set: SelectionSetNode, out: FieldNode[]) => {
    for (const sel of set.selections) {
      if (sel.kind === 'Field') out.push(sel);
      else if (sel.kind === 'InlineFragment') fieldsOf(sel.selectionSet, out);
      else {
        const fragment = info.fragments[sel.name.value];
        if (fragment) fieldsOf(fragment.selectionSet, out);
      }
    }
    return out;
  };
  for (const step of path) {
    sets = sets.flatMap((s) =>
      fieldsOf(s, [])
        .filter((f) => f.name.value === step && f.selectionSet)
        .map((f) => f.selectionSet!),
    );
  }
  return new Set(sets.flatMap((s) => fieldsOf(s, []).map((f) => f.name.value)));
}

/**
 * A row read as JSON (`to_jsonb` of a subquery) back in the shape the driver gives: timestamps
 * (the `…At` and `…Since` columns) as Dates.
 */
export function jsonRow<T>(json: unknown): T | null {
  if (json === null || json === undefined) return null;
  const row = json as Record<string, unknown>;
  for (const key of Object.keys(row)) {
    const v = row[key];
    if (typeof v === 'string' && (key.endsWith('At') || key.endsWith('Since'))) {
      row[key] = new Date(v);
    }
  }
  return row as T;
}
