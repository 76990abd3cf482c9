import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['kassa-source'] },
  ssr: { resolve: { conditions: ['kassa-source'] } },
  test: {
    name: 'shopify',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    include: ['test/**/*.test.ts'],
  },
});
