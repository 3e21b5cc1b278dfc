import { Injectable } from '@nestjs/common';
import { Tx, returnedRows } from '@staydesk/core';
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

/** The outbox table: append inside a domain transaction; the relay claims and marks rows. */
@Injectable()
export class OutboxRepository {
  /** Records an event in the caller's transaction (so it commits or rolls back with the change). */
  async add(tx: Tx, event: DomainEvent): Promise<string> {
    const rows: { id: string }[] = await tx.query(
      `INSERT INTO outbox (type, payload, trace_context) VALUES ($1, $2, $3) RETURNING id::text`,
      [event.type, event.payload, currentTraceCarrier()],
    );
    return rows[0].id;
  }

  /** Claims up to `limit` unpublished rows, oldest first; other relays skip the locked ones. */
  async claim(tx: Tx, limit: number): Promise<OutboxRow[]> {
    return tx.query(
      `SELECT id::text, type, payload, attempts, trace_context AS "traceContext" FROM outbox
        WHERE published_at IS NULL ORDER BY outbox.id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  async markPublished(tx: Tx, ids: string[]): Promise<void> {
    await tx.query(
      `UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  async markFailed(tx: Tx, ids: string[], error: string): Promise<void> {
    await tx.query(
      `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`,
      [ids, error.slice(0, 1000)],
    );
  }

  async pendingCount(tx: Tx): Promise<number> {
    const rows: { n: number }[] = await tx.query(
      `SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`,
    );
    return rows[0].n;
  }

  /** Unpublished rows and the age of the oldest in seconds (0 when none), for the metrics. */
  async backlog(tx: Tx): Promise<{ count: number; oldestAgeSeconds: number }> {
    const rows: { count: number; age: number | null }[] = await tx.query(
      `SELECT (SELECT count(*)::int FROM outbox WHERE published_at IS NULL) AS count,
              (SELECT extract(epoch FROM now() - created_at)::float8 FROM outbox
                WHERE published_at IS NULL ORDER BY id LIMIT 1) AS age`,
    );
    return { count: rows[0].count, oldestAgeSeconds: Math.max(0, rows[0].age ?? 0) };
  }

  /** Deletes rows published more than `days` ago (the outbox is a queue, not an archive). */
  async prune(tx: Tx, days: number): Promise<number> {
    const res = returnedRows<{ id: string }>(
      await tx.query(
        `DELETE FROM outbox WHERE published_at < now() - make_interval(days => $1) RETURNING id`,
        [days],
      ),
    );
    return res.length;
  }
}
