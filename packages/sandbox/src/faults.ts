import { z } from 'zod';

/**
 * Fault injection, per merchant or per payment (README "Fault injection"). Robokassa and Assist merchants share
 * this shape, so it lives on its own: the Assist settings import it without a cycle through config.ts.
 */
export const faultsSchema = z.strictObject({
  callback: z
    .strictObject({
      /** The ResultURL notification is lost: never sent, never retried (a reconciliation test). */
      drop: z.boolean().optional(),
      /** Extra identical copies of the notification. */
      duplicate: z.number().int().min(0).max(50).optional(),
      /** Send the copies at the same moment as the original instead of after it. */
      concurrent: z.boolean().optional(),
      /** Wait this long before the first attempt. */
      delayMs: z.number().int().min(0).max(600_000).optional(),
      /** Hold this notification back until the merchant's next one has been sent. */
      reorder: z.boolean().optional(),
    })
    .optional(),
  /** The buyer closes the tab after paying: no redirect to SuccessURL/FailURL. */
  buyerClosesTab: z.boolean().optional(),
  /** The XML interface answers HTTP 500, or hangs (`timeout`) for `delayMs` before answering. */
  xml: z
    .strictObject({
      mode: z.enum(['error500', 'timeout']),
      delayMs: z.number().int().min(0).max(600_000).optional(),
      /** Only the next N calls; absent = until cleared. */
      times: z.number().int().positive().optional(),
    })
    .optional(),
});
export type FaultConfig = z.infer<typeof faultsSchema>;
