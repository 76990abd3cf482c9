import { formatMoney, GATEWAY_IDS, PAYMENT_STATES, type PaymentRecord } from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { ContainerRegistrationKeys, MedusaError } from '@medusajs/framework/utils';
import { z } from 'zod';
import type { QueryLike } from '../../../../lib/cart-query';
import { healthView } from '../../../../lib/notification-journal';
import { robokassaModule } from '../../../../lib/scope';

/**
 * `GET /admin/kassa/payments` — every invoice the shop ever issued, for every gateway, newest first: the JSON the
 * admin's Payments page is built on (response shape in README.md "Admin API"). Filters: `state` (a ledger state,
 * `surplus` = paid twice or after the cart changed, `unsettled` = paid or held with no order yet, `attention` = either
 * of those still needing a human), `gateway`, `created_from` / `created_to` (ISO instants), `limit` (1–100, default
 * 50) and `offset`. Beside the page: `health` per configured gateway and `instances` (how many Medusa instances share
 * the database, whether their locking is shared, and a `warning` code when it is not).
 */
const STATE_FILTERS = [...PAYMENT_STATES, 'surplus', 'unsettled', 'attention'] as const;

const querySchema = z.object({
  state: z.enum(STATE_FILTERS).optional(),
  gateway: z.enum(GATEWAY_IDS).optional(),
  created_from: z.iso.datetime({ offset: true }).optional(),
  created_to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const sessionRows = z.array(
  z
    .object({
      id: z.string(),
      payment_collection: z
        .object({ cart: z.object({ id: z.string() }).loose().nullish() })
        .loose()
        .nullish(),
    })
    .loose(),
);
const orderRows = z.array(z.object({ cart_id: z.string(), order_id: z.string() }).loose());

/** Cart and order of each record's payment session, in two queries for the page (superseded sessions included). */
async function ordersFor(query: QueryLike, records: PaymentRecord[]) {
  const references = [...new Set(records.map((r) => r.reference))];
  const cartBySession = new Map<string, string>();
  const orderByCart = new Map<string, string>();
  if (references.length === 0) return { cartBySession, orderByCart };
  const graph = query.graph as (config: Parameters<QueryLike['graph']>[0] & { withDeleted?: boolean }) => Promise<{
    data: unknown[];
  }>;
  const { data: sessions } = await graph.call(query, {
    entity: 'payment_session',
    fields: ['id', 'payment_collection.cart.id'],
    filters: { id: references },
    withDeleted: true,
  });
  for (const s of sessionRows.parse(sessions)) {
    const cart = s.payment_collection?.cart?.id;
    if (cart) cartBySession.set(s.id, cart);
  }
  const carts = [...new Set(cartBySession.values())];
  if (carts.length > 0) {
    const { data: links } = await query.graph({
      entity: 'order_cart',
      fields: ['cart_id', 'order_id'],
      filters: { cart_id: carts },
    });
    for (const link of orderRows.parse(links))
      if (!orderByCart.has(link.cart_id)) orderByCart.set(link.cart_id, link.order_id);
  }
  return { cartBySession, orderByCart };
}

function flagsOf(record: PaymentRecord, orderId: string | undefined): string[] {
  const flags: string[] = [];
  if (record.surplus === true) flags.push('paid_twice');
  if ((record.state === 'paid' || record.state === 'held') && record.settledState !== record.state)
    flags.push('unsettled');
  else if (record.state === 'paid' && record.surplus !== true && orderId === undefined) flags.push('unsettled');
  return flags;
}

export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const parsed = querySchema.safeParse(req.query);
  if (!parsed.success) {
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      `Invalid filters: ${parsed.error.issues.map((i) => i.path.join('.') || '(query)').join(', ')}`,
    );
  }
  const q = parsed.data;
  const kassa = robokassaModule(req.scope);
  const { ledger, notifications } = kassa;
  const state = q.state;
  const page = await ledger.list({
    gateway: q.gateway,
    ...(state === 'surplus'
      ? { surplus: true }
      : state === 'unsettled'
        ? { unsettled: true }
        : state === 'attention'
          ? { attention: true }
          : state !== undefined
            ? { states: [state] }
            : {}),
    createdFrom: q.created_from ? new Date(q.created_from) : undefined,
    createdTo: q.created_to ? new Date(q.created_to) : undefined,
    limit: q.limit,
    offset: q.offset,
  });
  const query = req.scope.resolve<QueryLike>(ContainerRegistrationKeys.QUERY);
  const { cartBySession, orderByCart } = await ordersFor(query, page.records);
  res.json({
    payments: page.records.map((record) => {
      const cartId = cartBySession.get(record.reference);
      const orderId = cartId ? orderByCart.get(cartId) : undefined;
      return {
        gateway: record.gateway,
        invoice_id: record.invoiceId,
        reference: record.reference,
        state: record.state,
        is_test: record.isTest,
        amount: formatMoney(record.amount),
        currency: record.amount.currency,
        refunded: formatMoney(record.refunded),
        settled_state: record.settledState ?? null,
        surplus: record.surplus === true,
        cart_id: cartId ?? null,
        // The order of the record's cart; for a surplus payment, the order another invoice paid.
        order_id: orderId ?? null,
        flags: flagsOf(record, orderId),
        created_at: record.createdAt.toISOString(),
        updated_at: record.updatedAt.toISOString(),
      };
    }),
    count: page.total,
    limit: q.limit,
    offset: q.offset,
    // Medusa instances on this database and whether their locking is shared (lib/instances.ts): with more than one
    // and in-memory locking, `warning` is MULTI_INSTANCE_LOCKING_IN_MEMORY and the page tells the merchant what to set.
    instances: await kassa.instances(),
    // Per configured gateway, whatever the filters: a page of paid invoices must still show notifications stopped.
    health: Object.fromEntries(
      await Promise.all(
        kassa
          .configuredGateways()
          .map(async (gateway) => [gateway, healthView(await notifications.health(gateway))] as const),
      ),
    ),
  });
}
