// The adapter example in packages/core/README.md ("An adapter over the port"): everything below the marker line is
// that code block, byte for byte (test/readme.test.ts compares them, tsc checks this file, the test runs it).
// --- README block ---
import {
  type Gateway,
  handleNotification,
  issuePayment,
  type Money,
  type PaymentLedger,
  parseMoney,
  refundPayment,
} from '@kassa/core';

/** Tinyshop, a made-up platform: what it needs from its own order store. */
export interface TinyshopOrders {
  markPaid(orderId: string, paid: Money): Promise<void>; // idempotent: a retry may call it again
}

export function tinyshopPayments(gateway: Gateway, ledger: PaymentLedger, orders: TinyshopOrders) {
  return {
    /** Checkout: an invoice in the ledger, and the gateway's page to send the buyer to. */
    async checkout(orderId: string, total: string): Promise<string> {
      const payment = { reference: orderId, amount: parseMoney(total), isTest: false, description: `Order ${orderId}` };
      return (await issuePayment({ gateway, ledger }, payment)).redirect.url;
    },
    /** The gateway's server notification: exactly once; the reply bytes are the gateway's own. */
    notification: (request: Request): Promise<Response> =>
      handleNotification(request, {
        gateway,
        ledger,
        onSettled: async (record, { event }) => orders.markPaid(record.reference, event.amount),
      }),
    /** A refund from Tinyshop's admin (written ahead in the ledger before the gateway is called). */
    async refund(orderId: string, amount: string) {
      const record = await ledger.findByReference(orderId);
      if (record === undefined) throw new Error(`no payment for order ${orderId}`);
      return refundPayment({ gateway, ledger }, record, { amount: parseMoney(amount) });
    },
  };
}
