import { CHECK_RESULT_HELP, checkResultCommand } from './commands/check-result.js';
import { EXPLAIN_HELP, explainCommand } from './commands/explain.js';
import { SIGN_HELP, signCommand } from './commands/sign.js';
import { type CliIo, EXIT, processIo, UsageError } from './io.js';

export const VERSION = '0.1.0';

const HELP = `kassa — debug a Robokassa integration

  kassa robokassa sign ...           build a signed payment URL and form
  kassa robokassa check-result ...   check a ResultURL/SuccessURL callback's signature
  kassa robokassa explain CODE       what a payment-page error (e.g. 29) means and how to fix it
  kassa sandbox ...                  start the local Robokassa sandbox (see kassa sandbox --help)
  kassa --version

Run a command with --help for its flags.
`;

type SandboxCli = (argv: string[]) => Promise<number>;

/** Runs `kassa` with `argv` (without node and the script); resolves to the exit code. */
export async function runCli(
  argv: string[],
  io: CliIo = processIo,
  deps: { sandbox?: SandboxCli } = {},
): Promise<number> {
  const [group, command, ...rest] = argv;
  try {
    if (group === undefined || group === '--help' || group === '-h' || group === 'help') {
      io.stdout(HELP);
      return EXIT.ok;
    }
    if (group === '--version' || group === '-v') {
      io.stdout(`${VERSION}\n`);
      return EXIT.ok;
    }
    if (group === 'sandbox') {
      if (deps.sandbox) return await deps.sandbox(argv.slice(1));
      // Loaded on demand: signing and checking need none of the server code.
      const { runCli: runSandbox } = await import('@kassa/sandbox');
      return await runSandbox(argv.slice(1), { stdout: io.stdout, stderr: io.stderr });
    }
    if (group === 'robokassa') {
      if (command === 'sign') return await signCommand(rest, io);
      if (command === 'check-result') return await checkResultCommand(rest, io);
      if (command === 'explain') return await explainCommand(rest, io);
      if (command === undefined || command === '--help') {
        io.stdout(`${SIGN_HELP}\n${CHECK_RESULT_HELP}\n${EXPLAIN_HELP}`);
        return EXIT.ok;
      }
    }
    throw new UsageError(`unknown command: ${argv.slice(0, 2).join(' ')}`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`kassa: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
