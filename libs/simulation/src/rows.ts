/** Writing the simulated world: set-based multi-row inserts and COPY, with ids reserved ahead. */
import { Client } from 'pg';
import { copyLine, copyToClient } from '@staydesk/core';

export const BATCH_ROWS = 5000;
// ---------------------------------------------------------------------------------------------
// Writing: set-based inserts

export type Db = Client;

export interface Column<R> {
  name: string;
  /** PostgreSQL element type of the array parameter. */
  type: string;
  value: (row: R) => unknown;
  /** SQL to turn the unnested element (`ref`) into the column value, if not itself. */
  expr?: (ref: string) => string;
  /** Only an input to `computed` columns (which name it as `{name}`), not a column of the table. */
  inputOnly?: boolean;
}

/** `INSERT INTO table (…) SELECT …` over the refs `c0`, `c1`, … of `columns`, in their order. */
export function insertSelect<R>(
  table: string,
  columns: Column<R>[],
  computed: Record<string, string>,
): { insert: string; select: string; refs: string[] } {
  const refs = columns.map((_, i) => `c${i}`);
  const written = columns.map((c, i) => ({ c, ref: refs[i] })).filter(({ c }) => !c.inputOnly);
  const overriding = columns.some((c) => c.name === 'id') ? ' OVERRIDING SYSTEM VALUE' : '';
  const names = [...written.map(({ c }) => c.name), ...Object.keys(computed)];
  const byName = new Map(columns.map((c, i) => [c.name, refs[i]]));
  const values = [
    ...written.map(({ c, ref }) => (c.expr ? c.expr(ref) : ref)),
    ...Object.values(computed).map((sql) =>
      sql.replace(/\{(\w+)\}/g, (_, name: string) => byName.get(name) ?? `{${name}}`),
    ),
  ];
  return {
    insert: `INSERT INTO ${table} (${names.join(', ')})${overriding}`,
    select: `SELECT ${values.join(', ')}`,
    refs,
  };
}

/** Connections that write with `COPY … FROM STDIN` instead of `INSERT … unnest` (see {@link useCopy}). */
export const copyClients = new WeakSet<Db>();

/**
 * Switches a connection to PostgreSQL's bulk path: every later {@link insertRows} on it streams
 * its rows with `COPY … FROM STDIN` (text format). The data generator uses it; the demo seeder
 * keeps the plain INSERTs, which are fast enough for its sizes and need no temp tables.
 */
export function useCopy(db: Db): void {
  copyClients.add(db);
}

/**
 * Writes `rows` to `table`: `INSERT INTO table (…) SELECT … FROM unnest($1::t1[], …)` with one
 * array parameter per column and `BATCH_ROWS` rows per statement, or, on a {@link useCopy}
 * connection, one `COPY`. `computed` adds columns that PostgreSQL computes from the written
 * ones (SQL naming written columns as `{name}`). Explicit ids need OVERRIDING SYSTEM VALUE (identity).
 */
export async function insertRows<R>(
  db: Db,
  table: string,
  columns: Column<R>[],
  rows: R[],
  computed: Record<string, string> = {},
): Promise<void> {
  if (rows.length === 0) return;
  if (copyClients.has(db)) return copyRows(db, table, columns, rows, computed);
  const { insert, select, refs } = insertSelect(table, columns, computed);
  const sql =
    `${insert} ${select} ` +
    `FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')}) AS u(${refs.join(', ')})`;
  for (let start = 0; start < rows.length; start += BATCH_ROWS) {
    const batch = rows.slice(start, start + BATCH_ROWS);
    await db.query(
      sql,
      columns.map((c) => batch.map(c.value)),
    );
  }
}

/**
 * COPY path of {@link insertRows}. Plain columns stream straight into the table; when a column
 * needs SQL (an `expr`, or `computed` columns such as a tsvector) the rows go through a
 * transaction-local staging table and one `INSERT … SELECT`.
 */
export async function copyRows<R>(
  db: Db,
  table: string,
  columns: Column<R>[],
  rows: R[],
  computed: Record<string, string>,
): Promise<void> {
  const staged = columns.some((c) => c.expr || c.inputOnly) || Object.keys(computed).length > 0;
  const target = staged ? `pg_temp.stage_${table}` : table;
  const { insert, select, refs } = insertSelect(table, columns, computed);
  if (staged) {
    await db.query(
      `CREATE TEMP TABLE IF NOT EXISTS stage_${table} (${columns.map((c, i) => `${refs[i]} ${c.type}`).join(', ')}) ON COMMIT DELETE ROWS`,
    );
    await db.query(`TRUNCATE ${target}`);
  }
  const names = staged ? refs : columns.map((c) => c.name);
  const lines = function* () {
    let chunk = '';
    for (const row of rows) {
      chunk += copyLine(columns.map((c) => c.value(row)));
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  };
  await copyToClient(db, `COPY ${target} (${names.join(', ')}) FROM STDIN`, lines());
  if (staged) {
    await db.query(`${insert} ${select} FROM ${target}`);
    await db.query(`TRUNCATE ${target}`);
  }
}

/**
 * Reserves `count` consecutive ids from the table's identity sequence and returns the first, so
 * rows can reference each other before they are written. Safe: the seeder holds a lock on
 * customers, and every bulk table hangs off customers.
 */
export async function reserveIds(db: Db, table: string, count: number): Promise<number> {
  if (count === 0) return 0;
  // nextval + setval is two steps: a session lock keeps concurrent generators' ranges apart.
  await db.query(`SELECT pg_advisory_lock(hashtext('staydesk:reserve-ids'))`);
  try {
    const { rows } = await db.query<{ last: string }>(
      `SELECT setval(pg_get_serial_sequence($1, 'id'), nextval(pg_get_serial_sequence($1, 'id')) + $2 - 1) AS last`,
      [table, count],
    );
    return Number(rows[0].last) - count + 1;
  } finally {
    await db.query(`SELECT pg_advisory_unlock(hashtext('staydesk:reserve-ids'))`);
  }
}
