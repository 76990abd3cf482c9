/**
 * Medusa `require()`s medusa-config.ts and TypeScript sources from CommonJS code inside node_modules, which Vite does
 * not transform: register ts-node (no type-check) in every worker, as Medusa's own CLI does. Not with swc: its native
 * addon, loaded in several worker threads, crashes the process on exit (SIGSEGV, seen with vitest 5). Medusa's test
 * runner also expects Jest-style globals (`describe`, `beforeAll`, …), which `globals: true` provides.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsNode = require('ts-node') as { register(options: Record<string, unknown>): void };
tsNode.register({
  transpileOnly: true,
  swc: false,
  compilerOptions: { module: 'commonjs', moduleResolution: 'node10' },
});
