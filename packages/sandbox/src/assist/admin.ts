import { z } from 'zod';
import { parseInput, SandboxInputError } from '../admin.js';
import type { SandboxContext } from '../context.js';
import { type FaultConfig, faultsSchema } from '../faults.js';
import { ParamBag, type ParamEntry } from '../params.js';
import { type AssistDelivery, type AssistReturn, completeBill, expireHold, openBill } from './bills.js';
import { checkvalue, requestString } from './checkvalue.js';
import { describeCodes } from './codes.js';
import {
  ASSIST_METHODS,
  type AssistMerchantConfig,
  type AssistMerchantInput,
  type AssistMerchantPatch,
  type AssistMerchantView,
  assistMerchantPatchSchema,
  assistMerchantSchema,
  maskAssistMerchant,
} from './config.js';
import { validateOrderRequest } from './order-request.js';
import { ASSIST_PATHS } from './routes.js';
import type { AssistBill, AssistNotificationAttempt } from './store.js';

const params = z.union([z.record(z.string(), z.string()), z.array(z.tuple([z.string(), z.string()]))]);

export const assistPayInputSchema = z
  .strictObject({
    /** An open payment page (a bill in `In Process`). */
    billNumber: z.string().min(1).optional(),
    /** A full order.cfm URL: its query string is the request. */
    url: z.string().min(1).optional(),
    /** The request as name/value pairs, as a form would post them. */
    params: params.optional(),
    /** The request as an urlencoded form body. */
    formBody: z.string().optional(),
    action: z.enum(['pay', 'decline', 'abandon', 'open']).default('pay'),
    method: z.enum(ASSIST_METHODS).optional(),
    card: z.string().optional(),
    cardholder: z.string().optional(),
    faults: faultsSchema.optional(),
    waitFor: z.enum(['first-attempt', 'delivery', 'nothing']).optional(),
  })
  .refine(
    (v) => [v.billNumber, v.url, v.params, v.formBody].filter((x) => x !== undefined).length === 1,
    'give exactly one of billNumber, url, params, formBody',
  );
export type AssistPayInput = z.input<typeof assistPayInputSchema>;

export type AssistPayOutcome =
  | { ok: true; bill: AssistBill; redirect: AssistReturn | null; closedTab: boolean; delivery: AssistDelivery }
  | {
      ok: false;
      reason: 'refused';
      /** What order.cfm's error page would show. */
      error: {
        firstcode: number;
        secondcode: number;
        message: string;
        detail: string;
        expectedString?: string | undefined;
      };
    }
  | {
      ok: false;
      reason: 'not-found' | 'not-active' | 'method-unavailable' | 'invalid-card' | 'already-paid';
      bill?: AssistBill | undefined;
    };

export const assistOrderUrlInputSchema = z.strictObject({
  merchantId: z.string().min(1),
  orderNumber: z.string().min(1),
  orderAmount: z.string().min(1),
  orderCurrency: z.string().optional(),
  orderComment: z.string().optional(),
  delay: z.boolean().optional(),
  language: z.enum(['RU', 'EN']).optional(),
  email: z.string().optional(),
  returnUrlOk: z.string().optional(),
  returnUrlNo: z.string().optional(),
  /** Extra order.cfm fields (names as Assist spells them), signed only where §1.2 says. */
  extra: z.record(z.string(), z.string()).optional(),
});
export type AssistOrderUrlInput = z.input<typeof assistOrderUrlInputSchema>;

export interface AssistOrderUrlOutput {
  url: string;
  form: ParamEntry[];
  /** The X that was hashed (the secret word is not part of it). */
  checkvalueString: string;
}

export interface BillFilter {
  merchantId?: string | undefined;
  orderNumber?: string | undefined;
}

const clone = <T>(value: T): T => structuredClone(value);

/**
 * The Assist half of the admin surface, shared by `/sandbox/api/assist` and the library (`sandbox.admin.assist`):
 * merchants, faults, bills and notification attempts, and paying without a browser.
 */
export class AssistAdmin {
  constructor(
    private readonly ctx: SandboxContext,
    private readonly baseUrl: () => string,
  ) {}

  private get store() {
    return this.ctx.store.assist;
  }

  merchants(): AssistMerchantView[] {
    return [...this.store.merchants.values()].map(maskAssistMerchant);
  }

  merchant(merchantId: string): AssistMerchantView | undefined {
    const m = this.store.merchants.get(merchantId);
    return m && maskAssistMerchant(m);
  }

  /** Creates or replaces a merchant; a web-service login belongs to one merchant only. */
  upsertMerchant(input: AssistMerchantInput): AssistMerchantView {
    const merchant = parseInput(assistMerchantSchema, input);
    const owner = this.store.merchantByLogin(merchant.login);
    if (owner && owner.merchantId !== merchant.merchantId) {
      throw new SandboxInputError([{ path: 'login', message: 'another merchant has this web-service login' }]);
    }
    this.store.merchants.set(merchant.merchantId, merchant);
    this.ctx.store.changed();
    return maskAssistMerchant(merchant);
  }

  patchMerchant(merchantId: string, patch: AssistMerchantPatch): AssistMerchantView | undefined {
    const current = this.store.merchants.get(merchantId);
    if (!current) return undefined;
    const changes = parseInput(assistMerchantPatchSchema, patch);
    return this.upsertMerchant({ ...current, ...changes, merchantId });
  }

  removeMerchant(merchantId: string): boolean {
    const removed = this.store.merchants.delete(merchantId);
    this.ctx.store.changed();
    return removed;
  }

  /** Faults for every payment and web-service call of a merchant; `undefined` clears them. */
  setFaults(merchantId: string, faults: FaultConfig | undefined): boolean {
    const merchant = this.store.merchants.get(merchantId);
    if (!merchant) return false;
    const next: AssistMerchantConfig = { ...merchant };
    if (faults === undefined) delete next.faults;
    else next.faults = parseInput(faultsSchema, faults);
    this.store.merchants.set(merchantId, next);
    this.ctx.store.changed();
    return true;
  }

  /** Faults for every bill of one OrderNumber, on top of the merchant's. */
  setOrderFaults(merchantId: string, orderNumber: string, faults: FaultConfig | undefined): boolean {
    if (!this.store.merchants.has(merchantId)) return false;
    this.store.setOrderFaults(merchantId, orderNumber, faults && parseInput(faultsSchema, faults));
    return true;
  }

  bills(filter: BillFilter = {}): AssistBill[] {
    const list = [...this.store.bills.values()].filter(
      (b) =>
        (filter.merchantId === undefined || b.merchantId === filter.merchantId) &&
        (filter.orderNumber === undefined || b.orderNumber === filter.orderNumber),
    );
    for (const bill of list) expireHold(this.ctx, bill);
    return clone(list);
  }

  bill(billNumber: string): AssistBill | undefined {
    const bill = this.store.bills.get(billNumber);
    if (bill) expireHold(this.ctx, bill);
    return bill && clone(bill);
  }

  notifications(filter: BillFilter = {}): AssistNotificationAttempt[] {
    return this.bills(filter)
      .flatMap((b) => b.notifications)
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /**
   * Pays (or declines, or abandons) an Assist order without a browser: validates an order.cfm request and opens
   * its bill, or takes an open bill by number, then presses the button. `action: 'open'` only opens the page.
   */
  async pay(input: AssistPayInput): Promise<AssistPayOutcome> {
    const p = parseInput(assistPayInputSchema, input);
    let billNumber = p.billNumber;
    if (billNumber === undefined) {
      let entries: ParamEntry[];
      if (p.url !== undefined) {
        const url = URL.parse(p.url, this.baseUrl());
        if (!url) throw new SandboxInputError([{ path: 'url', message: 'not a valid URL' }]);
        entries = [...url.searchParams];
      } else if (p.formBody !== undefined) entries = [...new URLSearchParams(p.formBody)];
      else if (Array.isArray(p.params)) entries = p.params;
      else entries = Object.entries(p.params ?? {});
      const validated = validateOrderRequest(new ParamBag(entries), this.store);
      if (!validated.ok) {
        const { firstcode, secondcode, detail, expectedString } = validated.error;
        return {
          ok: false,
          reason: 'refused',
          error: { firstcode, secondcode, message: describeCodes(firstcode, secondcode), detail, expectedString },
        };
      }
      billNumber = openBill(this.ctx, validated.request, '127.0.0.1').billNumber;
    }
    if (p.action === 'open') {
      const bill = this.store.bills.get(billNumber);
      if (!bill) return { ok: false, reason: 'not-found' };
      return {
        ok: true,
        bill: clone(bill),
        redirect: null,
        closedTab: false,
        delivery: { outcome: 'not-sent', attempts: [] },
      };
    }
    const result = await completeBill(this.ctx, billNumber, {
      action: p.action,
      method: p.method,
      card: p.card,
      cardholder: p.cardholder,
      faults: p.faults,
      waitFor: p.waitFor,
    });
    if (!result.ok) return { ok: false, reason: result.reason, bill: result.bill && clone(result.bill) };
    return {
      ok: true,
      bill: clone(result.bill),
      redirect: result.redirect ?? null,
      closedTab: result.closedTab,
      delivery: clone(result.delivery),
    };
  }

  /**
   * An order.cfm URL with a checkvalue computed by the sandbox, in the merchant's mode. For demos and a quick
   * look at the page; a shop under test should compute its own checkvalue (that is what is tested).
   */
  orderUrl(input: AssistOrderUrlInput): AssistOrderUrlOutput | undefined {
    const p = parseInput(assistOrderUrlInputSchema, input);
    const merchant = this.store.merchants.get(p.merchantId);
    if (!merchant) return undefined;
    const entries: Array<[string, string]> = [
      ['Merchant_ID', merchant.merchantId],
      ['OrderNumber', p.orderNumber],
      ['OrderAmount', p.orderAmount],
    ];
    if (p.orderCurrency !== undefined) entries.push(['OrderCurrency', p.orderCurrency]);
    if (p.orderComment !== undefined) entries.push(['OrderComment', p.orderComment]);
    if (p.delay) entries.push(['Delay', '1']);
    if (p.language !== undefined) entries.push(['Language', p.language]);
    if (p.email !== undefined) entries.push(['Email', p.email]);
    if (p.returnUrlOk !== undefined) entries.push(['URL_RETURN_OK', p.returnUrlOk]);
    if (p.returnUrlNo !== undefined) entries.push(['URL_RETURN_NO', p.returnUrlNo]);
    for (const [name, value] of Object.entries(p.extra ?? {})) entries.push([name, value]);
    const bag = new ParamBag(entries);
    const x = requestString(merchant.checkvalueMode, {
      merchantId: merchant.merchantId,
      orderNumber: p.orderNumber,
      orderAmount: p.orderAmount,
      orderCurrency: p.orderCurrency,
      optional: [bag.get('OrderMaxPoints'), bag.get('CustomerNumber'), bag.get('Disable3DS'), bag.get('Prepayment')],
    });
    entries.push(['Checkvalue', checkvalue(merchant.secretWord, x)]);
    return {
      url: `${this.baseUrl()}${ASSIST_PATHS.payment}?${new URLSearchParams(entries).toString()}`,
      form: entries,
      checkvalueString: x,
    };
  }
}
