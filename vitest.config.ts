import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'plugins/*', 'examples/*'],
    testTimeout: 30_000,
  },
});
