import {
  ASSIST_CHECK_NOTIFICATION_HELP,
  assistCheckNotificationCommand,
} from './commands/assist-check-notification.js';
import { ASSIST_EXPLAIN_HELP, assistExplainCommand, looksLikeAssistCode } from './commands/assist-explain.js';
import { ASSIST_SIGN_HELP, assistSignCommand } from './commands/assist-sign.js';
import { CHECK_RESULT_HELP, checkResultCommand } from './commands/check-result.js';
import { EXPLAIN_HELP, explainCommand } from './commands/explain.js';
import { SIGN_HELP, signCommand } from './commands/sign.js';
import { type CliIo, EXIT, processIo, UsageError } from './io.js';

export const VERSION = '0.1.0';

const HELP = `kassa — debug a Robokassa or Assist integration

Robokassa:
  kassa robokassa sign ...              build a signed payment URL and form
  kassa robokassa check-result ...      check a ResultURL/SuccessURL callback's signature
  kassa robokassa explain CODE          what a payment-page error (e.g. 29) means and how to fix it

Assist:
  kassa assist sign ...                 build a pay/order.cfm URL and form with its checkvalue
  kassa assist check-notification ...   check a result notification's checkvalue, naming the likely mistake
  kassa assist explain FIRST [SECOND]   what firstcode/secondcode (e.g. 4 108) mean, in English and Russian
  kassa assist explain ASnnn            what a responsecode (e.g. AS102) means

  kassa explain CODE...                 either: AS102, 4 108 or 4/108 → Assist; a single number → Robokassa
  kassa sandbox ...                     start the local sandbox: Robokassa and Assist on one host
                                        (see kassa sandbox --help)
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
    if (group === 'download') return await (await import('./commands/download.js')).downloadCommand(argv.slice(1), io);
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
    if (group === 'assist') {
      if (command === 'sign') return await assistSignCommand(rest, io);
      if (command === 'check-notification') return await assistCheckNotificationCommand(rest, io);
      if (command === 'explain') return await assistExplainCommand(rest, io);
      if (command === undefined || command === '--help') {
        io.stdout(`${ASSIST_SIGN_HELP}\n${ASSIST_CHECK_NOTIFICATION_HELP}\n${ASSIST_EXPLAIN_HELP}`);
        return EXIT.ok;
      }
    }
    if (group === 'explain') {
      const args = argv.slice(1);
      const positionals = args.filter((a) => !a.startsWith('-'));
      if (args.includes('--help') || args.includes('-h')) {
        io.stdout(`${EXPLAIN_HELP}\n${ASSIST_EXPLAIN_HELP}`);
        return EXIT.ok;
      }
      return looksLikeAssistCode(positionals) ? await assistExplainCommand(args, io) : await explainCommand(args, io);
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
