/**
 * The one way tests wait: poll `probe` until it returns a value (anything but `undefined`,
 * `null` or `false`) and return that value; a probe that throws counts as "not yet", and its last
 * error is reported when time runs out. Never sleep and then assert: wait for the thing itself,
 * or for a barrier that proves it cannot happen any more (a drained queue, a published outbox
 * row, a log line of the last request).
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
