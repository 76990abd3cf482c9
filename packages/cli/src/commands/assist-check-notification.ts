import { isKassaError } from '@kassa/core';
import {
  type AssistNotificationFields,
  assistCheckvalue,
  checkvaluesEqual,
  createAssistConfig,
  type NotificationCheckvalueParts,
  notificationCheckvalue,
  notificationCheckvalueBase,
  orderCheckvalue,
  orderCheckvalueBase,
  type PaymentCheckvalueParts,
  parseAssistNotification,
  paymentCheckvalue,
  paymentCheckvalueBase,
  verifyAssistNotification,
} from '@kassa/core/assist';
import { hashHex } from '@kassa/core/robokassa';
import { extractParams, flagOrEnv, parseFlags } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { checkvalueFormula } from './assist-sign.js';

export const ASSIST_CHECK_NOTIFICATION_HELP = `kassa assist check-notification — does an Assist result notification verify?

  kassa assist check-notification 'merchant_id=111111&ordernumber=100&…&checkvalue=…' --secret-word WORD
  echo "$BODY" | kassa assist check-notification --secret-word WORD

  BODY                  the notification's form body (or the whole URL); else read from stdin
  --secret-word WORD    the merchant's secret word (or env ASSIST_SECRET_WORD); never printed
  --merchant-id ID      also require merchant_id to be this one (as the shop's handler does)
  --json                print {valid, mistake, reason, base, expected, received, signerBase}

The checkvalue is UPPER(md5(UPPER(md5(secret word) + md5(merchant_id+ordernumber+amount+currency+orderstate)))),
the values exactly as posted. When it does not verify, the usual mistakes are recomputed and the one that
reproduces the received checkvalue is named.

Exit code: 0 valid, 1 invalid, 2 unusable input (not a form body, a missing or malformed field).
`;

/** What went wrong, as a stable name (for --json and scripts). */
export type NotificationMistake =
  | 'merchant-mismatch'
  | 'inner-lower-case'
  | 'secret-whitespace'
  | 'order-fields'
  | 'payment-formula'
  | 'semicolon-delimited'
  | 'amount-reformatted'
  | 'field-missing'
  | 'wrong-secret-word';

interface Report {
  valid: boolean;
  mistake: NotificationMistake | null;
  reason: string;
  /** X of the notification as core computes it (it holds no secret: the secret word is a separate input). */
  base: string | null;
  expected: string | null;
  received: string | null;
  /** X that reproduces the received checkvalue, when a diagnosed mistake matched and core computed that X. */
  signerBase: string | null;
}

const EMPTY: Omit<Report, 'reason'> = {
  valid: false,
  mistake: null,
  base: null,
  expected: null,
  received: null,
  signerBase: null,
};

export async function assistCheckNotificationCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    'secret-word': { type: 'string' },
    'merchant-id': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(ASSIST_CHECK_NOTIFICATION_HELP);
    return EXIT.ok;
  }
  const json = values.json ?? false;
  const secretWord = flagOrEnv(values['secret-word'], 'ASSIST_SECRET_WORD');
  if (!secretWord) throw new UsageError('missing --secret-word (or env ASSIST_SECRET_WORD)');

  const raw = positionals.length > 0 ? positionals.join('&') : await io.readStdin();
  const params = extractParams(raw);
  if (params === '') throw new UsageError('no notification body given (argument or stdin)');
  if (/^[{[<]/.test(params)) {
    print(io, { ...EMPTY, reason: notFormBody(params) }, json);
    return EXIT.usage;
  }
  const read = parseAssistNotification(params);
  if (!read.ok) {
    const noFields = !/[=]/.test(params);
    print(io, { ...EMPTY, reason: noFields ? notFormBody(params) : read.detail }, json);
    return EXIT.usage;
  }
  const f = read.fields;

  let config: ReturnType<typeof createAssistConfig>;
  try {
    // Only the secret word under test is configured; merchant_id is the body's unless --merchant-id pins it.
    config = createAssistConfig({ merchantId: values['merchant-id'] ?? f.merchant_id, secretWord });
  } catch (error) {
    if (isKassaError(error)) throw new UsageError(`${error.code}: ${error.message}`);
    throw error;
  }
  const verification = verifyAssistNotification(config, params);
  const base = notificationCheckvalueBase(f);
  const expected = notificationCheckvalue(secretWord, f);
  const report: Report = {
    valid: verification.ok,
    mistake: null,
    reason: 'the checkvalue matches',
    base,
    expected,
    received: f.checkvalue,
    signerBase: null,
  };
  if (verification.ok) {
    if (f.checkvalue !== f.checkvalue.toUpperCase()) {
      report.reason =
        'the checkvalue matches, but it is in lower case: Assist sends upper case, so compare case-insensitively';
    }
  } else if (verification.reason === 'merchant_mismatch') {
    report.mistake = 'merchant-mismatch';
    report.reason = `merchant_id ${f.merchant_id} is not --merchant-id ${config.merchantId}: a notification for another merchant, or the wrong --merchant-id`;
  } else if (verification.reason === 'signature_mismatch') {
    const diagnosis = diagnose(f, secretWord);
    report.mistake = diagnosis.mistake;
    report.reason = diagnosis.reason;
    report.signerBase = diagnosis.signerBase;
  } else {
    // Nothing else can fail without expectTestMode; a parse failure was handled above.
    report.reason = verification.detail;
  }
  print(io, report, json);
  return verification.ok ? EXIT.ok : EXIT.invalid;
}

function notFormBody(text: string): string {
  const kind = text.startsWith('<') ? 'XML' : text.startsWith('{') || text.startsWith('[') ? 'JSON' : 'text';
  return `not a form body (got ${kind}): Assist posts application/x-www-form-urlencoded, merchant_id=…&ordernumber=…&…&checkvalue=…`;
}

function print(io: CliIo, report: Report, json: boolean): void {
  if (json) {
    io.stdout(`${JSON.stringify(report)}\n`);
    return;
  }
  const lines = [report.valid ? 'valid' : 'invalid'];
  if (report.base !== null) {
    lines.push(`  base:        ${report.base}`);
    lines.push(`  computed as: ${checkvalueFormula(report.base)}`);
  }
  if (report.expected !== null) lines.push(`  expected:    ${report.expected}`);
  if (report.received !== null) lines.push(`  received:    ${report.received}`);
  if (report.signerBase !== null) lines.push(`  signer used: ${report.signerBase}`);
  lines.push(`  reason:      ${report.reason}`);
  io.stdout(`${lines.join('\n')}\n`);
}

interface Diagnosis {
  mistake: NotificationMistake;
  reason: string;
  signerBase: string | null;
}

const NOTIFICATION_FIELDS = ['merchant_id', 'ordernumber', 'amount', 'currency', 'orderstate'] as const;

/** Other renderings of the same amount: `100.00` → `100`, `100.0`, `100,00`; `100.5` → `100.50`, `100,50`. */
function amountVariants(amount: string): string[] {
  const [whole = '', fraction = ''] = amount.split('.');
  const two = fraction.padEnd(2, '0');
  const shortest = two.replace(/0+$/, '');
  const variants = [shortest === '' ? whole : `${whole}.${shortest}`, `${whole}.${two}`, `${whole},${two}`];
  if (two.endsWith('0')) variants.push(`${whole}.${two.slice(0, 1)}`);
  return [...new Set(variants)].filter((v) => v !== amount);
}

/**
 * Recomputes the checkvalue under the usual mistakes with core's own functions and names the first that reproduces
 * the received value. Every guess uses the secret word under test, so the diagnosis tells an attacker nothing.
 */
function diagnose(f: AssistNotificationFields, secretWord: string): Diagnosis {
  const received = f.checkvalue;
  const matches = (hex: string) => checkvaluesEqual(hex, received);
  const parts: NotificationCheckvalueParts = f;
  const base = notificationCheckvalueBase(parts);

  // Case: the two inner digests joined in lower case (the outer upper-casing is harmless: compare any case).
  if (matches(hashHex('md5', hashHex('md5', secretWord) + hashHex('md5', base)))) {
    return {
      mistake: 'inner-lower-case',
      reason:
        'the inner digests were joined in lower case: upper-case md5(secret word) + md5(base) before the outer MD5',
      signerBase: base,
    };
  }
  const trimmedSecret = secretWord.trim();
  if (trimmedSecret !== secretWord && trimmedSecret !== '' && matches(notificationCheckvalue(trimmedSecret, parts))) {
    return {
      mistake: 'secret-whitespace',
      reason:
        'the secret word given here has leading or trailing whitespace (a newline from a file?); the signer used it trimmed',
      signerBase: base,
    };
  }

  // The order's amount/currency (the orderstate/orderresult formula) instead of the operation's.
  if (
    (f.orderamount !== undefined && f.orderamount !== f.amount) ||
    (f.ordercurrency !== undefined && f.ordercurrency !== f.currency)
  ) {
    const order = {
      merchant_id: f.merchant_id,
      ordernumber: f.ordernumber,
      orderamount: f.orderamount ?? f.amount,
      ordercurrency: f.ordercurrency ?? f.currency,
      orderstate: f.orderstate,
    };
    if (matches(orderCheckvalue(secretWord, order))) {
      return {
        mistake: 'order-fields',
        reason:
          "signed over orderamount/ordercurrency (the orderstate web-service formula); a notification is signed over the operation's amount and currency",
        signerBase: orderCheckvalueBase(order),
      };
    }
  }

  // The payment-request formula (Merchant_ID;OrderNumber;OrderAmount;OrderCurrency) instead. Its legacy concat mode
  // is the notification base without orderstate: that case is named below, as a missing field.
  const request: PaymentCheckvalueParts = {
    merchantId: f.merchant_id,
    orderNumber: f.ordernumber,
    orderAmount: f.amount,
    orderCurrency: f.currency,
  };
  if (matches(paymentCheckvalue(secretWord, request, 'semicolon'))) {
    return {
      mistake: 'payment-formula',
      reason:
        "signed with the payment request's formula (';'-joined, no orderstate); a notification's base is merchant_id+ordernumber+amount+currency+orderstate without delimiters",
      signerBase: paymentCheckvalueBase(request, 'semicolon'),
    };
  }
  if (matches(assistCheckvalue(secretWord, NOTIFICATION_FIELDS.map((name) => f[name]).join(';')))) {
    return {
      mistake: 'semicolon-delimited',
      reason:
        "the five fields were joined with ';' (the payment request's current mode); a notification's base has no delimiters",
      signerBase: null,
    };
  }

  for (const amount of amountVariants(f.amount)) {
    const variant = { ...parts, amount };
    if (matches(notificationCheckvalue(secretWord, variant))) {
      return {
        mistake: 'amount-reformatted',
        reason: `amount was reformatted: the signer used "${amount}" but the notification carries "${f.amount}" (sign the amount exactly as posted)`,
        signerBase: notificationCheckvalueBase(variant),
      };
    }
  }

  for (const name of NOTIFICATION_FIELDS) {
    const variant = { ...parts, [name]: '' };
    if (matches(notificationCheckvalue(secretWord, variant))) {
      return {
        mistake: 'field-missing',
        reason: `${name} was left out of the base: it is merchant_id+ordernumber+amount+currency+orderstate${
          name === 'orderstate' ? " (without orderstate it is the payment request's legacy concat formula)" : ''
        }`,
        signerBase: notificationCheckvalueBase(variant),
      };
    }
  }

  return {
    mistake: 'wrong-secret-word',
    reason:
      'no usual mistake reproduces it with this secret word: a wrong secret word (each merchant, test or live, has its own), or a value changed in transit',
    signerBase: null,
  };
}
