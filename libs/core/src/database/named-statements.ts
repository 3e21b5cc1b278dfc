/**
 * Statements that run as named prepared statements (issue 19): PostgreSQL parses and plans them
 * once per pooled connection instead of on every call. The pool's client
 * ({@link TimedPgClient}) looks every statement's text up here and, when registered, sends it
 * under its name: node-postgres then skips the Parse step after the first use on a connection,
 * and PostgreSQL's plan cache chooses between a generic and a custom plan as for any prepared
 * statement. Only statements compiled once (the same text on every call) and run many times
 * belong here: the registry keeps every text it is given for the process's lifetime.
 */
const names = new Map<string, string>();
/** The texts' lengths: a statement of another length is not looked up. */
const lengths = new Set<number>();

/**
 * Runs `q`'s text (a compiled statement, or `compileWithSlots`'s) as a named prepared statement,
 * named `label` plus a number per distinct text.
 */
export function named<Q extends { sql: string }>(label: string, q: Q): Q {
  if (!names.has(q.sql)) {
    names.set(q.sql, `${label}_${names.size + 1}`);
    lengths.add(q.sql.length);
  }
  return q;
}

/** The name registered for a statement's text, if any. */
export function statementName(text: string): string | undefined {
  return lengths.has(text.length) ? names.get(text) : undefined;
}
