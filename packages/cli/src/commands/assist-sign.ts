import { isKassaError, type Money } from '@kassa/core';
import {
  ASSIST_CURRENCIES,
  ASSIST_LANGUAGES,
  ASSIST_REGIONS,
  type AssistPaymentParams,
  buildAssistPayment,
  CHECKVALUE_MODES,
  createAssistConfig,
} from '@kassa/core/assist';
import { flagOrEnv, parseFlags } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';

export const ASSIST_SIGN_HELP = `kassa assist sign — build a signed Assist payment (pay/order.cfm) URL and form

  --merchant-id ID        Merchant_ID from the Assist personal account (digits)
  --order-number N        the shop's order number (OrderNumber)
  --amount AMOUNT         e.g. 1534.50 (sent and signed with two decimals)
  --currency CUR          OrderCurrency: ${ASSIST_CURRENCIES.join(', ')} (default RUB, BYN with --region BY)
  --secret-word WORD      the merchant's secret word (or env ASSIST_SECRET_WORD); never printed
  --checkvalue-mode MODE  semicolon (default: Merchant_ID;OrderNumber;…) or concat (legacy, no delimiters)
  --customer-number ID    One-Click customer id (enters the checkvalue)
  --comment TEXT  --language ${ASSIST_LANGUAGES.join('|')}  --hold (Delay=1)
  --region RU|BY          default host region (default RU)
  --test                  the region's test host
  --host URL              another Assist host: the merchant's own server, or the sandbox
  --json                  print {url, fields, checkvalue, base}

The checkvalue is UPPER(md5(UPPER(md5(secret word) + md5(base)))); output shows the secret word as ***.
`;

/** How a checkvalue is made from its base, with the secret word masked. */
export function checkvalueFormula(base: string): string {
  return `UPPER(md5(UPPER(md5(***) + md5(${JSON.stringify(base)}))))`;
}

/** `1534.50` / `1534.5` / `1534` → minor units. The amount is text end to end: never a float. */
function parseAmount(raw: string, currency: string): Money {
  if (!(ASSIST_CURRENCIES as readonly string[]).includes(currency)) {
    throw new UsageError(`--currency is one of ${ASSIST_CURRENCIES.join(', ')}`);
  }
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(raw);
  if (!match) {
    throw new UsageError(
      `--amount "${raw}" is not an amount: digits with an optional "." and two decimals, e.g. 1534.50`,
    );
  }
  const minor = BigInt((match[1] ?? '0') + (match[2] ?? '').padEnd(2, '0'));
  return { currency: currency as Money['currency'], minor };
}

export async function assistSignCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, {
    'merchant-id': { type: 'string' },
    'order-number': { type: 'string' },
    amount: { type: 'string' },
    currency: { type: 'string' },
    'secret-word': { type: 'string' },
    'checkvalue-mode': { type: 'string' },
    'customer-number': { type: 'string' },
    comment: { type: 'string' },
    language: { type: 'string' },
    hold: { type: 'boolean' },
    region: { type: 'string' },
    test: { type: 'boolean' },
    host: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(ASSIST_SIGN_HELP);
    return EXIT.ok;
  }
  const secretWord = flagOrEnv(values['secret-word'], 'ASSIST_SECRET_WORD');
  const missing = [
    ['--merchant-id', values['merchant-id']],
    ['--order-number', values['order-number']],
    ['--amount', values.amount],
    ['--secret-word', secretWord],
  ].filter(([, v]) => v === undefined);
  if (missing.length > 0) throw new UsageError(`missing ${missing.map(([f]) => f).join(', ')}`);
  const mode = values['checkvalue-mode'] ?? 'semicolon';
  if (!(CHECKVALUE_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`--checkvalue-mode is ${CHECKVALUE_MODES.join(' or ')}`);
  }
  if (values.region !== undefined && !(ASSIST_REGIONS as readonly string[]).includes(values.region)) {
    throw new UsageError(`--region is ${ASSIST_REGIONS.join(' or ')}`);
  }

  try {
    const config = createAssistConfig({
      merchantId: values['merchant-id'],
      secretWord,
      checkvalueMode: mode,
      ...(values.region ? { region: values.region } : {}),
      ...(values.test ? { testMode: true } : {}),
      ...(values.host ? { baseUrl: values.host } : {}),
    });
    const params: AssistPaymentParams = {
      orderNumber: values['order-number'] as string,
      amount: parseAmount(values.amount as string, values.currency ?? config.currency),
      ...(values['customer-number'] !== undefined ? { customerNumber: values['customer-number'] } : {}),
      ...(values.comment !== undefined ? { comment: values.comment } : {}),
      ...(values.language !== undefined ? { language: values.language as AssistPaymentParams['language'] } : {}),
      ...(values.hold ? { hold: true } : {}),
    };
    const request = buildAssistPayment(config, params);
    const fields = request.form.fields.map(([name, value]) => ({ name, value }));
    const checkvalue = request.checkvalue ?? null;
    if (values.json) {
      io.stdout(`${JSON.stringify({ url: request.url, fields, checkvalue, base: request.checkvalueBase })}\n`);
      return EXIT.ok;
    }
    const width = Math.max(...fields.map((f) => f.name.length));
    io.stdout(
      [
        'Payment URL (GET):',
        `  ${request.url}`,
        '',
        `Form (POST ${request.form.action}):`,
        ...fields.map((f) => `  ${f.name.padEnd(width)}  ${f.value}`),
        '',
        `Checkvalue (${config.checkvalueMode}): ${checkvalue}`,
        `Checkvalue base:  ${request.checkvalueBase}`,
        `Computed as:      ${checkvalueFormula(request.checkvalueBase)}`,
        '',
      ].join('\n'),
    );
    return EXIT.ok;
  } catch (error) {
    if (isKassaError(error)) throw new UsageError(`${error.code}: ${error.message}`);
    throw error;
  }
}
