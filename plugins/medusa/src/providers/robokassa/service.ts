import type { IssuedPayment, PaymentRecord, RefundRequest } from '@kassa/core';
import type * as M from '@medusajs/framework/types';
import {
  LedgerPaymentProvider,
  type ProviderCradle,
  type RequestInput,
  type SessionIds,
} from '../../lib/ledger-provider';
import { moneyFromMedusa } from '../../lib/money';
import { parsePluginOptions, type RobokassaPluginOptions } from '../../lib/options';
import { type PaymentRequest, paymentRequest, refundReceipt } from '../../lib/payment-request';
import { parseSessionData, sessionData, sessionView } from '../../lib/session-data';
import { robokassaGatewayFor } from '../../modules/robokassa/service';

/**
 * Robokassa as a Medusa payment provider (`pp_robokassa_<id>`). What every gateway's provider does the same way
 * (the ledger, the invoice's cart, statuses, cancel, refund) is `LedgerPaymentProvider`'s; this class adds
 * Robokassa's request (the 54-FZ receipt built on the server from the cart, the e-mail, ResultUrl2) and its session
 * data (`inv_id`). ResultURL lands on the plugin's `/robokassa/result` route, which settles the ledger and completes
 * the cart.
 */
export class RobokassaProviderService extends LedgerPaymentProvider<PaymentRequest> {
  static override identifier = 'robokassa';

  /** Runs at boot: a wrong or missing key stops Medusa with one message naming every bad key (never a value). */
  static override validateOptions(options: Record<string, unknown>): void {
    parsePluginOptions(options);
  }

  protected readonly settings: RobokassaPluginOptions;

  constructor(cradle: ProviderCradle, options: Record<string, unknown>) {
    const settings = parsePluginOptions(options);
    super(cradle, options, {
      gateway: robokassaGatewayFor(settings),
      label: 'Robokassa',
      invoiceNoun: 'invoice',
      testMode: settings.robokassa.testMode,
      expireAfterHours: settings.medusa.expireAfterHours,
      misconfigured: {
        code: 'RESULT_URL_MISCONFIGURED',
        hint: 'Set ResultURL in the Robokassa cabinet to https://<your-medusa>/robokassa/result',
      },
    });
    this.settings = settings;
  }

  protected readSession(data: unknown): SessionIds | undefined {
    const session = parseSessionData(data, { optional: true });
    return session && { sessionId: session.session_id, invoiceId: String(session.inv_id) };
  }

  protected paymentRequest(input: RequestInput): Promise<PaymentRequest> {
    return paymentRequest(this.settings, this.query, input);
  }

  protected sessionData(issued: IssuedPayment, request: PaymentRequest): Record<string, unknown> {
    return { ...sessionData(issued, request) };
  }

  protected recordView(record: PaymentRecord): Record<string, unknown> {
    return sessionView(record);
  }

  /** 54-FZ: a full refund repeats the payment's receipt lines, a partial one is a «Возврат» line. */
  protected override refundRequest(record: PaymentRecord, input: M.RefundPaymentInput): RefundRequest {
    const amount = moneyFromMedusa(input.amount, record.amount.currency);
    return { amount, receipt: refundReceipt(this.settings, record, amount, parseSessionData(input.data)) };
  }
}
