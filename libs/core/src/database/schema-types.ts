/**
 * Row types of the migrated schema, for the typed query builder (decision "Typed SQL").
 *
 * `readSchemaColumns` reads every table, view and materialized view of the `public` schema from
 * the catalog; `renderSchemaTypes` turns them into `libs/core/src/database/db.generated.ts`
 * (Kysely table interfaces, camelCase like our row types). `npm run db:types` writes the file; a
 * medium test regenerates it from a freshly migrated database and fails when the checked-in copy
 * differs, so a migration that renames a column also changes the types every query is checked
 * against.
 */
import type { Tx } from './transaction';

export interface SchemaColumn {
  table: string;
  column: string;
  /** pg_type.typname of the column, or of the element for arrays. */
  type: string;
  isArray: boolean;
  notNull: boolean;
  /** Has a default, is an identity or generated column: optional on insert. */
  generated: boolean;
  /** r: table, p: partitioned table, v: view, m: materialized view. */
  kind: 'r' | 'p' | 'v' | 'm';
  /** Allowed values from a `CHECK (col IN (…))` constraint: the type becomes their union. */
  values?: string[];
}

/** Tables that belong to tools, not to the product. */
const SKIPPED_TABLES = new Set(['migrations', 'typeorm_metadata']);

/** Raw SQL over the system catalog: it writes the types the builder would need to read it. */
export async function readSchemaColumns(db: Tx): Promise<SchemaColumn[]> {
  const rows: {
    table: string;
    column: string;
    type: string;
    elem: string | null;
    notNull: boolean;
    generated: boolean;
    kind: SchemaColumn['kind'];
  }[] = await db.query(`
    SELECT c.relname AS "table", a.attname AS "column", t.typname AS "type", e.typname AS elem,
           a.attnotnull AS "notNull",
           (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS "generated",
           c.relkind AS kind
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
       AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY c.relname, a.attnum`);
  const checks: { table: string; column: string; def: string }[] = await db.query(`
    SELECT c.relname AS "table", a.attname AS "column", pg_get_constraintdef(k.oid) AS def
      FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.conkey[1]
     WHERE n.nspname = 'public' AND k.contype = 'c' AND cardinality(k.conkey) = 1`);
  const allowed = new Map<string, string[]>();
  for (const c of checks) {
    const values = checkedValues(c.column, c.def);
    if (values) allowed.set(`${c.table}.${c.column}`, values);
  }
  return rows
    .filter((r) => !SKIPPED_TABLES.has(r.table))
    .map((r) => ({
      table: r.table,
      column: r.column,
      type: r.elem ?? r.type,
      isArray: r.elem !== null,
      notNull: r.notNull,
      generated: r.generated,
      kind: r.kind,
      values: allowed.get(`${r.table}.${r.column}`),
    }));
}

/**
 * The literals of `CHECK ((col = ANY (ARRAY['a'::text, 'b'::text])))`, as PostgreSQL prints an
 * `IN` list; undefined for any other check.
 */
export function checkedValues(column: string, def: string): string[] | undefined {
  const m = /^CHECK \(\((\w+) = ANY \(ARRAY\[(.*)\]\)\)\)$/.exec(def);
  if (!m || m[1] !== column) return undefined;
  const values: string[] = [];
  for (const item of m[2].split(', ')) {
    const v = /^'((?:[^']|'')*)'::text$/.exec(item);
    if (!v) return undefined;
    values.push(v[1].replace(/''/g, "'"));
  }
  return values;
}

/**
 * TypeScript type of a column as node-postgres returns it with its default parsers (we set none):
 * int8 and numeric as strings (they may exceed a double), dates and timestamps as `Date`.
 */
const SCALARS: Record<string, [select: string, write: string]> = {
  int2: ['number', 'number'],
  int4: ['number', 'number'],
  float4: ['number', 'number'],
  float8: ['number', 'number'],
  oid: ['number', 'number'],
  int8: ['string', 'string | number | bigint'],
  numeric: ['string', 'string | number'],
  bool: ['boolean', 'boolean'],
  text: ['string', 'string'],
  varchar: ['string', 'string'],
  bpchar: ['string', 'string'],
  citext: ['string', 'string'],
  name: ['string', 'string'],
  uuid: ['string', 'string'],
  inet: ['string', 'string'],
  tsvector: ['string', 'string'],
  tstzrange: ['string', 'string'],
  tstzmultirange: ['string', 'string'],
  interval: ['{ [unit: string]: number }', 'string'],
  timestamptz: ['Date', 'Date | string'],
  timestamp: ['Date', 'Date | string'],
  date: ['Date', 'Date | string'],
  time: ['string', 'string'],
  json: ['unknown', 'string'],
  jsonb: ['unknown', 'string'],
  bytea: ['Buffer', 'Buffer'],
};

export function camelCase(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function pascalCase(snake: string): string {
  const c = camelCase(snake);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

function columnType(col: SchemaColumn): string {
  const scalar = SCALARS[col.type];
  if (!scalar)
    throw new Error(`db:types: no TypeScript type for ${col.table}.${col.column} (${col.type})`);
  let [select, write] = scalar;
  if (col.values && col.type === 'text' && !col.isArray) {
    select = write = col.values.map((v) => `'${v.replace(/[\\']/g, (c) => `\\${c}`)}'`).join(' | ');
  }
  if (col.isArray) {
    select = `(${select})[]`;
    write = `(${write})[]`;
  }
  // Views report every column nullable; so do we.
  if (!col.notNull) {
    select = `${select} | null`;
    write = `${write} | null`;
  }
  const optional = col.generated && (col.kind === 'r' || col.kind === 'p');
  if (select === write && !optional) return select;
  return `ColumnType<${select}, ${write}${optional ? ' | undefined' : ''}, ${write}>`;
}

const HEADER = `// Generated by \`npm run db:types\` from the migrated schema (libs/core/src/database/schema-types.ts).
// Do not edit: change a migration, then regenerate. A medium test fails when this file is stale.
// ColumnType<select, insert, update>: bigint and numeric read as strings, as node-postgres
// returns them; columns with a default are optional on insert.
import type { ColumnType } from 'kysely';
`;

/** The generated module's text; deterministic for one schema. */
export function renderSchemaTypes(columns: readonly SchemaColumn[]): string {
  const tables = new Map<string, SchemaColumn[]>();
  for (const c of columns) {
    const list = tables.get(c.table) ?? [];
    list.push(c);
    tables.set(c.table, list);
  }
  const names = [...tables.keys()].sort();
  const out = [HEADER];
  for (const table of names) {
    const kind = tables.get(table)![0].kind;
    const what = kind === 'v' ? 'view' : kind === 'm' ? 'materialized view' : 'table';
    out.push(`/** ${what} \`${table}\` */\nexport interface ${pascalCase(table)} {`);
    for (const col of tables.get(table)!)
      out.push(`  ${camelCase(col.column)}: ${columnType(col)};`);
    out.push('}\n');
  }
  out.push('export interface DB {');
  for (const table of names) out.push(`  ${camelCase(table)}: ${pascalCase(table)};`);
  out.push('}\n');
  return out.join('\n');
}
