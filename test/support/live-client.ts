import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface LiveResult {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** One subscription as a test sees it: every result so far, and how it ended (if it did). */
export interface LiveSubscription {
  results: LiveResult[];
  /** Resolves when the server ends it: complete (null) or an error (a close event or errors). */
  ended: Promise<{ error: unknown } | null>;
  /** Waits (bounded) for a result that satisfies `match`, counting from result `from` on. */
  next(
    match: (r: LiveResult) => boolean,
    what: string,
    from?: number,
    timeoutMs?: number,
  ): Promise<LiveResult>;
  stop(): void;
}

export interface LiveSocket {
  client: Client;
  /** The close event's code and reason once the socket closed. */
  closed: Promise<{ code: number; reason: string }>;
  subscribe(query: string, variables?: Record<string, unknown>): LiveSubscription;
  dispose(): Promise<void>;
}

/** A graphql-ws client (the `graphql-ws` package over `ws`) for `/graphql` of an api. */
export function liveSocket(
  httpUrl: string,
  auth: { token?: string; cookie?: string } = {},
  options: { lazy?: boolean } = {},
): LiveSocket {
  let closedResolve!: (v: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (closedResolve = r));
  class CookieWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, auth.cookie ? { headers: { cookie: auth.cookie } } : {});
    }
  }
  const client = createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: CookieWebSocket,
    connectionParams: auth.token ? { authorization: `Bearer ${auth.token}` } : {},
    lazy: options.lazy ?? true,
    // the close is what the tests look at (`closed`); graphql-ws would log it as well
    onNonLazyError: () => undefined,
    retryAttempts: 0,
    shouldRetry: () => false,
    on: {
      closed: (e) => {
        const ev = e as { code?: number; reason?: string };
        closedResolve({ code: ev.code ?? 0, reason: String(ev.reason ?? '') });
      },
    },
  });
  return {
    client,
    closed,
    subscribe(query, variables) {
      const results: LiveResult[] = [];
      const waiters: (() => void)[] = [];
      const wake = () => waiters.splice(0).forEach((w) => w());
      let endedResolve!: (v: { error: unknown } | null) => void;
      const ended = new Promise<{ error: unknown } | null>((r) => (endedResolve = r));
      const stop = client.subscribe(
        { query, variables },
        {
          next: (r) => {
            results.push(r as LiveResult);
            wake();
          },
          error: (error) => {
            endedResolve({ error });
            wake();
          },
          complete: () => {
            endedResolve(null);
            wake();
          },
        },
      );
      return {
        results,
        ended,
        stop,
        async next(match, what, from = 0, timeoutMs = 15_000) {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const found = results.slice(from).find(match);
            if (found) return found;
            if (Date.now() > deadline) {
              throw new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(results)}`);
            }
            await new Promise<void>((r) => {
              const t = setTimeout(r, 200);
              waiters.push(() => {
                clearTimeout(t);
                r();
              });
            });
          }
        },
      };
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}

/**
 * A subscription is registered on the server a moment after the client sends it, and the
 * protocol has no acknowledgement for that. This repeats `trigger` (each call must cause an
 * event the subscriptions see) until every one of them has received something new.
 */
export async function untilLive(
  subs: LiveSubscription[],
  trigger: () => Promise<unknown>,
  attempts = 30,
): Promise<void> {
  const start = subs.map((s) => s.results.length);
  for (let i = 0; i < attempts; i++) {
    await trigger();
    const deadline = Date.now() + 1000;
    while (Date.now() < deadline) {
      if (subs.every((s, k) => s.results.length > start[k])) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('subscriptions did not start receiving events');
}
