import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/robokassa/index.ts', 'src/assist/index.ts', 'src/testing/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node24',
});
