import { ConfigError, DatabaseStartupError } from '@staydesk/core';
import { BacktestInputError } from '@staydesk/risk';

/**
 * The last word of the risk CLIs: a one-line message on stderr and exit 1. Input, config and
 * database problems print their message; PostgreSQL or network errors their first line and code;
 * anything else its stack.
 */
export function exitWithError(name: string) {
  return (err: Error & { code?: string }): never => {
    const known =
      err instanceof ConfigError ||
      err instanceof DatabaseStartupError ||
      err instanceof BacktestInputError;
    const message = known
      ? err.message
      : typeof err.code === 'string'
        ? `${err.message.split('\n')[0]} (${err.code})`
        : err.stack;
    process.stderr.write(`${name}: ${message}\n`);
    process.exit(1);
  };
}
