import {
  CamelCasePlugin,
  CompiledQuery,
  DatabaseConnection,
  Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  QueryResult,
  RawBuilder,
} from 'kysely';
import type { DB } from './db.generated';
import { Tx } from './transaction';

/**
 * The typed query builder over a {@link Tx}: the pool or the transaction a service opened, so
 * typed and hand-written statements share one connection and one transaction (decision "Typed
 * SQL"). Tables and columns are checked against `db.generated.ts`, which `npm run db:types`
 * writes from the migrated schema; names are camelCase in TypeScript and snake_case in SQL.
 *
 * Transactions stay with {@link TransactionRunner}: `db(tx).transaction()` is refused, so a
 * repository can never open a second pooled connection inside a service's transaction.
 */
export type TypedDb = Kysely<DB>;

class TxConnection implements DatabaseConnection {
  constructor(private readonly tx: Tx) {}

  // The one place the typed builder's statements reach the Tx: its raw `query` is the driver.
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result: unknown = await this.tx.query(query.sql, [...query.parameters]);
    // TypeORM answers UPDATE/DELETE with [rows, affected]; INSERT and SELECT with rows.
    if (
      Array.isArray(result) &&
      result.length === 2 &&
      Array.isArray(result[0]) &&
      typeof result[1] === 'number'
    ) {
      return { rows: result[0] as R[], numAffectedRows: BigInt(result[1]) };
    }
    return { rows: result as R[] };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('typed-sql: streaming is not supported over a Tx; use a cursor or COPY');
  }
}

const refuse = (): Promise<void> =>
  Promise.reject(new Error('typed-sql: open transactions with TransactionRunner.run, not Kysely'));

class TxDriver implements Driver {
  private readonly connection: TxConnection;
  constructor(tx: Tx) {
    this.connection = new TxConnection(tx);
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.connection;
  }
  beginTransaction = refuse;
  commitTransaction = refuse;
  rollbackTransaction = refuse;
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

const cache = new WeakMap<Tx, TypedDb>();
const plugins = [new CamelCasePlugin()];

/** The typed builder bound to `tx` (one per handle, cached). */
export function db(tx: Tx): TypedDb {
  let k = cache.get(tx);
  if (!k) {
    k = new Kysely<DB>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => new TxDriver(tx),
        createIntrospector: (kysely) => new PostgresIntrospector(kysely),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
      plugins,
    });
    cache.set(tx, k);
  }
  return k;
}

/**
 * A typed builder that only compiles: for the statements a hot path runs thousands of times,
 * built and compiled once at load and then run with new parameters ({@link withParameters}).
 * Building and compiling costs far more CPU than sending (about 100–240 µs against ~10 µs per
 * call, measured on a loaded 2-core machine; decision 61). It never runs anything.
 */
export const compileOnly: TypedDb = db({
  query: () => Promise.reject(new Error('typed-sql: compileOnly never runs a statement')),
});

/** A statement compiled once, with new parameters (as many as it was compiled with). */
export function withParameters<R>(q: CompiledQuery<R>, parameters: unknown[]): CompiledQuery<R> {
  if (parameters.length !== q.parameters.length) {
    throw new Error(
      `typed-sql: the statement takes ${q.parameters.length} parameters, not ${parameters.length}`,
    );
  }
  return { ...q, parameters };
}

/** A parameter of a statement compiled by {@link compileWithSlots}: filled from `values[key]`. */
class Slot {
  constructor(readonly key: string) {}
}

/**
 * A statement built and compiled once, its parameters filled on every call from named values
 * (issue 19: createTicket's statement, 26 parameters, cost 5–7 % of the api's busy CPU to build
 * and compile per call). `build` gets stand-ins for `values`: each property it reads becomes a
 * parameter taken from the call's `values` under that name (one read, one parameter; read twice,
 * two). Parameters that are not stand-ins (a fragment's own values) keep their compiled value.
 * `build` must not branch on a value (a stand-in is always truthy) nor compute from one: what
 * varies the statement's text is a separate statement (its own `compileWithSlots`).
 */
export function compileWithSlots<V extends object, R>(
  build: (values: V) => RawBuilder<R>,
): ((values: V) => CompiledQuery<R>) & { sql: string } {
  const standIns = new Proxy(
    {},
    { get: (_target, key) => (typeof key === 'string' ? new Slot(key) : undefined) },
  ) as V;
  const q = build(standIns).compile(compileOnly);
  const keys = q.parameters.map((p) => (p instanceof Slot ? p.key : null));
  const fill = (values: V): CompiledQuery<R> => {
    const v = values as Record<string, unknown>;
    return { ...q, parameters: keys.map((k, i) => (k === null ? q.parameters[i] : v[k])) };
  };
  return Object.assign(fill, { sql: q.sql });
}
