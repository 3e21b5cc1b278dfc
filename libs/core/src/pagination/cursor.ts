import { badInput } from '../errors/domain-error';

/**
 * Opaque keyset cursors: base64url of a JSON array `[sortKey..., id]`. A cursor only makes
 * sense for the ordering it was issued for, so it carries that ordering's name and is
 * rejected under another one.
 */
export type CursorValue = string | number | null;

export function encodeCursor(ordering: string, values: CursorValue[]): string {
  return Buffer.from(JSON.stringify([ordering, ...values]), 'utf8').toString('base64url');
}

export function decodeCursor(
  cursor: string,
  ordering: string,
  arity: number,
  field = 'after',
): CursorValue[] {
  const malformed = () =>
    badInput(field, 'malformed cursor: pass a cursor exactly as a previous page returned it');
  if (cursor.length === 0 || cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw malformed();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (!Array.isArray(parsed) || parsed.length !== arity + 1) throw malformed();
  const [name, ...values] = parsed as unknown[];
  if (name !== ordering) {
    throw badInput(field, `cursor was issued for ordering "${String(name)}", not "${ordering}"`);
  }
  for (const v of values) {
    if (v !== null && typeof v !== 'string' && typeof v !== 'number') throw malformed();
  }
  return values as CursorValue[];
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/** Validates `first` and returns the page size to use. */
export function pageSize(first: number | null | undefined, field = 'first'): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(field, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return first;
}
