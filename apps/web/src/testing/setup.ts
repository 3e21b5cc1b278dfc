import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// jsdom has neither matchMedia (Mantine reads the colour scheme and breakpoints through it) nor
// ResizeObserver (Mantine's scroll areas and charts)
window.matchMedia ??= (query: string) =>
  ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => undefined,
    removeListener: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false,
  }) as MediaQueryList;
globalThis.ResizeObserver ??= class implements ResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
};

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});
