import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { DomainError, badInput } from '@staydesk/core';
import { HTTP_STATUS, httpErrorBody } from '@staydesk/identity';
import { csvLine } from './kpi-format';

/** A comma-separated query parameter as a list (absent or empty = undefined). */
export function listParam(q: Record<string, unknown>, name: string): string[] | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw badInput(name, 'give it once, as a comma-separated list');
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function dateParam(q: Record<string, unknown>, name: string): Date | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  const d = typeof v === 'string' ? new Date(v) : new Date(NaN);
  if (Number.isNaN(d.getTime()))
    throw badInput(name, 'must be a date-time like 2026-07-01T00:00:00Z');
  return d;
}

export function numberParam(q: Record<string, unknown>, name: string): number | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw badInput(name, 'must be a number');
  return n;
}

export function boolParam(q: Record<string, unknown>, name: string): boolean | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badInput(name, 'must be true or false');
}

/** Answers a failed export with the error's status and a JSON body like GraphQL's extensions. */
export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof DomainError) {
    return reply
      .code(HTTP_STATUS[err.code])
      .header('content-type', 'application/json; charset=utf-8')
      .send(httpErrorBody(err));
  }
  throw err;
}

/**
 * Streams CSV: the header, then each line as the source yields it (the source pages through
 * the database; nothing is built in memory). A failure mid-way ends the stream with an error
 * line, since the status was already sent.
 */
export function sendCsv(
  reply: FastifyReply,
  filename: string,
  header: string[],
  rows: AsyncIterable<(string | number | null | undefined)[]>,
): FastifyReply {
  async function* lines() {
    yield csvLine(header);
    try {
      for await (const r of rows) yield csvLine(r);
    } catch (err) {
      yield csvLine([
        `# export failed: ${err instanceof DomainError ? err.message : 'internal error'}`,
      ]);
    }
  }
  return reply
    .code(200)
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(lines()));
}
