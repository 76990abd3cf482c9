/**
 * The error codes Robokassa's payment page shows the buyer (protocol notes §1.6, DOC-pay «Типовые ошибки»). They are
 * never returned to the shop: the buyer sees them, then the merchant asks "what is error 29?". This table answers,
 * for the CLI (`kassa robokassa explain 29`), the sandbox's error page and the docs.
 */
export interface RobokassaPageError {
  readonly code: number;
  readonly meaning: string;
  /** The usual reasons, most frequent first. */
  readonly causes: readonly string[];
  readonly fix: string;
}

const INTERNAL = {
  meaning: 'internal error at Robokassa',
  causes: ['a temporary failure on Robokassa’s side'],
  fix: 'Try again later; if it persists, write to Robokassa support with the time and the InvId.',
};

const TABLE: Record<number, Omit<RobokassaPageError, 'code'>> = {
  23: {
    meaning: 'test payment impossible: the shop has no test settings',
    causes: [
      'IsTest=1 was sent but the test Password #1/#2 are not set in the cabinet («Технические настройки» → test)',
    ],
    fix: 'Generate the test passwords in the cabinet and configure them as testPassword1/testPassword2.',
  },
  25: {
    meaning: 'the shop is not activated',
    causes: ['the shop is still in moderation or was switched off', 'MerchantLogin names another, inactive shop'],
    fix: 'Use test mode (IsTest=1) until Robokassa activates the shop; check MerchantLogin.',
  },
  26: {
    meaning: 'shop not found',
    causes: [
      'MerchantLogin is the cabinet login instead of the shop identifier',
      'a typo in MerchantLogin',
      'a KZ shop sent to auth.robokassa.ru (or an RU shop to .kz)',
    ],
    fix: 'Copy the shop identifier from «Мои магазины» → «Технические настройки»; choose the country that matches the shop.',
  },
  29: {
    meaning: 'wrong SignatureValue',
    causes: [
      'wrong Password #1 (or the production password with IsTest=1: test payments need the test Password #1)',
      'MerchantLogin is the cabinet login, not the shop identifier',
      'the hash algorithm differs from the cabinet’s «Алгоритм расчёта хэша»',
      'Shp_ parameters missing from the signature, not after the password, or not sorted by name',
      'a signed value differs from what was sent: OutSum formatted differently (100 vs 100.00), Receipt encoded once instead of twice in a GET link, SuccessUrl2/ResultUrl2 signed URL-encoded',
    ],
    fix: 'Run `kassa robokassa sign` with the same values and compare the base string and signature with yours.',
  },
  30: {
    meaning: 'invalid invoice parameter',
    causes: ['InvId is not an integer or is out of range (1…2147483647 for most integrations)'],
    fix: 'Allocate InvIds as positive integers from a database sequence.',
  },
  31: {
    meaning: 'invalid amount',
    causes: ['OutSum is missing, zero, negative or not a decimal with a dot'],
    fix: 'Send OutSum as a positive decimal such as 1500.00.',
  },
  33: {
    meaning: 'the time to pay has expired',
    causes: ['ExpirationDate is in the past', 'the buyer opened an old link'],
    fix: 'Create a new payment with a later ExpirationDate.',
  },
  34: {
    meaning: 'recurring payments are not allowed for the shop',
    causes: ['Recurring=true or Merchant/Recurring without Robokassa’s agreement'],
    fix: 'Ask Robokassa to enable recurring payments for the shop.',
  },
  35: {
    meaning: 'invalid recurring parameters',
    causes: [
      'PreviousInvoiceID is not a paid Recurring=true payment',
      'the child InvoiceID is reused',
      'IncCurrLabel/ExpirationDate combined with Recurring',
    ],
    fix: 'Charge against the InvId of a paid parent payment with a new, unique InvoiceID.',
  },
  40: {
    meaning: 'repeated payment of the same InvId',
    causes: ['the shop sent an InvId that was already paid (test payments never trigger it)'],
    fix: 'Never reuse an InvId: allocate a new one for every payment attempt.',
  },
  41: {
    meaning: 'start error',
    causes: ['the payment could not be started'],
    fix: 'Try again; check the parameters with the sandbox.',
  },
  51: {
    meaning: 'the invoice has expired',
    causes: ['an Invoice API link past its expiry'],
    fix: 'Create a new invoice.',
  },
  52: {
    meaning: 'the invoice is already paid',
    causes: ['an Invoice API link opened after payment'],
    fix: 'Nothing to pay; show the order.',
  },
  53: {
    meaning: 'invoice not found',
    causes: ['an Invoice API link that was deactivated or never existed'],
    fix: 'Create a new invoice.',
  },
  64: {
    meaning: 'holds are forbidden for the shop',
    causes: ['StepByStep=true without Robokassa’s agreement'],
    fix: 'Ask Robokassa to enable two-stage payments, or pay in one stage.',
  },
  65: {
    meaning: 'invalid hold parameters',
    causes: ['StepByStep with a method other than a bank card', 'a malformed StepByStep value'],
    fix: 'Hold only bank-card payments and send StepByStep=true.',
  },
};
for (const code of [20, 21, 22, 24, 27, 28, 32, 36, 37, 43, 500]) TABLE[code] = INTERNAL;

/** What a Robokassa payment-page error code means, its usual causes and the fix; undefined for an unknown code. */
export function explainRobokassaError(code: number): RobokassaPageError | undefined {
  const entry = TABLE[code];
  return entry ? { code, ...entry } : undefined;
}

/** Every documented payment-page error code, ascending. */
export const ROBOKASSA_PAGE_ERROR_CODES: readonly number[] = Object.keys(TABLE)
  .map(Number)
  .sort((a, b) => a - b);
