import { defineProject } from 'vitest/config';

/**
 * One project for the plugin: unit tests (test/) and tests against a real Medusa on the machine's Postgres
 * (integration-tests/). Medusa's test runners need globals, worker threads (with forks its `process.send(port)`
 * collides with vitest's IPC channel) and ts-node (see integration-tests/setup.ts). `DB_HOST=localhost`: with any
 * other host the runner forces SSL and hangs on a plain local Postgres.
 */
export default defineProject({
  test: {
    name: 'medusa',
    include: ['test/**/*.test.ts', 'integration-tests/**/*.test.ts'],
    globals: true,
    pool: 'threads',
    setupFiles: ['./integration-tests/setup.ts'],
    testTimeout: 120_000,
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
