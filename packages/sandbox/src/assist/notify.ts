import { randomUUID } from 'node:crypto';
import type { SandboxContext } from '../context.js';
import type { FaultConfig } from '../faults.js';
import { encodeParams, type ParamEntry } from '../params.js';
import { sleep } from '../timers.js';
import { checkvalue, notificationString } from './checkvalue.js';
import { type AssistMerchantConfig, FOUR_HOURS_SCHEDULE } from './config.js';
import { formatAssistDate } from './dates.js';
import { formatMinor } from './money.js';
import type { AssistBill, AssistNotificationAttempt } from './store.js';

/** «not more than 8 times» within four hours (assist.md §2.3). */
export const MAX_NOTIFICATION_ATTEMPTS = 8;

export type NotificationOutcome = 'delivered' | 'refused' | 'failed' | 'dropped' | 'aborted' | 'no-url' | 'filtered';

type CallbackFaults = NonNullable<FaultConfig['callback']>;

const SUCCESS_STATES = new Set(['Approved', 'Delayed', 'PartialDelayed']);

/** The operation the notification reports: the payment (`.1`) or, for an rp.cfm child, its own payment. */
const paymentOperation = (bill: AssistBill) => bill.operations.find((o) => o.type === 100);

/**
 * The POSTed fields of §2.1, lower-case, in the documented order. `amount`/`currency` equal
 * `orderamount`/`ordercurrency`, both with two decimals (§2.2 "Emulator"); `billnumber` is the extended
 * `NNNN.k` of the payment operation; `signature` is empty, as for an MD5 merchant.
 */
export function notificationParams(bill: AssistBill, merchant: AssistMerchantConfig, packetDate: string): ParamEntry[] {
  const op = paymentOperation(bill);
  const amount = formatMinor(bill.amount);
  const mean = bill.mean;
  const declined = bill.state === 'Declined' || bill.state === 'Timeout';
  return [
    ['merchant_id', bill.merchantId],
    ['ordernumber', bill.orderNumber],
    ['billnumber', `${bill.billNumber}.${op?.number ?? 1}`],
    ['testmode', bill.testMode ? '1' : '0'],
    ['ordercomment', bill.comment],
    ['orderamount', amount],
    ['ordercurrency', bill.currency],
    ['amount', amount],
    ['currency', bill.currency],
    ['rate', '1'],
    ['firstname', bill.payer.firstname],
    ['lastname', bill.payer.lastname],
    ['middlename', bill.payer.middlename],
    ['email', bill.payer.email],
    ['orderdate', formatAssistDate(new Date(bill.createdAt))],
    ['orderstate', bill.state],
    ['responsecode', bill.responseCode ?? ''],
    ['message', responseMessage(bill.responseCode)],
    ['customermessage', responseMessage(bill.responseCode)],
    ['recommendation', declined ? 'Попробуйте оплатить другой картой' : ''],
    ['approvalcode', bill.approvalCode ?? ''],
    ['meantypename', mean?.meanTypeName ?? ''],
    ['meantype_id', mean?.meanTypeId ?? ''],
    ['meansubtype', mean?.meanSubtype ?? ''],
    ['meannumber', mean?.meanNumber ?? ''],
    ['cardholder', mean?.cardholder ?? ''],
    ['cardexpirationdate', mean?.cardExpirationDate ?? ''],
    ['issuebank', mean?.method === 'card' ? 'SANDBOX BANK' : ''],
    ['bankcountry', mean?.method === 'card' ? 'Russian Federation' : ''],
    ['ipaddress', bill.ipAddress],
    ['protocoltypename', 'NET'],
    ['processingname', bill.testMode ? 'Fake' : 'Sandbox'],
    ['operationtype', String(op?.type ?? 100)],
    ['operationdate', formatAssistDate(new Date(op?.date ?? bill.stateChangedAt))],
    ['slipno', bill.approvalCode ? bill.billNumber.slice(-6) : ''],
    ['authresult', declined ? 'D' : 'A'],
    ['authrequired', '0'],
    ['packetdate', packetDate],
    ['signature', ''],
    [
      'checkvalue',
      checkvalue(
        merchant.secretWord,
        notificationString(bill.merchantId, bill.orderNumber, amount, bill.currency, bill.state),
      ),
    ],
  ];
}

/** `responsecode` texts (§3.7). */
export function responseMessage(code: string | undefined): string {
  const texts: Record<string, string> = {
    AS000: 'Авторизация успешно завершена',
    AS100: 'Отказ в авторизации',
    AS101: 'Неверный номер карты',
    AS102: 'Недостаточно средств',
    AS104: 'Неверный срок действия карты',
    AS105: 'Превышен лимит',
    AS107: 'Ошибка в данных',
    AS108: 'Подозрение на мошенничество',
    AS300: 'Операция в процессе, ожидайте',
  };
  return code === undefined ? '' : (texts[code] ?? '');
}

const attr = (attrs: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(attrs)?.[1];
const element = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`, 'i').exec(xml)?.[1]?.trim();

/**
 * Judges the merchant's reply (§2.3). Only HTTP 200 with a `pushpaymentresult` element counts as an answer;
 * firstcode 0 is delivered (strict mode: the echoed billnumber and packetdate must match), any other firstcode is
 * a failure reply, which Assist does not retry. Anything else is "no answer" and is retried.
 */
export function judgeReply(
  status: number,
  text: string,
  sent: { billNumber: string; packetDate: string },
  mode: AssistMerchantConfig['notifyReplyCheck'],
): AssistNotificationAttempt['outcome'] {
  if (status !== 200) return 'http-error';
  const root = /<pushpaymentresult\b([^>]*?)\/?>/i.exec(text);
  if (!root) return 'bad-answer';
  const first = attr(root[1] ?? '', 'firstcode');
  const second = attr(root[1] ?? '', 'secondcode');
  if (first === undefined || second === undefined || !/^\d+$/.test(first) || !/^\d+$/.test(second)) {
    return 'bad-answer';
  }
  if (Number(first) !== 0) return 'refused';
  if (mode === 'lenient') return 'ok';
  return element(text, 'billnumber') === sent.billNumber && element(text, 'packetdate') === sent.packetDate
    ? 'ok'
    : 'bad-answer';
}

function waitBefore(attempt: number, setting: SandboxContext['settings']['assistRetryBackoffMs']): number {
  const schedule = setting === 'four-hours' ? FOUR_HOURS_SCHEDULE : setting;
  if (typeof schedule === 'number') return schedule;
  return schedule[Math.min(attempt - 2, schedule.length - 1)] ?? 0;
}

// Notifications held back by a `reorder` fault, per sandbox and merchant.
const parked = new WeakMap<SandboxContext, Map<string, Array<() => void>>>();

function park(ctx: SandboxContext, merchantId: string): Promise<void> {
  const byMerchant = parked.get(ctx) ?? new Map<string, Array<() => void>>();
  parked.set(ctx, byMerchant);
  return new Promise((resolve) => {
    const list = byMerchant.get(merchantId) ?? [];
    list.push(resolve);
    byMerchant.set(merchantId, list);
    void sleep(ctx.settings.reorderMaxWaitMs, ctx.stopSignal).then(() => {
      const current = byMerchant.get(merchantId);
      if (current?.includes(resolve)) current.splice(current.indexOf(resolve), 1);
      resolve();
    });
  });
}

function release(ctx: SandboxContext, merchantId: string): void {
  const byMerchant = parked.get(ctx);
  const list = byMerchant?.get(merchantId);
  if (!byMerchant || !list) return;
  byMerchant.delete(merchantId);
  for (const resolve of list) resolve();
}

export interface NotificationHandle {
  firstAttempt: Promise<void>;
  done: Promise<NotificationOutcome>;
}

/**
 * Sends the result notification of a bill with Assist's retries: up to eight attempts on the configured
 * schedule until a valid `pushpaymentresult` comes back; a failure reply ends it at once. Fault injection
 * (drop, duplicates, delay, reorder) works as for ResultURL. Each delivery runs on its own promise, counted by
 * the sandbox's notifier so that `idle()` and `stop()` wait for it.
 */
export function sendNotification(
  ctx: SandboxContext,
  bill: AssistBill,
  merchant: AssistMerchantConfig,
  faults: CallbackFaults | undefined,
): NotificationHandle {
  const url = merchant.notifyUrl;
  if (url === undefined) {
    bill.warnings.push('the merchant has no notification URL: nothing was sent');
    return { firstAttempt: Promise.resolve(), done: Promise.resolve('no-url') };
  }
  if (merchant.notifyOnlySuccess && !SUCCESS_STATES.has(bill.state)) {
    return { firstAttempt: Promise.resolve(), done: Promise.resolve('filtered') };
  }
  const packetDate = formatAssistDate(ctx.now());
  const params = notificationParams(bill, merchant, packetDate);
  const billNumber = params.find(([n]) => n === 'billnumber')?.[1] ?? bill.billNumber;
  const body = encodeParams(params);
  const record = (fields: Pick<AssistNotificationAttempt, 'attempt' | 'copy' | 'outcome'>) => {
    const entry: AssistNotificationAttempt = {
      id: randomUUID(),
      merchantId: bill.merchantId,
      orderNumber: bill.orderNumber,
      billNumber,
      url,
      orderState: bill.state,
      packetDate,
      startedAt: ctx.now().toISOString(),
      ...fields,
    };
    bill.notifications.push(entry);
    ctx.store.changed();
    return entry;
  };

  const send = async (attempt: number, copy: number): Promise<AssistNotificationAttempt['outcome']> => {
    const entry = record({ attempt, copy, outcome: 'pending' });
    const started = performance.now();
    try {
      const answer = await ctx.http.send({
        url,
        method: 'POST',
        body,
        timeoutMs: ctx.settings.callbackTimeoutMs,
        signal: ctx.stopSignal,
      });
      entry.status = answer.status;
      entry.bodyExcerpt = answer.text.slice(0, 200);
      entry.outcome = judgeReply(answer.status, answer.text, { billNumber, packetDate }, merchant.notifyReplyCheck);
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      entry.outcome = name === 'TimeoutError' ? 'timeout' : name === 'AbortError' ? 'aborted' : 'network-error';
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      entry.error = error instanceof Error ? `${error.message}${cause}` : String(error);
    }
    entry.durationMs = Math.round(performance.now() - started);
    entry.finishedAt = ctx.now().toISOString();
    ctx.store.changed();
    ctx.log(
      `Assist notification ${bill.merchantId} order ${bill.orderNumber} bill ${billNumber} attempt ${attempt}${
        copy ? ` (copy ${copy})` : ''
      }: ${entry.outcome}${entry.status ? ` ${entry.status}` : ''}`,
    );
    return entry.outcome;
  };

  let firstSettled!: () => void;
  const firstAttempt = new Promise<void>((resolve) => {
    firstSettled = resolve;
  });
  const run = async (): Promise<NotificationOutcome> => {
    const signal = ctx.stopSignal;
    try {
      if (faults?.drop) {
        record({ attempt: 1, copy: 0, outcome: 'dropped' });
        return 'dropped';
      }
      await sleep(faults?.delayMs ?? 0, signal);
      if (faults?.reorder) await park(ctx, bill.merchantId);
      const copies = Array.from({ length: faults?.duplicate ?? 0 }, (_, i) => i + 1);
      const concurrent = faults?.concurrent ? Promise.all(copies.map((c) => send(1, c))) : undefined;
      let outcome: NotificationOutcome = 'failed';
      for (let attempt = 1; attempt <= MAX_NOTIFICATION_ATTEMPTS && !signal.aborted; attempt++) {
        if (attempt > 1) await sleep(waitBefore(attempt, ctx.settings.assistRetryBackoffMs), signal);
        if (signal.aborted) break;
        const result = await send(attempt, 0);
        if (attempt === 1) {
          firstSettled();
          if (!faults?.reorder) release(ctx, bill.merchantId);
        }
        if (result === 'ok' || result === 'refused') {
          outcome = result === 'ok' ? 'delivered' : 'refused';
          break;
        }
      }
      await concurrent;
      if (!faults?.concurrent) for (const c of copies) if (!signal.aborted) await send(1, c);
      if (signal.aborted && outcome === 'failed') return 'aborted';
      if (outcome === 'failed')
        bill.warnings.push(`the notification was given up after ${MAX_NOTIFICATION_ATTEMPTS} attempts`);
      return outcome;
    } finally {
      firstSettled();
    }
  };
  return { firstAttempt, done: ctx.notifier.track(run()) };
}
