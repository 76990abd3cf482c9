import {
  ASSIST_FIRST_CODES,
  ASSIST_RESPONSE_CODES,
  ASSIST_SECOND_CODES,
  explainAssistError,
  explainAssistResponseCode,
} from '@kassa/core/assist';
import { parseFlags } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';

export const ASSIST_EXPLAIN_HELP = `kassa assist explain — what an Assist result code means (English and Russian)

  kassa assist explain 4 108       firstcode and secondcode of an error reply (also 4/108; secondcode defaults to 0)
  kassa assist explain AS102       a responsecode of a card operation
  --json   print {firstCode, secondCode, en, ru, transient, known} or {code, en, ru}
`;

/** Whether `args` look like Assist codes (`AS102`, `4 108`, `4/108`) rather than a Robokassa page error. */
export function looksLikeAssistCode(positionals: readonly string[]): boolean {
  const [first] = positionals;
  if (first === undefined) return false;
  return /^as\d+$/i.test(first) || /^\d+\/\d+$/.test(first) || positionals.length >= 2;
}

export async function assistExplainCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, { json: { type: 'boolean' }, help: { type: 'boolean' } });
  if (values.help) {
    io.stdout(ASSIST_EXPLAIN_HELP);
    return EXIT.ok;
  }
  const codes = positionals.flatMap((p) => p.split('/'));
  const [first, second, ...extra] = codes;
  if (first === undefined)
    throw new UsageError('explain takes FIRSTCODE [SECONDCODE] (e.g. 4 108) or a responsecode (AS102)');

  if (/^as\d+$/i.test(first)) {
    if (second !== undefined) throw new UsageError('a responsecode is explained on its own, e.g. AS102');
    const text = explainAssistResponseCode(first);
    if (!text) {
      throw new UsageError(
        `unknown Assist responsecode ${first}; known: ${Object.keys(ASSIST_RESPONSE_CODES).join(', ')}`,
      );
    }
    const code = first.toUpperCase();
    if (values.json) {
      io.stdout(`${JSON.stringify({ code, en: text.en, ru: text.ru })}\n`);
      return EXIT.ok;
    }
    io.stdout(`Assist responsecode ${code}: ${text.en}\nАссист, код ответа ${code}: ${text.ru}\n`);
    return EXIT.ok;
  }

  if (extra.length > 0 || !/^\d+$/.test(first) || (second !== undefined && !/^\d+$/.test(second))) {
    throw new UsageError('explain takes FIRSTCODE [SECONDCODE] (e.g. 4 108) or a responsecode (AS102)');
  }
  const firstCode = Number(first);
  const secondCode = second === undefined ? 0 : Number(second);
  if (ASSIST_FIRST_CODES[firstCode] === undefined) {
    throw new UsageError(`unknown Assist firstcode ${first}; known: ${Object.keys(ASSIST_FIRST_CODES).join(', ')}`);
  }
  const explanation = explainAssistError(firstCode, secondCode);
  if (values.json) {
    io.stdout(`${JSON.stringify(explanation)}\n`);
    return EXIT.ok;
  }
  const lines = [`Assist ${explanation.en}`, `Ассист ${explanation.ru}`];
  if (ASSIST_SECOND_CODES[secondCode] === undefined) {
    lines.push(`  secondcode ${secondCode} is not in Assist's documented table`);
  }
  lines.push(
    explanation.transient
      ? '  transient: the same request may succeed later (retry with a backoff)'
      : '  not transient: fix the request before sending it again',
  );
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
