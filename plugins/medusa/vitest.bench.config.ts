import { defineConfig } from 'vitest/config';
import project from './vitest.config';

/** `npm run bench`: the ResultURL benchmark (bench/), on the same Medusa test harness; not part of `npm test`. */
export default defineConfig({
  test: {
    ...project.test,
    name: 'medusa-bench',
    include: ['bench/**/*.bench.ts'],
    testTimeout: 600_000,
  },
});
