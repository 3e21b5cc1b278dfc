import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClientBase, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import type { Tx } from './transaction';

/** A value in COPY's text format: `\N` for null; backslash, tab, newline and CR escaped. */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = typeof value === 'string' ? value : String(value);
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) =>
        c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
      )
    : text;
}

/** One COPY text line from column values. */
export const copyLine = (values: unknown[]) => values.map(copyValue).join('\t') + '\n';

/**
 * Streams `chunks` (COPY text lines, as strings or UTF-8 buffers) into `COPY … FROM STDIN` on the transaction's own
 * connection. An async source lets the caller produce the next chunk while PostgreSQL parses
 * the last one (bulk writes of tens of thousands of rows: several times faster than
 * `INSERT … unnest` of big array parameters). `readAhead`: how many chunks are pulled from the
 * source ahead of the connection (Node's default for object streams, 16, unless given); a source
 * of megabyte chunks that is faster than PostgreSQL keeps that many in memory.
 */
export async function copyInto(
  tx: Tx,
  copySql: string,
  chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer>,
  readAhead?: number,
): Promise<void> {
  const runner = (tx as EntityManager).queryRunner;
  if (!runner) throw new Error('copyInto needs a transaction (TransactionRunner.run)');
  await copyToClient((await runner.connect()) as PoolClient, copySql, chunks, readAhead);
}

/**
 * {@link copyInto} on a plain `pg` client (scripts that hold their own connection). Raw `query`:
 * COPY is a stream on the connection, not a statement the typed builder can run.
 */
export async function copyToClient(
  client: ClientBase,
  copySql: string,
  chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer>,
  readAhead?: number,
): Promise<void> {
  const source = Readable.from(chunks, readAhead === undefined ? {} : { highWaterMark: readAhead });
  await pipeline(source, client.query(copyFrom(copySql)));
}
