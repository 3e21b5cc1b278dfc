import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/**
 * A database handle: the pool, or a transaction. Repositories take one as their first argument
 * so a service can put several repositories' writes in one transaction.
 */
export type Tx = Pick<EntityManager, 'query'>;

/** Runs a unit of work in one transaction (services own the boundary; they never see TypeORM). */
@Injectable()
export class TransactionRunner {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The pool itself, for reads that need no transaction. */
  get db(): Tx {
    return this.ds.manager;
  }

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.ds.transaction((em) => work(em));
  }
}

/** PostgreSQL error code of a failed query, if any. */
export function pgCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

export function pgConstraint(err: unknown): string | undefined {
  const e = err as { constraint?: unknown; driverError?: { constraint?: unknown } };
  const c = e?.driverError?.constraint ?? e?.constraint;
  return typeof c === 'string' ? c : undefined;
}

/**
 * Rows of an `UPDATE/DELETE … RETURNING` (TypeORM's postgres driver answers those with
 * `[rows, rowCount]`, but INSERT and SELECT with plain rows).
 */
export function returnedRows<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}
