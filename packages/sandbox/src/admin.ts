import { z } from 'zod';
import { AssistAdmin } from './assist/admin.js';
import {
  type FaultConfig,
  faultsSchema,
  type MerchantConfig,
  type MerchantInput,
  type MerchantPatch,
  type MerchantView,
  maskMerchant,
  merchantPatchSchema,
  merchantSchema,
  merchantToInput,
} from './config.js';
import type { SandboxContext } from './context.js';
import { ERROR_CODES } from './error-codes.js';
import { hashHex } from './hash.js';
import { ParamBag, type ParamEntry } from './params.js';
import { signatureFields, validatePaymentRequest } from './payment-request.js';
import { completePayment, type DeliverySummary, openPayment } from './payments.js';
import { type Redirect, redirectTarget } from './redirect.js';
import { paymentSignatureBase } from './signature.js';
import type { EmailRecord, FiscalRecord, NotificationAttempt, Operation, RefundRecord, SmsRecord } from './store.js';

/** Bad input to the admin API or the library: carries zod's issues, never the input itself. */
export class SandboxInputError extends Error {
  readonly issues: Array<{ path: string; message: string }>;
  constructor(issues: Array<{ path: string; message: string }>) {
    super(`invalid sandbox input: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'SandboxInputError';
    this.issues = issues;
  }
}

export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new SandboxInputError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
}

/** Name/value pairs as an object, as tuples, or as a plugin's `form.fields` (`[{ name, value }]`, e.g. @kassa/medusa). */
const params = z.union([
  z.record(z.string(), z.string()),
  z.array(z.tuple([z.string(), z.string()])),
  z.array(z.strictObject({ name: z.string(), value: z.string() })),
]);

export const payInputSchema = z
  .strictObject({
    /** An open payment page (from `paymentUrl`, the browser, or an earlier `pay` with action `open`). */
    opId: z.string().min(1).optional(),
    /** A full payment URL (`…/Merchant/Index.aspx?…`): its query string is the request. */
    url: z.string().min(1).optional(),
    /** The request as name/value pairs, exactly as a form would post them (already decoded once). */
    params: params.optional(),
    /** The request as an urlencoded form body. */
    formBody: z.string().optional(),
    action: z.enum(['pay', 'decline', 'leave', 'open']).default('pay'),
    method: z.string().min(1).optional(),
    email: z.string().optional(),
    faults: faultsSchema.optional(),
    waitFor: z.enum(['first-attempt', 'delivery', 'nothing']).optional(),
  })
  .refine(
    (v) => [v.opId, v.url, v.params, v.formBody].filter((x) => x !== undefined).length === 1,
    'give exactly one of opId, url, params, formBody',
  );
export type PayInput = z.input<typeof payInputSchema>;

export interface RedirectView extends Redirect {
  /** For GET: the full URL the browser is sent to. */
  location?: string | undefined;
}

export type PayOutcome =
  | {
      ok: true;
      operation: Operation;
      redirect: RedirectView | null;
      closedTab: boolean;
      delivery: DeliverySummary;
    }
  | {
      ok: false;
      reason: 'refused';
      /** What the payment page would show: Robokassa's code and text, and what the sandbox found wrong. */
      error: { code: number; message: string; detail: string; expectedBase?: string | undefined };
      operation?: Operation | undefined;
    }
  | { ok: false; reason: 'not-found' | 'not-active' | 'method-unavailable'; operation?: Operation | undefined };

export const paymentUrlInputSchema = z.strictObject({
  merchant: z.string().min(1),
  outSum: z.string().min(1),
  invId: z.string().optional(),
  description: z.string().optional(),
  isTest: z.boolean().optional(),
  /** A 54-FZ receipt object; it is signed URL-encoded once, the documented way (§4.3). */
  receipt: z.unknown().optional(),
  shp: z.record(z.string(), z.string()).optional(),
  culture: z.enum(['ru', 'en']).optional(),
  email: z.string().optional(),
  incCurrLabel: z.string().optional(),
  stepByStep: z.boolean().optional(),
  recurring: z.boolean().optional(),
  expirationDate: z.string().optional(),
});
export type PaymentUrlInput = z.input<typeof paymentUrlInputSchema>;

export interface PaymentUrlOutput {
  /** GET URL of the payment page (Receipt encoded twice, as a GET needs, §4.3). */
  url: string;
  /** The same request as form fields for a POST. */
  form: ParamEntry[];
  /** The signed base string, with the password as a placeholder. */
  signatureBase: string;
}

export interface OperationFilter {
  merchant?: string | undefined;
  invId?: number | undefined;
}

const clone = <T>(value: T): T => structuredClone(value);

/** PHP `urlencode`-like: what the official examples sign a Receipt with (space → `+`). */
const formEncode = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);

/**
 * The sandbox's control surface, shared by the JSON admin API (`/sandbox/api`) and the library handle: merchants,
 * fault injection, what happened (operations, notification attempts, e-mails), and paying without a browser.
 */
export class SandboxAdmin {
  /** The Assist merchants, bills and payments (`/sandbox/api/assist`). */
  readonly assist: AssistAdmin;

  constructor(
    private readonly ctx: SandboxContext,
    private readonly baseUrl: () => string,
  ) {
    this.assist = new AssistAdmin(ctx, baseUrl);
  }

  merchants(): MerchantView[] {
    return [...this.ctx.store.merchants.values()].map(maskMerchant);
  }

  merchant(login: string): MerchantView | undefined {
    const m = this.ctx.store.merchants.get(login);
    return m && maskMerchant(m);
  }

  /** Creates or replaces a merchant. */
  upsertMerchant(input: MerchantInput): MerchantView {
    const merchant = parseInput(merchantSchema, input);
    this.ctx.store.merchants.set(merchant.login, merchant);
    this.ctx.store.changed();
    return maskMerchant(merchant);
  }

  /** Changes some settings of a merchant; the result is validated as a whole. */
  patchMerchant(login: string, patch: MerchantPatch): MerchantView | undefined {
    const current = this.ctx.store.merchants.get(login);
    if (!current) return undefined;
    const changes = parseInput(merchantPatchSchema, patch);
    return this.upsertMerchant({ ...merchantToInput(current), ...changes, login });
  }

  removeMerchant(login: string): boolean {
    const removed = this.ctx.store.merchants.delete(login);
    this.ctx.store.changed();
    return removed;
  }

  /** Faults for every payment of a merchant (and its XML calls); `undefined` clears them. */
  setFaults(login: string, faults: FaultConfig | undefined): boolean {
    const merchant = this.ctx.store.merchants.get(login);
    if (!merchant) return false;
    const next: MerchantConfig = { ...merchant };
    if (faults === undefined) delete next.faults;
    else next.faults = parseInput(faultsSchema, faults);
    this.ctx.store.merchants.set(login, next);
    this.ctx.store.changed();
    return true;
  }

  /** Faults for the payments of one invoice, on top of the merchant's; `undefined` clears them. */
  setInvoiceFaults(login: string, invId: number, faults: FaultConfig | undefined): boolean {
    if (!this.ctx.store.merchants.has(login)) return false;
    this.ctx.store.setInvoiceFaults(login, invId, faults && parseInput(faultsSchema, faults));
    return true;
  }

  operations(filter: OperationFilter = {}): Operation[] {
    return clone(
      [...this.ctx.store.operations.values()].filter(
        (op) =>
          (filter.merchant === undefined || op.merchant === filter.merchant) &&
          (filter.invId === undefined || op.invId === filter.invId),
      ),
    );
  }

  operation(opId: string): Operation | undefined {
    const op = this.ctx.store.operations.get(opId);
    return op && clone(op);
  }

  notifications(
    filter: OperationFilter & { kind?: NotificationAttempt['kind'] | undefined } = {},
  ): NotificationAttempt[] {
    return this.operations(filter)
      .flatMap((op) => op.notifications)
      .filter((n) => filter.kind === undefined || n.kind === filter.kind)
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  emails(filter: OperationFilter = {}): EmailRecord[] {
    return clone(
      this.ctx.store.emails.filter(
        (e) =>
          (filter.merchant === undefined || e.merchant === filter.merchant) &&
          (filter.invId === undefined || e.invId === filter.invId),
      ),
    );
  }

  refunds(): RefundRecord[] {
    return clone([...this.ctx.store.refunds.values()]);
  }

  receipts(): FiscalRecord[] {
    return clone([...this.ctx.store.fiscal.values()]);
  }

  sms(): SmsRecord[] {
    return clone(this.ctx.store.sms);
  }

  /** Forgets all payments and what followed them; merchants stay. */
  reset(): void {
    this.ctx.store.clearActivity();
  }

  /** Resolves when no notification is in flight (retries included): the way to wait in a test without a timer. */
  idle(): Promise<void> {
    return this.ctx.notifier.idle();
  }

  certificatePem(): Promise<string> {
    return this.ctx.signer.certificatePem();
  }

  /**
   * Completes a payment without a browser: opens the payment page from a signed request (or takes an open one by
   * `opId`) and presses Pay, Decline or Leave. `action: 'open'` only opens the page and returns its operation.
   */
  async pay(input: PayInput): Promise<PayOutcome> {
    const parsed = parseInput(payInputSchema, input);
    let opId = parsed.opId;
    if (opId === undefined) {
      let entries: ParamEntry[];
      if (parsed.url !== undefined) {
        const url = URL.parse(parsed.url, this.baseUrl());
        if (!url) throw new SandboxInputError([{ path: 'url', message: 'not a valid URL' }]);
        entries = [...url.searchParams];
      } else if (parsed.formBody !== undefined) entries = [...new URLSearchParams(parsed.formBody)];
      else if (Array.isArray(parsed.params))
        entries = parsed.params.map((p): ParamEntry => (Array.isArray(p) ? p : [p.name, p.value]));
      else entries = Object.entries(parsed.params ?? {});
      const validated = validatePaymentRequest(new ParamBag(entries), { store: this.ctx.store, now: this.ctx.now() });
      if (!validated.ok) {
        const { code, detail, expectedBase } = validated.error;
        return { ok: false, reason: 'refused', error: { code, message: ERROR_CODES[code].en, detail, expectedBase } };
      }
      opId = openPayment(this.ctx, validated.request).id;
    }
    if (parsed.action === 'open') {
      const op = this.ctx.store.operations.get(opId);
      if (!op) return { ok: false, reason: 'not-found' };
      return {
        ok: true,
        operation: clone(op),
        redirect: null,
        closedTab: false,
        delivery: { outcome: 'not-sent', attempts: [] },
      };
    }
    const result = await completePayment(this.ctx, opId, {
      action: parsed.action,
      method: parsed.method,
      email: parsed.email,
      faults: parsed.faults,
      waitFor: parsed.waitFor,
    });
    if (!result.ok) {
      if (result.reason === 'refused') {
        const { code, detail } = result.error;
        return {
          ok: false,
          reason: 'refused',
          error: { code, message: ERROR_CODES[code].en, detail },
          operation: clone(result.op),
        };
      }
      return { ok: false, reason: result.reason, operation: result.op && clone(result.op) };
    }
    const redirect = result.redirect
      ? { ...result.redirect, location: result.redirect.method === 'GET' ? redirectTarget(result.redirect) : undefined }
      : null;
    return {
      ok: true,
      operation: clone(result.op),
      redirect,
      closedTab: result.closedTab,
      delivery: clone(result.delivery),
    };
  }

  /**
   * A signed payment request for a configured merchant, signed by the sandbox itself. Meant for demos and for a
   * quick look at the payment page; a shop under test should sign with its own code (that is what is tested).
   */
  paymentUrl(input: PaymentUrlInput): PaymentUrlOutput | undefined {
    const p = parseInput(paymentUrlInputSchema, input);
    const merchant = this.ctx.store.merchants.get(p.merchant);
    if (!merchant) return undefined;
    const password = p.isTest ? merchant.testPassword1 : merchant.password1;
    if (password === undefined) return undefined;
    const receipt = p.receipt === undefined ? undefined : formEncode(JSON.stringify(p.receipt));
    const entries: ParamEntry[] = [
      ['MerchantLogin', merchant.login],
      ['OutSum', p.outSum],
      ['InvId', p.invId ?? ''],
      ['Description', p.description ?? ''],
      ['Culture', p.culture ?? 'ru'],
      ['Encoding', 'utf-8'],
    ];
    if (p.isTest) entries.push(['IsTest', '1']);
    if (p.email !== undefined) entries.push(['Email', p.email]);
    if (p.incCurrLabel !== undefined) entries.push(['IncCurrLabel', p.incCurrLabel]);
    if (p.expirationDate !== undefined) entries.push(['ExpirationDate', p.expirationDate]);
    if (receipt !== undefined) entries.push(['Receipt', receipt]);
    if (p.stepByStep) entries.push(['StepByStep', 'true']);
    if (p.recurring) entries.push(['Recurring', 'true']);
    for (const [name, value] of Object.entries(p.shp ?? {})) entries.push([name, value]);
    const fields = signatureFields(new ParamBag(entries), merchant.login);
    entries.push(['SignatureValue', hashHex(merchant.algorithm, paymentSignatureBase(fields, password))]);
    const query = new URLSearchParams(entries.map(([n, v]) => [n, v])).toString();
    return {
      url: `${this.baseUrl()}/Merchant/Index.aspx?${query}`,
      form: entries,
      signatureBase: paymentSignatureBase(fields, p.isTest ? '[test Password#1]' : '[Password#1]'),
    };
  }
}
