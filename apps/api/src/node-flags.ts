/**
 * V8 flags the api process is started with (scripts/start.ts, `npm run start:api`, the Docker
 * image's CMD, and `npm run bench`, which measures the api as it ships).
 *
 * `--max-old-space-size=1024` is a ceiling far above what the api needs (~80 MB live after
 * start-up, the same after the bench's reads), set for what it does to V8's heap growth: with a
 * limit of 2 GB or more (the default on this 24 GiB machine is ~4 GB) V8 lets the old generation
 * grow up to 4× the live size before the next full collection; at 1 GB the factor is ~1.6, so the
 * garbage between collections stays small. Measured: api peak RSS over the read mix 301 → 242 MB
 * with the same throughput (docs/benchmarks.md, docs/decisions.md 41).
 */
export const API_NODE_FLAGS = ['--max-old-space-size=1024'];
