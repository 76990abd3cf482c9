// Runs the workspace's TypeScript sources directly (node --import ./scripts/source-hooks.mjs --conditions=kassa-source):
// a relative `./x.js` import that does not exist resolves to `./x.ts`, as TypeScript's NodeNext resolution does.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (specifier.startsWith('.') && specifier.endsWith('.js')) {
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
      }
      throw error;
    }
  },
});
