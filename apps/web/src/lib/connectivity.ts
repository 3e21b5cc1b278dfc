import { useSyncExternalStore } from 'react';

/**
 * Whether the api answers. Set by the Apollo link chain: a network failure or a 503 marks the
 * api unreachable (the shell shows a banner and retries); the next good answer clears it.
 */
type Listener = () => void;
let unreachable = false;
const listeners = new Set<Listener>();

export const connectivity = {
  set(value: boolean) {
    if (value === unreachable) return;
    unreachable = value;
    listeners.forEach((l) => l());
  },
  get: () => unreachable,
  subscribe(l: Listener) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

export const useApiUnreachable = () =>
  useSyncExternalStore(connectivity.subscribe, connectivity.get, connectivity.get);
