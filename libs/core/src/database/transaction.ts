import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  EntityManager,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
} from 'typeorm';

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

  /**
   * `work` in one transaction on one pooled connection. When the connection dies between two of
   * its statements (PostgreSQL stopped or restarted, the backend terminated), the pg client
   * emits `error` and TypeORM releases the query runner at once; the transaction's next
   * statement then fails with TypeORM's "already released" error, which says nothing of the
   * cause and was answered as an internal error (HTTP 500). That error is rethrown here with
   * the connection's own error as its `cause`, so it is answered like every other lost
   * connection (SERVICE_UNAVAILABLE, 503: docs/reliability.md). The dead client itself is
   * already out of the pool (TypeORM releases it with the error, and pg-pool then drops it).
   */
  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const runner = this.ds.createQueryRunner();
    let lost: unknown;
    const onError = (err: unknown) => {
      lost ??= err;
    };
    let client: EventEmitter | undefined;
    try {
      const connection: unknown = await runner.connect();
      if (connection instanceof EventEmitter) (client = connection).on('error', onError);
      return await runner.manager.transaction((em) => work(em));
    } catch (err) {
      if (
        lost !== undefined &&
        (err instanceof QueryRunnerProviderAlreadyReleasedError ||
          err instanceof QueryRunnerAlreadyReleasedError)
      ) {
        throw new Error('the database connection was lost during the transaction', {
          cause: lost,
        });
      }
      throw err;
    } finally {
      client?.removeListener('error', onError);
      await runner.release();
    }
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
