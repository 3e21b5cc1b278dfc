import { badInput } from '../errors/domain-error';

/** The longest search string any list accepts. */
export const MAX_SEARCH_LENGTH = 200;

/**
 * Escapes `\`, `%` and `_` so user text matches literally in `LIKE`/`ILIKE` (PostgreSQL's
 * default escape character is the backslash). Every LIKE pattern built from a user's text goes
 * through this.
 */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/**
 * A user's search string, trimmed; undefined when empty. Longer than {@link MAX_SEARCH_LENGTH}
 * is BAD_USER_INPUT naming the argument.
 */
export function searchText(
  value: string | null | undefined,
  field: string,
  max = MAX_SEARCH_LENGTH,
): string | undefined {
  if (value === null || value === undefined) return undefined;
  const s = value.trim();
  if (s.length > max) {
    throw badInput(field, `must be at most ${max} characters (got ${s.length})`);
  }
  return s || undefined;
}

/** `%text%` for a contains-match of user text. */
export const containsPattern = (s: string): string => `%${escapeLike(s)}%`;
