export { type CliIo, EXIT, processIo, UsageError } from './io.js';
export { runCli, VERSION } from './main.js';
