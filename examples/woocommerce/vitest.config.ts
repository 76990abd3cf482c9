import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['kassa-source'] },
  ssr: { resolve: { conditions: ['kassa-source'] } },
  test: { name: 'example-woocommerce', include: ['test/**/*.test.ts'], passWithNoTests: true },
});
