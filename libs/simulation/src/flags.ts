// ---------------------------------------------------------------------------------------------
// Command line

export interface SeedOptions {
  customers: number;
  tickets: number;
  months: number;
  seed: number;
  force: boolean;
}

/** A wrong command line; its message is printed as is. */
export class UsageError extends Error {}

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
 * {@link UsageError} that ends with `usage`.
 */
export function parseWorldFlags<F extends string>(
  argv: string[],
  defaults: NoInfer<Record<F, number> & { force: boolean }>,
  ranges: Record<F, readonly [number, number]>,
  usage: string,
): (Record<F, number> & { force: boolean }) | 'help' {
  const options = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--force') {
      options.force = true;
      continue;
    }
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!match || !Object.hasOwn(ranges, match[1])) {
      throw new UsageError(`unknown argument "${arg}"; ${usage}`);
    }
    const flag = match[1] as F;
    const raw = match[2] ?? argv[++i];
    const [min, max] = ranges[flag];
    if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new UsageError(`--${flag} needs a whole number from ${min} to ${max}; ${usage}`);
    }
    (options as Record<F, number>)[flag] = Number(raw);
  }
  return options;
}

export function parseArgs(argv: string[]): SeedOptions | 'help' {
  return parseWorldFlags(
    argv,
    { customers: 200, tickets: 5000, months: 12, seed: 42, force: false },
    NUMERIC_FLAGS,
    USAGE,
  );
}
