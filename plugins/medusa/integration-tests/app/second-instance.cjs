/**
 * A second Medusa instance of the test app, in its own process (integration-tests/two-instances.app.test.ts): the
 * same medusa-config and the same database as the in-process app of the test runner (`DATABASE_URL`), on `PORT`.
 * Boots with the test runner's own app loader (express + Medusa's loaders + `/health`), prints `READY <port>` and
 * shuts Medusa down cleanly on SIGTERM (so its heartbeat row is removed, as in production).
 */
require('ts-node').register({
  transpileOnly: true,
  swc: false,
  compilerOptions: { module: 'commonjs', moduleResolution: 'node10' },
});
const { startApp } = require('@medusajs/test-utils/dist/medusa-test-runner-utils/bootstrap-app');

startApp({ cwd: __dirname }).then(
  ({ port, shutdown }) => {
    process.stdout.write(`READY ${port}\n`);
    process.once('SIGTERM', () => {
      shutdown().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  },
  (error) => {
    process.stderr.write(`second instance failed to start: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
