/**
 * Runs the package from its TypeScript sources with Node's own type stripping (no build):
 *   node --conditions=kassa-source --import ./scripts/source-hooks.mjs src/cli.ts
 * The sources import `./x.js` as tsup and tsc want; this resolves such a specifier to `./x.ts` when no `.js` exists.
 * Used by the tests that run the bridge as a child process, the bench and the demo.
 */
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (error?.code === 'ERR_MODULE_NOT_FOUND' && /^\.{1,2}\/.*\.js$/.test(specifier)) {
        return nextResolve(specifier.replace(/\.js$/, '.ts'), context);
      }
      throw error;
    }
  },
});
