import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['kassa-source'] },
  ssr: { resolve: { conditions: ['kassa-source'] } },
  test: { name: 'core', include: ['test/**/*.test.ts'], sequence: { shuffle: true } },
});
