import { isInputErrorCode, isKassaError } from '@kassa/core';
import { MedusaError } from '@medusajs/framework/utils';

/**
 * Kassa's typed errors as MedusaErrors (so the API answers 400/409/500 as Medusa would), keeping the stable code at
 * the front of the message: `[PASSWORD3_MISSING] The Refund API needs Password #3 …`. Kassa messages never carry
 * secrets, so they are safe to show in the admin.
 */
export function toMedusaError(error: unknown): unknown {
  if (!isKassaError(error)) return error;
  const message = `[${error.code}] ${error.message}`;
  if (isInputErrorCode(error.code)) return new MedusaError(MedusaError.Types.INVALID_DATA, message);
  if (error.code === 'LEDGER_CONFLICT' || error.code === 'INVALID_TRANSITION') {
    return new MedusaError(MedusaError.Types.CONFLICT, message);
  }
  if (error.code === 'REFUND_REJECTED' || error.code === 'HOLD_REJECTED') {
    return new MedusaError(MedusaError.Types.NOT_ALLOWED, message);
  }
  return new MedusaError(MedusaError.Types.UNEXPECTED_STATE, message);
}

/** Runs `fn`, rethrowing Kassa errors as MedusaErrors. */
export async function medusaErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toMedusaError(error);
  }
}
