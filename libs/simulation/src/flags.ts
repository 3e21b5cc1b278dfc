import { UsageError, cliArgs, wholeNumber } from '@staydesk/core';

// ---------------------------------------------------------------------------------------------
// Command line

export interface SeedOptions {
  customers: number;
  tickets: number;
  months: number;
  seed: number;
  force: boolean;
}

/** A wrong command line (the scripts' one class, from libs/core). */
export { UsageError };

export const USAGE =
  'usage: seed-demo [--customers N] [--tickets N] [--months N] [--seed N] [--force] [--help]';
export const NUMERIC_FLAGS = {
  customers: [1, 1_000_000],
  tickets: [0, 10_000_000],
  months: [1, 120],
  seed: [0, 4_294_967_295],
} as const;

/**
 * The command line of the world builders (this seeder and data:generate): `--force`, `--help`,
 * and whole-number flags (`--name N` or `--name=N`) within their ranges; anything else is a
 * {@link UsageError} (scripts print it with their usage: runCli).
 */
export function parseWorldFlags<F extends string>(
  argv: string[],
  defaults: NoInfer<Record<F, number> & { force: boolean }>,
  ranges: Record<F, readonly [number, number]>,
): (Record<F, number> & { force: boolean }) | 'help' {
  const flags = Object.keys(ranges) as F[];
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = cliArgs({
      args: argv,
      options: {
        help: { type: 'boolean', short: 'h' },
        force: { type: 'boolean' },
        ...Object.fromEntries(flags.map((f) => [f, { type: 'string' as const }])),
      },
    }));
  } catch (err) {
    if (err instanceof UsageError && err.message === '') return 'help';
    throw err;
  }
  const options = { ...defaults, force: values.force === true || defaults.force };
  for (const flag of flags) {
    const raw = values[flag];
    (options as Record<F, number>)[flag] = wholeNumber(
      flag,
      typeof raw === 'string' ? raw : undefined,
      ranges[flag],
      defaults[flag],
    );
  }
  return options;
}

export function parseArgs(argv: string[]): SeedOptions | 'help' {
  return parseWorldFlags(
    argv,
    { customers: 200, tickets: 5000, months: 12, seed: 42, force: false },
    NUMERIC_FLAGS,
  );
}
