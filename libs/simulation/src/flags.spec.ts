import { UsageError, parseWorldFlags } from './flags';

describe('parseWorldFlags', () => {
  const parse = (argv: string[]) =>
    parseWorldFlags(
      argv,
      { customers: 10, seed: 1, force: false },
      { customers: [1, 100], seed: [0, 9] },
    );

  it('reads --name N, --name=N and --force over the defaults', () => {
    expect(parse(['--customers', '50', '--seed=3', '--force'])).toEqual({
      customers: 50,
      seed: 3,
      force: true,
    });
    expect(parse([])).toEqual({ customers: 10, seed: 1, force: false });
    expect(parse(['--help'])).toBe('help');
  });

  it('refuses unknown flags and numbers out of range, ending with the usage', () => {
    expect(() => parse(['--tickets', '5'])).toThrow(UsageError);
    expect(() => parse(['--tickets', '5'])).toThrow("Unknown option '--tickets'");
    expect(() => parse(['--customers', '0'])).toThrow(
      '--customers needs a whole number from 1 to 100',
    );
    expect(() => parse(['--seed', '1.5'])).toThrow(UsageError);
    expect(() => parse(['--seed'])).toThrow(UsageError);
  });
});
