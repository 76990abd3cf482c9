import { explainRobokassaError, ROBOKASSA_PAGE_ERROR_CODES } from '@kassa/core/robokassa';
import { parseFlags } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';

export const EXPLAIN_HELP = `kassa robokassa explain CODE — what a Robokassa payment-page error means and how to fix it

  kassa robokassa explain 29
  --json   print {code, meaning, causes, fix}
`;

export async function explainCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, { json: { type: 'boolean' }, help: { type: 'boolean' } });
  if (values.help) {
    io.stdout(EXPLAIN_HELP);
    return EXIT.ok;
  }
  const raw = positionals[0];
  if (raw === undefined || !/^\d+$/.test(raw)) throw new UsageError('explain takes an error code, e.g. 29');
  const error = explainRobokassaError(Number(raw));
  if (!error) throw new UsageError(`unknown Robokassa error ${raw}; known: ${ROBOKASSA_PAGE_ERROR_CODES.join(', ')}`);
  if (values.json) {
    io.stdout(`${JSON.stringify(error)}\n`);
    return EXIT.ok;
  }
  io.stdout(
    [
      `Robokassa error ${error.code}: ${error.meaning}`,
      '',
      'Usual causes:',
      ...error.causes.map((c, i) => `  ${i + 1}. ${c}`),
      '',
      `Fix: ${error.fix}`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}
