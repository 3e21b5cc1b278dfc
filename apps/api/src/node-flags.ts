/**
 * V8 flags the api process is started with (scripts/start.ts, `npm run start:api`, the Docker
 * image's CMD, and `npm run bench`, which measures the api as it ships).
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
