import { Injectable } from '@nestjs/common';
import { Tx, returnedRows } from '@staydesk/core';
import type { DomainEvent, EventType } from './events';

export interface OutboxRow {
  id: string;
  type: EventType;
  payload: DomainEvent['payload'];
  attempts: number;
}

/** The outbox table: append inside a domain transaction; the relay claims and marks rows. */
@Injectable()
export class OutboxRepository {
  /** Records an event in the caller's transaction (so it commits or rolls back with the change). */
  async add(tx: Tx, event: DomainEvent): Promise<string> {
    const rows: { id: string }[] = await tx.query(
      `INSERT INTO outbox (type, payload) VALUES ($1, $2) RETURNING id::text`,
      [event.type, event.payload],
    );
    return rows[0].id;
  }

  /** Claims up to `limit` unpublished rows, oldest first; other relays skip the locked ones. */
  async claim(tx: Tx, limit: number): Promise<OutboxRow[]> {
    return tx.query(
      `SELECT id::text, type, payload, attempts FROM outbox
        WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
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
