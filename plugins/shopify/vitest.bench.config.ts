import { defineProject } from 'vitest/config';

/** `npm run bench`: measurements printed to stdout, not timed tests (bench/*.bench.ts). */
export default defineProject({
  resolve: { conditions: ['kassa-source'] },
  ssr: { resolve: { conditions: ['kassa-source'] } },
  test: {
    name: 'shopify-bench',
    include: ['bench/**/*.bench.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
