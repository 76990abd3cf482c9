import { defineProject } from 'vitest/config';

/**
 * The example shop end to end: a real Medusa booted from this app's medusa-config on a fresh Postgres database, the
 * real sandbox, the storefront, and headless Chromium clicking through it. Same runner constraints as the plugin's
 * tests (globals, threads, ts-node; see test/setup.ts).
 */
export default defineProject({
  test: {
    name: 'medusa-store',
    include: ['test/**/*.test.ts'],
    globals: true,
    pool: 'threads',
    setupFiles: ['./test/setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    env: {
      DB_HOST: process.env.DB_HOST ?? 'localhost',
      DB_PORT: process.env.DB_PORT ?? '5432',
      DB_USERNAME: process.env.DB_USERNAME ?? 'postgres',
      DB_PASSWORD: process.env.DB_PASSWORD ?? '',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      MEDUSA_DISABLE_TELEMETRY: 'true',
    },
  },
});
