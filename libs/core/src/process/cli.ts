import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../config/config';
import { DatabaseStartupError } from '../database/prepare-database';
import { DomainError } from '../errors/domain-error';

/**
 * The command-line scripts' one way to read flags and to end (issue 21: there were five parsers
 * and three `UsageError` classes). Flags are read by `node:util` `parseArgs` (strict: an unknown
 * flag or a missing value is a usage error); every script ends through {@link runCli}.
 */

/** A wrong command line: printed with the usage, on one line. An empty message means `--help`. */
export class UsageError extends Error {}

type ErrorClass = abstract new (...args: never[]) => Error;

/** `parseArgs` with its errors turned into {@link UsageError}s; `--help`/`-h` throws an empty one. */
export function cliArgs<T extends ParseArgsConfig & { args: string[] }>(config: T) {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError((err as Error).message.replace(/\. To specify .*$/s, ''));
    }
    throw err;
  }
  if ((parsed.values as Record<string, unknown>).help) throw new UsageError('');
  return parsed;
}

/** A whole number flag within [min, max], or the default when absent. */
export function wholeNumber(
  flag: string,
  raw: string | undefined,
  [min, max]: readonly [number, number],
  fallback: number,
): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${flag} needs a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

/**
 * The message a script prints for an error: the message itself for usage, input, config and
 * database-startup problems (and any `expected` class), PostgreSQL or network errors their first
 * line and code, anything else its stack.
 */
export function cliErrorMessage(err: Error & { code?: unknown }, expected: ErrorClass[] = []) {
  const known = [ConfigError, DatabaseStartupError, DomainError, UsageError, ...expected].some(
    (c) => err instanceof c,
  );
  if (known) return err.message;
  return typeof err.code === 'string'
    ? `${err.message.split('\n')[0]} (${err.code})`
    : (err.stack ?? err.message);
}

/** The one line a script prints for an error: a usage error ends with the usage. */
export function cliLine(
  err: Error & { code?: unknown },
  usage: string,
  expected: ErrorClass[] = [],
) {
  return err instanceof UsageError ? `${err.message}; ${usage}` : cliErrorMessage(err, expected);
}

/**
 * Runs a script's `main` and ends the process the one way: `--help` prints the usage (exit 0);
 * any error prints one line on stderr and exits 1: `name: message; usage` for a usage error,
 * `name: message` otherwise ({@link cliErrorMessage}). Success leaves the exit to Node (or to
 * `main`).
 */
export function runCli(
  name: string,
  usage: string,
  main: () => Promise<unknown>,
  expected: ErrorClass[] = [],
): void {
  main().catch((err: Error & { code?: unknown }) => {
    if (err instanceof UsageError && !err.message) {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    process.stderr.write(`${name}: ${cliLine(err, usage, expected)}\n`);
    process.exit(1);
  });
}
