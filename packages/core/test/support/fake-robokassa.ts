/**
 * An in-process Robokassa for the API client tests: a node:http server on 127.0.0.1:0 that answers the XML web
 * service, the Refund API, hold Confirm/Cancel, Recurring and RoboFiscal the way the protocol notes (§3) describe,
 * and checks every request strictly (method, path, content type, the exact set of parameters, signatures).
 *
 * Anything unexpected is a *problem*: it is recorded in `fake.problems` and answered `400 FAKE: …`. Tests assert
 * `fake.problems` is empty, so a request the real Robokassa would reject fails the test loudly.
 *
 * The checks are written independently of the code under test (node:crypto and URLSearchParams directly), so the
 * client cannot pass by agreeing with itself.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, expect } from 'vitest';
import { KassaError } from '../../src/errors.js';
import type { HashAlgorithm } from '../../src/hash.js';
import { createRobokassaConfig, type RobokassaConfig, type RobokassaConfigInput } from '../../src/robokassa/config.js';

export const NAMESPACES = {
  /** What live replies declare (§3). */
  real: 'http://merchant.roboxchange.com/WebService/',
  /** What the documentation template shows. */
  docs: 'http://auth.robokassa.ru/Merchant/WebService/',
  none: '',
} as const;
export type FakeNamespace = keyof typeof NAMESPACES;

export interface FakeOperation {
  stateCode: number;
  isTest?: boolean;
  /** Raw as Robokassa writes it: `100.000000`. */
  incSum?: string;
  outSum?: string;
  incCurrLabel?: string;
  incAccount?: string;
  paymentMethod?: { code: string; description: string };
  outCurrLabel?: string;
  opKey?: string;
  bankCardRrn?: string;
  requestDate?: string;
  stateDate?: string;
  userFields?: Array<[string, string]>;
  /** Answer result code 4 (a test operation with the same InvoiceID). */
  duplicate?: boolean;
  /** Omit `<Info>` from the reply. */
  noInfo?: boolean;
}

export interface FakeCurrency {
  label: string;
  alias?: string;
  name: string;
  minValue?: string;
  maxValue?: string;
}
export interface FakeGroup {
  code: string;
  description: string;
  items: FakeCurrency[];
}

export interface FakeRefund {
  requestId: string;
  opKey: string;
  /** In minor units of 1e-6 (Robokassa's 6 decimals). */
  amountMicros: bigint;
  label: 'finished' | 'processing' | 'canceled';
  /** The JWT payload JSON exactly as received. */
  payload: string;
  alg: string;
}

export interface RecordedRequest {
  endpoint: string;
  method: string;
  path: string;
  query: string;
  contentType: string;
  body: string;
}

export type Behaviour =
  | { status: number; body?: string; contentType?: string }
  /** Accept the request and never answer. */
  | 'hang'
  /** Drop the connection without a reply. */
  | 'reset';

export interface FakeRobokassaOptions {
  login?: string;
  password1?: string;
  password2?: string;
  password3?: string;
  testPassword1?: string;
  testPassword2?: string;
  algorithm?: HashAlgorithm;
  namespace?: FakeNamespace;
}

export interface FakeRobokassa {
  readonly url: string;
  /** A config pointing all three hosts at the fake, with the fake's credentials. */
  readonly config: RobokassaConfig;
  configWith(overrides: Partial<RobokassaConfigInput>): RobokassaConfig;
  readonly operations: Map<number, FakeOperation>;
  readonly groups: Map<string, FakeGroup[]>;
  readonly methods: Map<string, Array<{ code: string; description: string }>>;
  readonly refunds: Map<string, FakeRefund>;
  /** Second receipts by id: the payload JSON as received. */
  readonly receipts: Map<string, string>;
  readonly requests: RecordedRequest[];
  readonly problems: string[];
  namespace: FakeNamespace;
  /**
   * Which Password #2 OpStateExt accepts: `operation` (default) the pair of the operation (test for `isTest`
   * operations, production otherwise and for unknown invoices); `test` or `production` only that one, for every
   * invoice (real Robokassa's choice is undocumented).
   */
  opStateExtPassword: 'operation' | 'test' | 'production';
  /** CalcOutSumm: the shop gets this share of IncSum, in per mille. */
  calcPerMille: bigint;
  hits(endpoint: string): number;
  /** Answer the next `times` requests to `endpoint` with `behaviour` instead of the protocol (checks skipped). */
  override(endpoint: string, behaviour: Behaviour, times?: number): void;
  close(): Promise<void>;
}

const DEFAULTS = {
  login: 'login',
  password1: 'p1',
  password2: 'p2',
  password3: 'p3-secret',
  testPassword1: 'tp1',
  testPassword2: 'tp2',
  algorithm: 'md5' as HashAlgorithm,
};

/** The live GetCurrencies sample of §3.2, plus a MinValue/MaxValue pair from the older fixture. */
export const SAMPLE_GROUPS: FakeGroup[] = [
  {
    code: 'EMoney',
    description: 'Электронным кошельком',
    items: [{ label: 'Qiwi40PS', alias: 'QiwiWallet', name: 'QIWI Кошелек' }],
  },
  {
    code: 'BankCard',
    description: 'Банковской картой',
    items: [
      { label: 'BankCardPSR', alias: 'BankCard', name: 'Банковская карта' },
      { label: 'YandexPayPSR', alias: 'YandexPay', name: 'Яндекс Pay', maxValue: '40000' },
    ],
  },
  { code: 'Terminals', description: 'В терминале', items: [] },
  {
    code: 'Mobile',
    description: 'Сотовые операторы',
    items: [{ label: 'MixplatMTSRIBR', alias: 'PhoneMTS', name: 'МТС', minValue: '10', maxValue: '15000' }],
  },
];

const ENDPOINTS: Array<{ endpoint: string; method: 'GET' | 'POST'; path: string }> = [
  { endpoint: 'OpStateExt', method: 'GET', path: '/Merchant/WebService/Service.asmx/OpStateExt' },
  { endpoint: 'GetCurrencies', method: 'GET', path: '/Merchant/WebService/Service.asmx/GetCurrencies' },
  { endpoint: 'GetPaymentMethods', method: 'GET', path: '/Merchant/WebService/Service.asmx/GetPaymentMethods' },
  { endpoint: 'CalcOutSumm', method: 'GET', path: '/Merchant/WebService/Service.asmx/CalcOutSumm' },
  { endpoint: 'Refund/Create', method: 'POST', path: '/RefundService/Refund/Create' },
  { endpoint: 'Refund/GetState', method: 'GET', path: '/RefundService/Refund/GetState' },
  { endpoint: 'Payment/Confirm', method: 'POST', path: '/Merchant/Payment/Confirm' },
  { endpoint: 'Payment/Cancel', method: 'POST', path: '/Merchant/Payment/Cancel' },
  { endpoint: 'Recurring', method: 'POST', path: '/Merchant/Recurring' },
  { endpoint: 'Receipt/Attach', method: 'POST', path: '/RoboFiscal/Receipt/Attach' },
  { endpoint: 'Receipt/Status', method: 'POST', path: '/RoboFiscal/Receipt/Status' },
];

class Problem extends Error {}

function md(algorithm: HashAlgorithm, text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

function sameHex(expected: string, received: string): boolean {
  const a = Buffer.from(expected.toLowerCase());
  const b = Buffer.from(received.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

function escapeXml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

/** A decimal string → integer micro-units (Robokassa writes 6 decimals). */
function micros(value: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(value);
  if (!m) throw new Problem(`not a decimal amount: ${value}`);
  return BigInt((m[1] ?? '0') + (m[2] ?? '').padEnd(6, '0'));
}

function sixDecimals(value: bigint): string {
  const s = value.toString().padStart(7, '0');
  return `${s.slice(0, -6)}.${s.slice(-6)}`;
}

/** Parses a form/query strictly: every name once, exactly the allowed names, the required ones present, in order. */
function fields(
  text: string,
  spec: { required: string[]; optional?: string[]; prefix?: string },
): { values: Map<string, string>; order: string[] } {
  const values = new Map<string, string>();
  const order: string[] = [];
  for (const [name, value] of new URLSearchParams(text)) {
    const allowed =
      spec.required.includes(name) ||
      spec.optional?.includes(name) ||
      (spec.prefix !== undefined && name.startsWith(spec.prefix));
    if (!allowed) throw new Problem(`unexpected parameter ${name}`);
    if (values.has(name)) throw new Problem(`parameter ${name} sent twice`);
    values.set(name, value);
    order.push(name);
  }
  for (const name of spec.required) if (!values.has(name)) throw new Problem(`missing parameter ${name}`);
  return { values, order };
}

function need(values: Map<string, string>, name: string): string {
  const v = values.get(name);
  if (v === undefined) throw new Problem(`missing parameter ${name}`);
  return v;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const HMAC_ALGS: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

export async function startFakeRobokassa(options: FakeRobokassaOptions = {}): Promise<FakeRobokassa> {
  const creds = { ...DEFAULTS, ...options };
  const operations = new Map<number, FakeOperation>();
  const groups = new Map<string, FakeGroup[]>([
    ['ru', SAMPLE_GROUPS],
    ['en', SAMPLE_GROUPS],
  ]);
  const methods = new Map<string, Array<{ code: string; description: string }>>([
    [
      'ru',
      [
        { code: 'BankCard', description: 'Банковская карта' },
        { code: 'SBP', description: 'СБП' },
      ],
    ],
    ['en', [{ code: 'BankCard', description: 'Bank card' }]],
  ]);
  const refunds = new Map<string, FakeRefund>();
  const receipts = new Map<string, string>();
  const requests: RecordedRequest[] = [];
  const problems: string[] = [];
  const hitCount = new Map<string, number>();
  const overrides = new Map<string, Array<{ behaviour: Behaviour; left: number }>>();

  const password1 = (isTest: boolean) => (isTest ? creds.testPassword1 : creds.password1);
  const password2 = (isTest: boolean) => (isTest ? creds.testPassword2 : creds.password2);

  const xml = (root: string, inner: string): string => {
    const ns = NAMESPACES[fake.namespace];
    const attrs = ns
      ? ` xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="${ns}"`
      : '';
    return `<?xml version="1.0" encoding="utf-8"?>\n<${root}${attrs}>${inner}</${root}>`;
  };
  const result = (code: number, description?: string) =>
    `<Result><Code>${code}</Code>${description ? `<Description>${escapeXml(description)}</Description>` : ''}</Result>`;

  type Reply = { status: number; body: string; contentType: string };
  const xmlReply = (root: string, inner: string): Reply => ({
    status: 200,
    body: xml(root, inner),
    contentType: 'text/xml; charset=utf-8',
  });
  const json = (value: string, status = 200): Reply => ({
    status,
    body: value,
    contentType: 'application/json; charset=utf-8',
  });
  const text = (value: string): Reply => ({ status: 200, body: value, contentType: 'text/plain; charset=utf-8' });

  function opStateExt(query: string): Reply {
    const { values } = fields(query, { required: ['MerchantLogin', 'InvoiceID', 'Signature'] });
    const root = 'OperationStateResponse';
    const login = need(values, 'MerchantLogin');
    const invText = need(values, 'InvoiceID');
    if (!/^\d+$/.test(invText)) throw new Problem('InvoiceID is not an integer');
    if (login !== creds.login) return xmlReply(root, result(2, 'Shop not found'));
    const op = operations.get(Number(invText));
    const base = (isTest: boolean) => `${login}:${invText}:${password2(isTest)}`;
    const signature = need(values, 'Signature');
    const pair = fake.opStateExtPassword;
    const acceptsTestPair = pair === 'operation' ? (op?.isTest ?? false) : pair === 'test';
    const okSig = sameHex(md(creds.algorithm, base(acceptsTestPair)), signature);
    if (!okSig) return xmlReply(root, result(1, 'Invalid signature'));
    if (!op) return xmlReply(root, result(3, 'Operation not found'));
    if (op.duplicate) return xmlReply(root, result(4, 'Two operations with this InvoiceID'));
    const el = (name: string, value: string | undefined) =>
      value === undefined ? '' : `<${name}>${escapeXml(value)}</${name}>`;
    const info = op.noInfo
      ? ''
      : `<Info xsi:type="OperationInfoExt">${el('IncCurrLabel', op.incCurrLabel ?? 'BankCardPSR')}${el('IncSum', op.incSum ?? '100.000000')}${el('IncAccount', op.incAccount ?? '123456******0987')}<PaymentMethod>${el('Code', op.paymentMethod?.code ?? 'BankCard')}${el('Description', op.paymentMethod?.description ?? 'Банковской картой')}</PaymentMethod>${el('OutCurrLabel', op.outCurrLabel ?? 'BNR')}${el('OutSum', op.outSum ?? op.incSum ?? '100.000000')}${el('OpKey', op.opKey)}${el('BankCardRRN', op.bankCardRrn)}</Info>`;
    const userFields = op.userFields?.length
      ? `<UserField>${op.userFields.map(([n, v]) => `<Field><Name>${escapeXml(n)}</Name><Value>${escapeXml(v)}</Value></Field>`).join('')}</UserField>`
      : '';
    return xmlReply(
      root,
      `${result(0)}<State><Code>${op.stateCode}</Code><RequestDate>${op.requestDate ?? '2019-11-13T10:21:22.0500029+03:00'}</RequestDate><StateDate>${op.stateDate ?? '2018-02-22T15:56:54.6833333+03:00'}</StateDate></State>${info}${userFields}`,
    );
  }

  function language(values: Map<string, string>): string {
    const lang = need(values, 'Language');
    if (lang !== 'ru' && lang !== 'en') throw new Problem(`Language must be ru or en, got ${lang}`);
    return lang;
  }

  function getCurrencies(query: string): Reply {
    const { values } = fields(query, { required: ['MerchantLogin', 'Language'] });
    const lang = language(values);
    if (need(values, 'MerchantLogin') !== creds.login) return xmlReply('CurrenciesList', result(2));
    const attr = (n: string, v: string | undefined) => (v === undefined ? '' : ` ${n}="${escapeXml(v)}"`);
    const body = (groups.get(lang) ?? [])
      .map(
        (g) =>
          `<Group Code="${escapeXml(g.code)}" Description="${escapeXml(g.description)}"><Items>${g.items
            .map(
              (c) =>
                `<Currency${attr('Label', c.label)}${attr('Alias', c.alias)}${attr('Name', c.name)}${attr('MinValue', c.minValue)}${attr('MaxValue', c.maxValue)} />`,
            )
            .join('')}</Items></Group>`,
      )
      .join('');
    return xmlReply('CurrenciesList', `${result(0)}<Groups>${body}</Groups>`);
  }

  function getPaymentMethods(query: string): Reply {
    const { values } = fields(query, { required: ['MerchantLogin', 'Language'] });
    const lang = language(values);
    if (need(values, 'MerchantLogin') !== creds.login) return xmlReply('PaymentMethodsList', result(2));
    const list = (methods.get(lang) ?? [])
      .map((m) => `<Method Code="${escapeXml(m.code)}" Description="${escapeXml(m.description)}" />`)
      .join('');
    return xmlReply('PaymentMethodsList', `${result(0)}<Methods>${list}</Methods>`);
  }

  function calcOutSumm(query: string): Reply {
    const { values } = fields(query, { required: ['MerchantLogin', 'IncCurrLabel', 'IncSum'] });
    if (need(values, 'MerchantLogin') !== creds.login) return xmlReply('CalcSummsResponseData', result(2));
    const label = need(values, 'IncCurrLabel');
    const known = [...groups.values()].flat().some((g) => g.items.some((c) => c.label === label));
    if (!known) return xmlReply('CalcSummsResponseData', result(5, 'Calculation error'));
    const out = (micros(need(values, 'IncSum')) * fake.calcPerMille) / 1000n;
    return xmlReply('CalcSummsResponseData', `${result(0)}<OutSum>${sixDecimals(out)}</OutSum>`);
  }

  function verifyJwt(token: string): { alg: string; payload: string } {
    const parts = token.split('.');
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
      throw new Problem('body is not a compact JWT (three unpadded base64url parts)');
    }
    const [h, p, s] = parts as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string; typ?: string };
    const hash = header.alg ? HMAC_ALGS[header.alg] : undefined;
    if (!hash) throw new Problem(`JWT alg ${header.alg} is not HS256/HS384/HS512`);
    if (header.typ !== 'JWT') throw new Problem('JWT typ is not JWT');
    const expected = createHmac(hash, creds.password3).update(`${h}.${p}`).digest('base64url');
    if (expected !== s) throw new Problem('JWT signature does not verify with Password #3');
    return { alg: header.alg as string, payload: Buffer.from(p, 'base64url').toString('utf8') };
  }

  /** Parses JSON keeping every number's source text, so the fake can check how amounts were written. */
  function parseRaw(textValue: string): unknown {
    return JSON.parse(textValue, ((_k: string, v: unknown, ctx?: { source?: string }) =>
      typeof v === 'number' ? { number: ctx?.source } : v) as (k: string, v: unknown) => unknown);
  }

  function numberText(value: unknown, name: string): string {
    const source = (value as { number?: unknown } | undefined)?.number;
    if (typeof source !== 'string') throw new Problem(`${name} must be a JSON number`);
    if (!/^\d+(\.\d+)?$/.test(source)) throw new Problem(`${name} must be a plain decimal number, got ${source}`);
    return source;
  }

  function refundCreate(contentType: string, body: string): Reply {
    if (!contentType.startsWith('application/json')) throw new Problem(`content type ${contentType}`);
    let token: unknown;
    try {
      token = JSON.parse(body);
    } catch {
      throw new Problem('body is not a JSON string');
    }
    if (typeof token !== 'string') throw new Problem('body must be the JWT as a JSON string');
    const { alg, payload } = verifyJwt(token);
    if (/\s/.test(payload.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) throw new Problem('payload JSON is not compact');
    const data = parseRaw(payload) as Record<string, unknown>;
    for (const key of Object.keys(data)) {
      if (!['OpKey', 'RefundSum', 'InvoiceItems'].includes(key)) throw new Problem(`unexpected payload key ${key}`);
    }
    if (typeof data.OpKey !== 'string' || data.OpKey === '') throw new Problem('OpKey must be a non-empty string');
    const sum = data.RefundSum === undefined ? undefined : micros(numberText(data.RefundSum, 'RefundSum'));
    if (data.InvoiceItems !== undefined) {
      if (!Array.isArray(data.InvoiceItems) || data.InvoiceItems.length === 0) {
        throw new Problem('InvoiceItems must be a non-empty array');
      }
      for (const item of data.InvoiceItems as Array<Record<string, unknown>>) {
        for (const key of Object.keys(item)) {
          const allowed = ['Name', 'Quantity', 'Cost', 'Tax', 'PaymentMethod', 'PaymentObject', 'NomenclatureCode'];
          if (!allowed.includes(key)) throw new Problem(`unexpected InvoiceItems key ${key}`);
        }
        if (typeof item.Name !== 'string' || typeof item.Tax !== 'string') throw new Problem('item Name/Tax missing');
        numberText(item.Quantity, 'Quantity');
        numberText(item.Cost, 'Cost');
      }
    }
    const op = [...operations.values()].find((o) => o.opKey === data.OpKey && o.stateCode === 100);
    if (!op) return json('{"success":false,"message":"OperationNotFound","requestId":null}');
    const paid = micros(op.outSum ?? op.incSum ?? '100.000000');
    const done = [...refunds.values()]
      .filter((r) => r.opKey === data.OpKey && r.label !== 'canceled')
      .reduce((a, r) => a + r.amountMicros, 0n);
    const amount = sum ?? paid - done;
    if (amount <= 0n || done + amount > paid) {
      return json('{"success":false,"message":"NotEnoughOperationFunds","requestId":null}');
    }
    const requestId = randomUUID();
    refunds.set(requestId, { requestId, opKey: data.OpKey, amountMicros: amount, label: 'finished', payload, alg });
    return json(`{"success":true,"message":null,"requestId":"${requestId}"}`);
  }

  function refundState(query: string): Reply {
    const { values } = fields(query, { required: ['id'] });
    const refund = refunds.get(need(values, 'id'));
    if (!refund) return json('{"message":"Id is invalid or request id does not exist"}');
    return json(
      `{"requestId":"${refund.requestId}","amount":${sixDecimals(refund.amountMicros)},"label":"${refund.label}"}`,
    );
  }

  function form(contentType: string): void {
    if (!contentType.startsWith('application/x-www-form-urlencoded')) {
      throw new Problem(`content type ${contentType}, expected a form`);
    }
  }

  function isTestFlag(values: Map<string, string>): boolean {
    const v = values.get('IsTest');
    if (v !== undefined && v !== '1') throw new Problem('IsTest must be 1 when present');
    return v === '1';
  }

  function checkSignature(values: Map<string, string>, base: string, what: string): void {
    if (!sameHex(md(creds.algorithm, base), need(values, 'SignatureValue'))) {
      throw new Problem(`${what}: SignatureValue does not match (error 29)`);
    }
  }

  function confirm(contentType: string, body: string): Reply {
    form(contentType);
    const { values, order } = fields(body, {
      required: ['MerchantLogin', 'InvoiceID', 'OutSum', 'SignatureValue'],
      optional: ['Receipt', 'IsTest'],
    });
    const head = order.slice(0, 4).join(',');
    if (head !== 'MerchantLogin,InvoiceID,OutSum,SignatureValue') throw new Problem(`field order ${order.join(',')}`);
    const login = need(values, 'MerchantLogin');
    const inv = need(values, 'InvoiceID');
    const outSum = need(values, 'OutSum');
    const receipt = values.get('Receipt');
    if (receipt !== undefined && !receipt.startsWith('%7B')) {
      throw new Problem(
        'Receipt must arrive URL-encoded once (%7B…): it is encoded before signing and again in the form',
      );
    }
    const isTest = isTestFlag(values);
    const parts = [login, outSum, inv, ...(receipt === undefined ? [] : [receipt]), password1(isTest)];
    checkSignature(values, parts.join(':'), 'Confirm');
    const op = operations.get(Number(inv));
    if (login !== creds.login || !op || op.stateCode !== 20) return json('"success: false"');
    if (micros(outSum) > micros(op.outSum ?? op.incSum ?? '0')) return json('"success: false"');
    op.stateCode = 100;
    op.outSum = sixDecimals(micros(outSum));
    return json('"success: true"');
  }

  function cancel(contentType: string, body: string): Reply {
    form(contentType);
    const { values } = fields(body, {
      required: ['MerchantLogin', 'InvoiceID', 'SignatureValue'],
      optional: ['OutSum', 'IsTest'],
    });
    const login = need(values, 'MerchantLogin');
    const inv = need(values, 'InvoiceID');
    checkSignature(values, `${login}::${inv}:${password1(isTestFlag(values))}`, 'Cancel');
    const op = operations.get(Number(inv));
    if (login !== creds.login || !op || op.stateCode !== 20) return json('"success: false"');
    op.stateCode = 60;
    return json('"success: true"');
  }

  function recurring(contentType: string, body: string): Reply {
    form(contentType);
    const { values, order } = fields(body, {
      required: ['MerchantLogin', 'InvoiceID', 'PreviousInvoiceID', 'OutSum', 'Description', 'SignatureValue'],
      optional: ['Receipt', 'IsTest'],
      prefix: 'Shp_',
    });
    const shpNames = order.filter((n) => n.startsWith('Shp_'));
    const sorted = [...shpNames].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    if (shpNames.join() !== sorted.join()) throw new Problem('Shp_ fields are not sent in sorted order');
    const login = need(values, 'MerchantLogin');
    const inv = need(values, 'InvoiceID');
    const receipt = values.get('Receipt');
    const parts = [
      login,
      need(values, 'OutSum'),
      inv,
      ...(receipt === undefined ? [] : [receipt]),
      password1(isTestFlag(values)),
      ...sorted.map((n) => `${n}=${values.get(n)}`),
    ];
    checkSignature(values, parts.join(':'), 'Recurring');
    const parent = operations.get(Number(need(values, 'PreviousInvoiceID')));
    if (login !== creds.login || !parent || parent.stateCode !== 100)
      return text('Error 35: invalid recurring parameters');
    if (operations.has(Number(inv))) return text('Error 40: this InvoiceID was already used');
    operations.set(Number(inv), { stateCode: 5, outSum: sixDecimals(micros(need(values, 'OutSum'))) });
    return text(`OK${inv}`);
  }

  /** `payload.signature`, either base64 alphabet, `=` stripped (§3.9). */
  function fiscal(contentType: string, body: string): Record<string, unknown> {
    if (!contentType.startsWith('application/json')) throw new Problem(`content type ${contentType}`);
    const parts = body.split('.');
    if (parts.length !== 2 || parts.some((p) => !/^[A-Za-z0-9+/_-]+$/.test(p))) {
      throw new Problem('body must be <base64 payload>.<base64 signature> without padding');
    }
    const [payloadPart, sigPart] = parts as [string, string];
    const receivedHex = Buffer.from(sigPart, 'base64').toString('utf8');
    if (!sameHex(md(creds.algorithm, payloadPart + creds.password1), receivedHex)) {
      throw new Problem('RoboFiscal signature does not match hash(base64(payload) + Password1)');
    }
    const payload = Buffer.from(payloadPart, 'base64').toString('utf8');
    const data = JSON.parse(payload) as Record<string, unknown>;
    data.__raw = payload;
    return data;
  }

  function attach(contentType: string, body: string): Reply {
    const data = fiscal(contentType, body);
    if (data.merchantId !== creds.login) {
      return json(
        '{"ResultCode":"1000","ResultDescription":"Exception of type \'Robox.Merchant.Util.Exceptions.MerchantNotFoundException\' was thrown."}',
      );
    }
    for (const key of ['id', 'originId', 'operation', 'total', 'items', 'payments']) {
      if (data[key] === undefined) throw new Problem(`second receipt without ${key}`);
    }
    if (data.operation !== 'sell') throw new Problem('operation must be sell');
    const origin = operations.get(Number(data.originId));
    if (origin?.stateCode !== 100) return json('{"ResultCode":"3","ResultDescription":"Origin not found"}');
    receipts.set(String(data.id), data.__raw as string);
    return json('{"ResultCode":"0","ResultDescription":"ok","OpKey":"fiscal-op-key"}');
  }

  function status(contentType: string, body: string): Reply {
    const data = fiscal(contentType, body);
    const keys = Object.keys(data).filter((k) => k !== '__raw');
    if (keys.join() !== 'merchantId,id') throw new Problem(`status payload keys ${keys.join()}`);
    if (data.merchantId !== creds.login || !receipts.has(String(data.id))) {
      return json('{"Code":"1000","Description":"Error","Statuses":null}');
    }
    return json(
      '{"Code":"2","Description":"Done","FnNumber":"9289000100348548","FiscalDocumentNumber":"135771","FiscalDocumentAttribute":"207899681","FiscalDate":null,"FiscalType":null}',
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    const route = ENDPOINTS.find((e) => e.path === url.pathname);
    const endpoint = route?.endpoint ?? url.pathname;
    requests.push({
      endpoint,
      method: req.method ?? '',
      path: url.pathname,
      query: url.search.slice(1),
      contentType,
      body,
    });
    hitCount.set(endpoint, (hitCount.get(endpoint) ?? 0) + 1);
    const send = (reply: Reply) => {
      res.writeHead(reply.status, { 'content-type': reply.contentType });
      res.end(reply.body);
    };
    const queue = overrides.get(endpoint);
    const next = queue?.[0];
    if (queue && next) {
      next.left -= 1;
      if (next.left <= 0) queue.shift();
      if (next.behaviour === 'hang') return;
      if (next.behaviour === 'reset') {
        req.socket.destroy();
        return;
      }
      send({
        status: next.behaviour.status,
        body: next.behaviour.body ?? '',
        contentType: next.behaviour.contentType ?? 'text/plain',
      });
      return;
    }
    try {
      if (!route) throw new Problem(`unknown path ${url.pathname}`);
      if (req.method !== route.method) throw new Problem(`${endpoint} must be ${route.method}, got ${req.method}`);
      if (route.method === 'GET' && body !== '') throw new Problem(`${endpoint}: GET with a body`);
      const query = url.search.slice(1);
      switch (endpoint) {
        case 'OpStateExt':
          return send(opStateExt(query));
        case 'GetCurrencies':
          return send(getCurrencies(query));
        case 'GetPaymentMethods':
          return send(getPaymentMethods(query));
        case 'CalcOutSumm':
          return send(calcOutSumm(query));
        case 'Refund/Create':
          return send(refundCreate(contentType, body));
        case 'Refund/GetState':
          return send(refundState(query));
        case 'Payment/Confirm':
          return send(confirm(contentType, body));
        case 'Payment/Cancel':
          return send(cancel(contentType, body));
        case 'Recurring':
          return send(recurring(contentType, body));
        case 'Receipt/Attach':
          return send(attach(contentType, body));
        case 'Receipt/Status':
          return send(status(contentType, body));
        default:
          throw new Problem(`unrouted ${endpoint}`);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problems.push(`${endpoint}: ${message}`);
      send({ status: 400, body: `FAKE: ${message}`, contentType: 'text/plain' });
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      problems.push(`fake crashed: ${String(error)}`);
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const configWith = (overrides: Partial<RobokassaConfigInput>): RobokassaConfig =>
    createRobokassaConfig({
      login: creds.login,
      password1: creds.password1,
      password2: creds.password2,
      password3: creds.password3,
      testPassword1: creds.testPassword1,
      testPassword2: creds.testPassword2,
      algorithm: creds.algorithm,
      baseUrl: url,
      ...overrides,
    });

  const fake: FakeRobokassa = {
    url,
    config: configWith({}),
    configWith,
    operations,
    groups,
    methods,
    refunds,
    receipts,
    requests,
    problems,
    namespace: options.namespace ?? 'real',
    opStateExtPassword: 'operation',
    calcPerMille: 932n,
    hits: (endpoint) => hitCount.get(endpoint) ?? 0,
    override(endpoint, behaviour, times = 1) {
      const queue = overrides.get(endpoint) ?? [];
      queue.push({ behaviour, left: times });
      overrides.set(endpoint, queue);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

/**
 * The fake for one test file (top-level `await`): closed after the file's tests, and every test must end with no
 * protocol problem recorded (a request the real Robokassa would reject fails the test that made it).
 */
export async function fakeRobokassaForFile(options: FakeRobokassaOptions = {}): Promise<FakeRobokassa> {
  const fake = await startFakeRobokassa(options);
  afterAll(() => fake.close());
  afterEach(() => {
    expect(fake.problems).toEqual([]);
  });
  return fake;
}

/** Awaits a promise that must reject with a KassaError and returns the error (anything else fails the test). */
export async function failure(promise: Promise<unknown>): Promise<KassaError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KassaError) return error;
    throw error;
  }
  throw new Error('expected a KassaError, but the call succeeded');
}
