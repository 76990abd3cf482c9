import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts', 'src/harness/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    shims: true,
    target: 'node24',
  },
  {
    // The service's entry point: ESM only (top-level await).
    entry: ['src/cli.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node24',
  },
]);
