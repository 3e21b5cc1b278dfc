/**
 * V8 flags the worker process is started with (scripts/start.ts, `npm run start:worker`,
 * docker/compose.yml, and `npm run bench`, `bench:email` and `bench:live`, which measure the
 * worker as it ships).
 *
 * The worker's peak memory is its full risk rescore (every customer's features at once; at
 * 100k customers / 2M tickets RSS falls back to 140–200 MB after it). Without flags V8 lets the
 * old generation grow to several times the live size before a full collection (the default heap
 * limit on a 24 GiB machine is ~4 GB). `--max-old-space-size=1024`, as for the api
 * (apps/api/src/node-flags.ts), is a ceiling far above the live size, set for what it does to
 * the heap's growth. Measured at full size, one boot rescore each, same session
 * (docs/decisions.md 59):
 *
 *   flags                                               peak RSS
 *   (none)                                              592–650 MB
 *   --max-old-space-size=1024                           341 MB
 *   --max-old-space-size=512                            323 MB
 *   --max-old-space-size=1024 --max-semi-space-size=4   297–300 MB
 *   --max-old-space-size=512 --max-semi-space-size=8    293 MB
 *
 * The rest of the way to the < 300 MB target is the young generation (16 MB semi-spaces by
 * default), but smaller semi-spaces cost the mail path its throughput (inbound mail 123–138/s
 * with `--max-semi-space-size=4` against 164–221/s without, paired runs of `bench:email`), so
 * they are not set. `WORKER_NODE_FLAGS` (space separated) replaces these flags.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=1024'];

/** The worker's V8 flags: `WORKER_NODE_FLAGS` from the environment when set, else the defaults. */
export function workerNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const own = env.WORKER_NODE_FLAGS;
  return own === undefined ? WORKER_NODE_FLAGS : own.split(' ').filter(Boolean);
}
