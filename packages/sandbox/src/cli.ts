#!/usr/bin/env node
import { runCli } from './run-cli.js';

// No top-level await: tsup also builds this entry as CommonJS.
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
