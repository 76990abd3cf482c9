/**
 * A small, strict `Gateway` for the port's use-case tests: a made-up wire format, an HMAC signature, and exact
 * replies, so that what the tests see is what the use cases decided, not what Robokassa's protocol happens to do.
 *
 * Strict: every call is recorded in `calls`; an operation the test did not set up (`toy.on.status = …`) throws;
 * `verifyNotification` throws if it is handed a record of another invoice than the one it read.
 *
 * The toy stands in for a gateway the port knows by id (`assist`): ledger records name one of `GATEWAY_IDS`.
 *
 * Wire format of a notification (a form body or a query):
 * `invoice=…&status=paid|held|declined|cancelled&amount=12.34&currency=RUB&test=0|1&sig=hex(HMAC-SHA256)`,
 * signed over `invoice:status:amount:currency:test` with the live secret, or the test secret for a test record.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type {
  CaptureResult,
  CreatePaymentInput,
  CredentialsReport,
  Gateway,
  GatewayCapabilities,
  GatewayStatus,
  MethodChoice,
  NotificationOutcome,
  PaymentEventKind,
  PaymentRedirect,
  ReadNotification,
  ReadReturn,
  RefundInput,
  RefundResult,
  VerifiedNotification,
} from '../../src/gateway.js';
import type { PaymentRecord } from '../../src/ledger/port.js';
import { formatMoney, type Money, parseMoney } from '../../src/money.js';
import { type Secret, secret } from '../../src/secret.js';

const KINDS: readonly PaymentEventKind[] = ['paid', 'held', 'declined', 'cancelled'];

export interface ToyMessage {
  readonly invoice: string;
  readonly status: string;
  readonly amount: string;
  readonly currency: string;
  readonly test: string;
  readonly sig: string;
}

export interface ToyOperations {
  status?: (record: PaymentRecord) => Promise<GatewayStatus>;
  capture?: (record: PaymentRecord, amount?: Money) => Promise<CaptureResult>;
  cancel?: (record: PaymentRecord) => Promise<void>;
  refund?: (record: PaymentRecord, input: RefundInput) => Promise<RefundResult>;
  refundState?: (record: PaymentRecord) => Promise<'done' | 'failed' | 'unknown'>;
}

export interface ToyGatewayOptions {
  liveSecret?: string;
  /** Without it, a test record's notification cannot be verified (`test_credentials_missing`). */
  testSecret?: string | undefined;
  capabilities?: Partial<GatewayCapabilities>;
}

export class ToyGateway implements Gateway {
  readonly id = 'assist' as const;
  /** Writable so a test can switch a capability (refunds set up or not) on one instance. */
  capabilities: GatewayCapabilities;
  readonly secrets: ReadonlyArray<Secret | undefined>;
  readonly notificationMethods = ['POST'] as const;
  readonly calls: string[] = [];
  /** The operations a test allows, each set by the test itself. */
  readonly on: ToyOperations = {};
  readonly #live: Secret;
  readonly #test: Secret | undefined;

  constructor(options: ToyGatewayOptions = {}) {
    this.#live = secret(options.liveSecret ?? 'toy-live-secret-7f3a');
    this.#test = options.testSecret === undefined ? undefined : secret(options.testSecret);
    this.secrets = [this.#live, this.#test];
    this.capabilities = {
      hold: true,
      partialCapture: true,
      refund: true,
      partialRefund: true,
      methodCatalog: false,
      receipt: false,
      signedReturn: false,
      attempts: true,
      currencies: ['RUB'],
      ...options.capabilities,
    };
  }

  /** A signed notification body, as the toy gateway would post it. */
  sign(
    invoice: string,
    status: string,
    amount: string,
    options: { currency?: string; isTest?: boolean; secret?: string } = {},
  ): string {
    const currency = options.currency ?? 'RUB';
    const test = options.isTest ? '1' : '0';
    const key = options.secret ?? (options.isTest ? this.#test?.reveal() : this.#live.reveal());
    if (key === undefined) throw new Error('toy gateway: no secret to sign with');
    const sig = hmac(key, [invoice, status, amount, currency, test].join(':'));
    return new URLSearchParams({ invoice, status, amount, currency, test, sig }).toString();
  }

  createPayment(input: CreatePaymentInput): PaymentRedirect {
    this.calls.push(`createPayment ${input.record.invoiceId}`);
    const { record } = input;
    const fields = [
      { name: 'invoice', value: record.invoiceId },
      { name: 'amount', value: formatMoney(record.amount) },
      { name: 'currency', value: record.amount.currency },
      { name: 'description', value: input.description },
    ];
    const sig = hmac(this.#live.reveal(), fields.map((f) => f.value).join(':'));
    const all = [...fields, { name: 'sig', value: sig }];
    const action = 'https://toy-gateway.example/pay';
    const query = new URLSearchParams(all.map((f) => [f.name, f.value])).toString();
    return { url: `${action}?${query}`, form: { action, method: 'POST', fields: all } };
  }

  readNotification(text: string): ReadNotification {
    this.calls.push('readNotification');
    let params: URLSearchParams;
    try {
      params = new URLSearchParams(text);
    } catch {
      return { ok: false, detail: 'not a form' };
    }
    const invoice = params.get('invoice');
    if (!invoice) return { ok: false, detail: 'invoice is missing' };
    const fields = ['status', 'amount', 'currency', 'test', 'sig'] as const;
    const values: Record<string, string> = { invoice };
    for (const name of fields) {
      const value = params.get(name);
      if (value === null) return { ok: false, detail: `${name} is missing`, invoiceId: invoice };
      values[name] = value;
    }
    return { ok: true, invoiceId: invoice, message: values as unknown as ToyMessage };
  }

  verifyNotification(message: unknown, record: PaymentRecord): VerifiedNotification {
    this.calls.push(`verifyNotification ${record.invoiceId}`);
    const m = message as ToyMessage;
    if (m.invoice !== record.invoiceId) {
      throw new Error(`toy gateway: asked to verify invoice ${m.invoice} against record ${record.invoiceId}`);
    }
    const key = record.isTest ? this.#test : this.#live;
    if (key === undefined) return { ok: false, reason: 'test_credentials_missing', detail: 'no test secret' };
    const expected = hmac(key.reveal(), [m.invoice, m.status, m.amount, m.currency, m.test].join(':'));
    if (!sameHex(expected, m.sig)) return { ok: false, reason: 'signature_mismatch', detail: 'bad sig' };
    if (!KINDS.includes(m.status as PaymentEventKind)) return { ok: false, reason: 'malformed', detail: 'status' };
    let amount: Money;
    try {
      amount = parseMoney(m.amount, record.amount.currency);
    } catch {
      return { ok: false, reason: 'malformed', detail: 'amount' };
    }
    return {
      ok: true,
      message: m,
      event: {
        kind: m.status as PaymentEventKind,
        amount,
        currency: m.currency,
        isTest: m.test === '1',
        details: { toyStatus: m.status },
      },
    };
  }

  notificationReply(outcome: NotificationOutcome): Response {
    switch (outcome.kind) {
      case 'paid':
      case 'replay':
      case 'after-refund':
      case 'declined':
        return new Response(`ACK ${outcome.record.invoiceId}`, { status: 200 });
      case 'rejected':
        return new Response(`REJECT ${outcome.code}`, { status: outcome.status });
      case 'retry':
        return new Response(`RETRY ${outcome.code}`, { status: 503 });
    }
  }

  async readReturn(): Promise<ReadReturn> {
    return this.#unexpected('readReturn');
  }

  async status(record: PaymentRecord): Promise<GatewayStatus> {
    this.calls.push(`status ${record.invoiceId}`);
    return (this.on.status ?? (() => this.#unexpected('status')))(record);
  }

  async capture(record: PaymentRecord, amount?: Money): Promise<CaptureResult> {
    this.calls.push(`capture ${record.invoiceId} ${amount ? formatMoney(amount) : 'full'}`);
    return (this.on.capture ?? (() => this.#unexpected('capture')))(record, amount);
  }

  async cancel(record: PaymentRecord): Promise<void> {
    this.calls.push(`cancel ${record.invoiceId}`);
    return (this.on.cancel ?? (() => this.#unexpected('cancel')))(record);
  }

  async refund(record: PaymentRecord, input: RefundInput): Promise<RefundResult> {
    this.calls.push(`refund ${record.invoiceId} ${formatMoney(input.amount)}${input.full ? ' full' : ''}`);
    return (this.on.refund ?? (() => this.#unexpected('refund')))(record, input);
  }

  async refundState(record: PaymentRecord): Promise<'done' | 'failed' | 'unknown'> {
    this.calls.push(`refundState ${record.invoiceId}`);
    return (this.on.refundState ?? (() => this.#unexpected('refundState')))(record);
  }

  async methods(): Promise<MethodChoice> {
    return this.#unexpected('methods');
  }

  async checkCredentials(): Promise<CredentialsReport> {
    return this.#unexpected('checkCredentials');
  }

  #unexpected(name: string): never {
    throw new Error(`toy gateway: ${name} was not expected in this test`);
  }
}

function hmac(key: string, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
