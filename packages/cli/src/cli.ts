#!/usr/bin/env node
import { processIo } from './io.js';
import { runCli } from './main.js';

runCli(process.argv.slice(2), processIo).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // An unexpected failure: print the message, never an object dump that could carry a flag's value.
    process.stderr.write(`kassa: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
