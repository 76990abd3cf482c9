/**
 * Set in a superseded invoice's ledger details by the settle step (lib/settle.ts `adoptSession`): the invoice id that
 * paid its session instead. The provider follows it, so the session answers for the invoice that was paid. Kept
 * apart from settle.ts so the provider does not load Medusa's workflows.
 */
export const SETTLED_BY = 'settledBy';

/** Set in an invoice's ledger details when it is issued: its Medusa cart (a superseded session is deleted for good). */
export const CART_ID = 'cartId';
