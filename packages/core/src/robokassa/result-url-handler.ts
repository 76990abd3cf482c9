import type { PaymentLedger, PaymentRecord } from '../ledger/port.js';
import type { Logger } from '../log.js';
import { handleNotification } from '../notification.js';
import type { ResultCallback } from './callbacks/result-url.js';
import type { RobokassaConfig } from './config.js';
import { robokassaGateway } from './gateway.js';

export interface OnPaidContext {
  /** True only for the call that moved the record to `paid`; false for Robokassa's retries and duplicates. */
  readonly firstTime: boolean;
  /**
   * The verified callback. `callback.amount` is what Robokassa says was paid: equal to `record.amount`, except after
   * a partial capture of a hold, when it is the captured amount.
   */
  readonly callback: ResultCallback;
}

export interface ResultUrlHandlerDeps {
  config: RobokassaConfig;
  ledger: PaymentLedger;
  /** Default: JSON lines on the console. Whatever you pass only ever receives redacted fields. */
  logger?: Logger | undefined;
  /** The platform's settle step; if it throws, Robokassa gets 500 and retries (see `handleNotification`). */
  onPaid?: ((record: PaymentRecord, context: OnPaidContext) => Promise<void>) | undefined;
  /** Largest POST body (and query string) accepted. Default 64 KiB. */
  maxBodyBytes?: number | undefined;
}

/**
 * ResultURL on web-standard Request/Response: `handleNotification` with Robokassa's gateway for `config`. Answers
 * `OK{InvId}` for a paid invoice (first time or replay, and after a refund), a fixed 4xx body for bad input, 500
 * when the shop must be asked again. See docs/callbacks.md.
 */
export function handleResultUrl(request: Request, deps: ResultUrlHandlerDeps): Promise<Response> {
  const { onPaid } = deps;
  return handleNotification(request, {
    gateway: robokassaGateway(deps.config),
    ledger: deps.ledger,
    logger: deps.logger,
    maxBodyBytes: deps.maxBodyBytes,
    onSettled:
      onPaid &&
      ((record, context) =>
        onPaid(record, { firstTime: context.firstTime, callback: context.message as ResultCallback })),
  });
}

/** `handleResultUrl` with its dependencies bound: `app.all('/robokassa/result', createResultUrlHandler(deps))`. */
export function createResultUrlHandler(deps: ResultUrlHandlerDeps): (request: Request) => Promise<Response> {
  return (request) => handleResultUrl(request, deps);
}
