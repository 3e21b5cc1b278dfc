import type { TypedDocumentNode } from '@apollo/client';
import { useApolloClient } from '@apollo/client/react';
import { useEffect, useRef } from 'react';

/** Waits before resubscribing after the n-th failure in a row: 1 s, 2 s, 4 s … at most 15 s. */
export const resubscribeDelay = (failures: number) => Math.min(1000 * 2 ** failures, 15_000);

/**
 * A live subscription for as long as the component is mounted. When it ends — the api asked
 * for a refetch (REFETCH: the subscriber fell behind), Redis went away (SERVICE_UNAVAILABLE),
 * the socket closed — it subscribes again after a short wait and calls `onRestart`, so the
 * caller refetches what it may have missed. `onData` sees each event (the normalised cache has
 * already taken the objects in it).
 */
export function useLive<TData, TVariables extends Record<string, unknown>>(
  document: TypedDocumentNode<TData, TVariables>,
  options: {
    variables?: TVariables;
    skip?: boolean;
    onData?(data: TData): void;
    onRestart?(): void;
  },
) {
  const client = useApolloClient();
  const handlers = useRef(options);
  handlers.current = options;
  const key = JSON.stringify(options.variables ?? {});

  useEffect(() => {
    if (options.skip) return;
    let stopped = false;
    let failures = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let sub: { unsubscribe(): void } | undefined;
    const restart = () => {
      sub?.unsubscribe();
      if (stopped || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (stopped) return;
        handlers.current.onRestart?.();
        start();
      }, resubscribeDelay(failures++));
    };
    const start = () => {
      sub = client
        .subscribe({ query: document, variables: JSON.parse(key) as TVariables })
        .subscribe({
          next: (result) => {
            if (result.error || !result.data) return restart();
            failures = 0;
            handlers.current.onData?.(result.data as TData);
          },
          error: restart,
          complete: restart,
        });
    };
    start();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      sub?.unsubscribe();
    };
  }, [client, document, key, options.skip]);
}

/**
 * Calls `fn` at most once per `ms`, at the end of a burst (trailing), for refetches on events.
 */
export function useTrailing(fn: () => void, ms: number): () => void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const ref = useRef<() => void>(undefined);
  ref.current ??= () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      fnRef.current();
    }, ms);
  };
  return ref.current;
}
