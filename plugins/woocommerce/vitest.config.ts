import { defineProject } from 'vitest/config';

/**
 * Unit tests (test/unit) and tests against a real WordPress + WooCommerce, the bridge and the sandbox (test/real).
 * The real suite starts PHP and uses the machine's MariaDB; it fails loudly (never skips) when WooCommerce is missing.
 */
export default defineProject({
  resolve: { conditions: ['kassa-source'] },
  ssr: { resolve: { conditions: ['kassa-source'] } },
  test: {
    name: 'woocommerce',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
