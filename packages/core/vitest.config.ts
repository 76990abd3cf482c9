import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['kassa-source'] },
  ssr: { resolve: { conditions: ['kassa-source'] } },
  test: {
    name: 'core',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    include: ['test/**/*.test.ts'],
    // Records all output of every test file and fails the file if a password shows up in it.
    setupFiles: ['test/support/capture-output.ts'],
    sequence: { shuffle: true },
  },
});
