/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.STAYDESK_API_URL ?? 'http://127.0.0.1:3000';

/**
 * The web console. `npm run build:web` writes apps/web/dist (served by the api at `/`);
 * `npm run dev:web` serves the sources with a proxy to a running api, same origin as in
 * production, so the session cookie works unchanged.
 */
export default defineConfig({
  root,
  resolve: { alias: { '@': `${root}src` } },
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      // Mantine marks its modules "use client" (for React Server Components); meaningless here
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/graphql': { target: api, changeOrigin: false },
      '/health': { target: api },
      '/exports': { target: api },
      '/s/': { target: api },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/testing/setup.ts'],
  },
});
