import {
  capturePayment,
  type IssuedPayment,
  type IssueInput,
  KassaError,
  type Money,
  type PaymentRecord,
} from '@kassa/core';
import { AssistGateway } from '@kassa/core/assist';
import type * as M from '@medusajs/framework/types';
import { MedusaError } from '@medusajs/framework/utils';
import { z } from 'zod';
import { assistChoices, assistSessionData, assistSessionView, parseAssistSession } from '../../lib/assist-session';
import { assistPublicUrl } from '../../lib/assist-urls';
import {
  LedgerPaymentProvider,
  type ProviderCradle,
  type RequestInput,
  type SessionIds,
} from '../../lib/ledger-provider';
import { moneyFromMedusa } from '../../lib/money';
import { type AssistPluginOptions, parseAssistOptions } from '../../lib/options-assist';
import { baseRequest } from '../../lib/provider-session';
import type { KnexLike } from '../../modules/robokassa/service';

/** The part of knex this provider reads Medusa's capture row with. */
type CaptureReader = (table: string) => {
  where(column: string, value: string): { first(...columns: string[]): Promise<Record<string, unknown> | undefined> };
};

const rawAmount = z.object({ value: z.union([z.string(), z.number()]) }).loose();

type AssistRequest = IssueInput & { hold: boolean };

/**
 * Assist as a Medusa payment provider (`pp_assist_<id>`). What every gateway's provider does the same way (the
 * ledger, the invoice's cart, statuses, cancel, refund) is `LedgerPaymentProvider`'s; this class adds Assist's
 * order.cfm request, its session data (`order_number`, the ledger's invoice id) and its one-time charge of a hold.
 * The notification lands on the plugin's `/assist/notification` route, which settles the ledger and completes the
 * cart.
 */
export class AssistProviderService extends LedgerPaymentProvider<AssistRequest> {
  static override identifier = 'assist';

  /** Runs at boot: a wrong or missing key stops Medusa with one message naming every bad key (never a value). */
  static override validateOptions(options: Record<string, unknown>): void {
    parseAssistOptions(options);
  }

  protected readonly settings: AssistPluginOptions;
  protected readonly knex: KnexLike;

  constructor(cradle: ProviderCradle, options: Record<string, unknown>) {
    const settings = parseAssistOptions(options);
    super(cradle, options, {
      gateway: new AssistGateway(settings.assist),
      label: 'Assist',
      invoiceNoun: 'order',
      testMode: settings.assist.testMode,
      expireAfterHours: settings.medusa.expireAfterHours,
      misconfigured: {
        code: 'NOTIFICATION_URL_MISCONFIGURED',
        hint: 'Set the notification URL in the Assist cabinet to https://<your-medusa>/assist/notification',
      },
    });
    this.settings = settings;
    this.knex = cradle.__pg_connection__;
  }

  protected readSession(data: unknown): SessionIds | undefined {
    const session = parseAssistSession(data, { optional: true });
    return session && { sessionId: session.session_id, invoiceId: session.order_number };
  }

  protected async paymentRequest(input: RequestInput): Promise<AssistRequest> {
    const { backendUrl } = this.settings.medusa;
    return {
      ...baseRequest(input, this.settings.medusa, assistChoices),
      // Without backendUrl the return URLs are the ones pasted into Assist's cabinet.
      urls: backendUrl
        ? { success: assistPublicUrl(backendUrl, 'returnOk'), fail: assistPublicUrl(backendUrl, 'returnNo') }
        : undefined,
    };
  }

  protected sessionData(issued: IssuedPayment, request: AssistRequest): Record<string, unknown> {
    return { ...assistSessionData(issued, request) };
  }

  protected recordView(record: PaymentRecord): Record<string, unknown> {
    return assistSessionView(record);
  }

  /**
   * Charges a hold (`charge.cfm`). Medusa passes no amount to a provider, only the capture's id: the amount is read
   * from that capture row (committed before this call), so a partial capture in the admin charges that part. Assist
   * charges a hold once; the rest is released, so a second capture is refused instead of recorded as money.
   */
  protected override async capture(record: PaymentRecord, input: M.CapturePaymentInput): Promise<PaymentRecord> {
    if (record.details.captured !== undefined) {
      throw new KassaError('HOLD_REJECTED', 'Assist charges a hold once; the rest of it was released', {
        details: { gateway: 'assist', invoiceId: record.invoiceId, captured: record.details.captured },
      });
    }
    const amount = await this.#captureAmount(input.context?.idempotency_key, record);
    return capturePayment(this.deps, record, amount);
  }

  /** The capture's amount, or undefined (the whole hold) when it is the whole amount or Medusa named no capture. */
  async #captureAmount(captureId: string | undefined, record: PaymentRecord): Promise<Money | undefined> {
    if (!captureId) return undefined;
    const knex = this.knex as unknown as CaptureReader;
    const row = await knex('capture').where('id', captureId).first('raw_amount');
    const raw = rawAmount.safeParse(row?.raw_amount);
    // Charging the whole hold when Medusa recorded a part would take money Medusa does not know about.
    if (!raw.success)
      throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, 'The capture to charge is not readable');
    const amount = moneyFromMedusa(String(raw.data.value), record.amount.currency);
    return amount.minor === record.amount.minor ? undefined : amount;
  }
}
