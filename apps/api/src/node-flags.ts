/**
 * V8 flags the api process is started with (scripts/start.ts, `npm run start:api`, the Docker
 * image's CMD, and `npm run bench`, which measures the api as it ships); {@link apiEnv} is the
 * environment they add.
 *
 * `--max-old-space-size=1024` is a ceiling far above what the api needs (~70 MB live after
 * start-up, the same after the bench's reads), set for what it does to V8's heap growth: with a
 * limit of 2 GB or more (the default on this 24 GiB machine is ~4 GB) V8 lets the old generation
 * grow up to 4× the live size before the next full collection; at 1 GB the factor is ~1.6, so the
 * garbage between collections stays small. Measured: api peak RSS over the read mix 301 → 242 MB
 * with the same throughput (docs/benchmarks.md, docs/decisions.md 41).
 *
 * Not set: `--heap-growing-percent=30` (the factor fixed at 1.3, V8's own floor for heaps of
 * 256 MB or less). Full size, same runs: api peak RSS over the reads 236–250 → 215–218 MB, but
 * 7–11 % more api CPU per request (geometric mean over the reads, three runs on a loaded
 * machine), over the 5 % the memory target allows (docs/benchmarks.md, "API memory").
 */
export const API_NODE_FLAGS = ['--max-old-space-size=1024'];

/**
 * Environment the api process is started with, by the same starters as {@link API_NODE_FLAGS}.
 *
 * `MALLOC_ARENA_MAX=2`: glibc gives each thread that allocates concurrently its own malloc arena
 * (up to 8 per core); the api's threads (V8's GC and compiler helpers, libuv's pool) each keep
 * freed native memory in theirs. Two arenas hold the same allocations in fewer, fuller heaps:
 * at full size the api's peak RSS outside V8's heap and the mapped files 31 → 22 MB, peak RSS
 * 252 → 246 MB, api CPU per request no higher (within the noise, −4 % geometric mean over the
 * reads; docs/benchmarks.md, "API memory, second pass"). A value already in the environment wins.
 */
export function apiEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return { MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2' };
}
