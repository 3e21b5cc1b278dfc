import { badInput } from '../errors/domain-error';
import { CursorValue, decodeCursor, encodeCursor } from './cursor';

/**
 * One keyset-pagination module for every list: a `Keyset` names an ordering and the type of each
 * value of its sort key, encodes cursors, decodes them (checking every value, so a forged but
 * well-formed cursor is BAD_USER_INPUT naming the argument, never a failed cast in SQL), and
 * builds the row-comparison predicate `(a, b) > ($1::timestamptz, $2::bigint)`.
 */
export type KeyKind =
  /** A bigint id as a string of digits. */
  | 'id'
  /** An ISO-8601 UTC time stamp with up to microseconds (or `infinity` when allowed). */
  | 'timestamp'
  /** A calendar date YYYY-MM-DD (or `infinity` when allowed). */
  | 'date'
  /** A whole number that fits a smallint. */
  | 'smallint'
  /** A finite number (cast as given: numeric, float8 …). */
  | 'number'
  /** Text of at most 1,000 characters (optionally matching a pattern). */
  | 'text';

export interface KeyPart {
  kind: KeyKind;
  /** The SQL type the value is compared as (defaults by kind). */
  cast?: string;
  /** `infinity` is a valid value (orderings that put missing dates last). */
  infinity?: boolean;
  /** Text values must match this. */
  pattern?: RegExp;
  /** Wraps the cast placeholder, e.g. `lower(…)` to compare with `lower(name)`. */
  wrap?: (placeholder: string) => string;
}

const DEFAULT_CAST: Record<KeyKind, string> = {
  id: 'bigint',
  timestamp: 'timestamptz',
  date: 'date',
  smallint: 'smallint',
  number: 'numeric',
  text: 'text',
};

const ID = /^[1-9]\d{0,17}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True when `v` is a valid value of `part` (exported for unit tests). */
export function validKeyValue(part: KeyPart, v: CursorValue): boolean {
  if (part.infinity && v === 'infinity') return part.kind === 'timestamp' || part.kind === 'date';
  switch (part.kind) {
    case 'id':
      return typeof v === 'string' && ID.test(v);
    case 'timestamp':
      return typeof v === 'string' && TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v));
    case 'date':
      return typeof v === 'string' && DATE.test(v) && !Number.isNaN(Date.parse(v));
    case 'smallint':
      return typeof v === 'number' && Number.isInteger(v) && v >= -32768 && v <= 32767;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 1e15;
    case 'text':
      return (
        typeof v === 'string' &&
        v.length <= 1000 &&
        !v.includes('\u0000') &&
        (!part.pattern || part.pattern.test(v))
      );
  }
}

export class Keyset<T extends CursorValue[] = CursorValue[]> {
  constructor(
    readonly ordering: string,
    readonly parts: readonly KeyPart[],
  ) {}

  encode(values: T): string {
    return encodeCursor(this.ordering, values);
  }

  /** The cursor's values, every one checked against its part; null when no cursor is given. */
  decode(cursor: string | null | undefined, field = 'after'): T | null {
    if (cursor === null || cursor === undefined) return null;
    const values = decodeCursor(cursor, this.ordering, this.parts.length, field);
    this.parts.forEach((part, i) => {
      if (!validKeyValue(part, values[i])) {
        throw badInput(
          field,
          'malformed cursor: pass a cursor exactly as a previous page returned it',
        );
      }
    });
    return values as T;
  }

  /**
   * `(col1, col2) <cmp> ($n::cast1, $m::cast2)`: rows strictly after the cursor. `p` adds a
   * parameter and returns its placeholder.
   */
  predicate(columns: readonly string[], cmp: '<' | '>', values: T, p: (v: unknown) => string) {
    if (columns.length !== this.parts.length) {
      throw new Error(
        `keyset ${this.ordering}: ${columns.length} columns for ${this.parts.length}`,
      );
    }
    const placeholders = this.parts.map((part, i) => {
      const placeholder = `${p(values[i])}::${part.cast ?? DEFAULT_CAST[part.kind]}`;
      return part.wrap ? part.wrap(placeholder) : placeholder;
    });
    return `(${columns.join(', ')}) ${cmp} (${placeholders.join(', ')})`;
  }
}
