import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Tx, compileOnly, db, withParameters } from '@staydesk/core';
import { currentTraceCarrier } from '@staydesk/telemetry';
import type { DomainEvent, EventType } from './events';

export interface OutboxRow {
  id: string;
  type: EventType;
  payload: DomainEvent['payload'];
  attempts: number;
  /** W3C trace context of the writer, when it was traced. */
  traceContext: Record<string, string> | null;
}

/** The relay's two statements, run for every batch: built and compiled once (decision 61). */
const CLAIM = compileOnly
  .selectFrom('outbox')
  .select((eb) => [
    'outbox.id',
    'outbox.type',
    sql<string>`${eb.ref('outbox.payload')}::text`.as('payloadText'),
    'outbox.attempts',
    sql<string | null>`${eb.ref('outbox.traceContext')}::text`.as('traceContextText'),
  ])
  .where('outbox.publishedAt', 'is', null)
  .orderBy('outbox.id')
  .limit(1)
  .forUpdate()
  .skipLocked()
  .compile();
const MARK_PUBLISHED = compileOnly
  .updateTable('outbox')
  .set((eb) => ({
    publishedAt: sql<Date>`now()`,
    attempts: eb(eb.ref('outbox.attempts'), '+', 1),
  }))
  .where((eb) => eb('outbox.id', '=', eb.fn.any(sql<string[]>`${[]}::bigint[]`)))
  .compile();

/**
 * The outbox table: append inside a domain transaction; the relay claims and marks rows. Written
 * with the typed query builder ({@link db}) over the caller's {@link Tx}. The claim's
 * `FOR UPDATE SKIP LOCKED` is the builder's `forUpdate().skipLocked()` (the medium test
 * outbox.repository.medium-spec.ts runs it). The jsonb columns are read as text and parsed: the
 * builder's CamelCasePlugin would rename keys inside JSON objects, and payloads must reach the
 * jobs exactly as they were written.
 */
@Injectable()
export class OutboxRepository {
  /** Records an event in the caller's transaction (so it commits or rolls back with the change). */
  async add(tx: Tx, event: DomainEvent): Promise<string> {
    const carrier = currentTraceCarrier();
    const row = await db(tx)
      .insertInto('outbox')
      .values({
        type: event.type,
        payload: JSON.stringify(event.payload),
        traceContext: carrier === null ? null : JSON.stringify(carrier),
      })
      .returning('outbox.id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Claims up to `limit` unpublished rows, oldest first; other relays skip the locked ones. */
  async claim(tx: Tx, limit: number): Promise<OutboxRow[]> {
    const { rows } = await db(tx).executeQuery(withParameters(CLAIM, [limit]));
    return rows.map((r) => ({
      id: r.id,
      type: r.type as EventType,
      payload: JSON.parse(r.payloadText) as DomainEvent['payload'],
      attempts: r.attempts,
      traceContext:
        r.traceContextText === null
          ? null
          : (JSON.parse(r.traceContextText) as Record<string, string> | null),
    }));
  }

  async markPublished(tx: Tx, ids: string[]): Promise<void> {
    await db(tx).executeQuery(withParameters(MARK_PUBLISHED, [1, ids]));
  }

  async markFailed(tx: Tx, ids: string[], error: string): Promise<void> {
    await db(tx)
      .updateTable('outbox')
      .set((eb) => ({
        attempts: eb(eb.ref('outbox.attempts'), '+', 1),
        lastError: error.slice(0, 1000),
      }))
      .where((eb) => eb('outbox.id', '=', eb.fn.any(sql<string[]>`${ids}::bigint[]`)))
      .execute();
  }

  async pendingCount(tx: Tx): Promise<number> {
    const { n } = await db(tx)
      .selectFrom('outbox')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('outbox.publishedAt', 'is', null)
      .executeTakeFirstOrThrow();
    return n;
  }

  /** Unpublished rows and the age of the oldest in seconds (0 when none), for the metrics. */
  async backlog(tx: Tx): Promise<{ count: number; oldestAgeSeconds: number }> {
    const k = db(tx);
    const row = await k
      .selectNoFrom([
        k
          .selectFrom('outbox')
          .select(sql<number>`count(*)::int`.as('count'))
          .where('outbox.publishedAt', 'is', null)
          .$asScalar()
          .as('count'),
        k
          .selectFrom('outbox')
          .select((eb) =>
            sql<
              number | null
            >`extract(epoch FROM now() - ${eb.ref('outbox.createdAt')})::float8`.as('age'),
          )
          .where('outbox.publishedAt', 'is', null)
          .orderBy('outbox.id')
          .limit(1)
          .$asScalar()
          .as('age'),
      ])
      .executeTakeFirstOrThrow();
    return { count: row.count, oldestAgeSeconds: Math.max(0, row.age ?? 0) };
  }

  /** Deletes rows published more than `days` ago (the outbox is a queue, not an archive). */
  async prune(tx: Tx, days: number): Promise<number> {
    const result = await db(tx)
      .deleteFrom('outbox')
      .where('outbox.publishedAt', '<', sql<Date>`now() - make_interval(days => ${days})`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
