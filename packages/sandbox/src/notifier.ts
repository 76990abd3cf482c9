import { randomUUID } from 'node:crypto';
import type { FaultConfig, HttpMethod, MerchantConfig, SandboxSettings } from './config.js';
import type { HttpClient } from './http-client.js';
import { formatAmount } from './money.js';
import { encodeParams, type ParamEntry } from './params.js';
import { callbackSignature } from './signature.js';
import type { EmailRecord, NotificationAttempt, Operation } from './store.js';
import { sleep } from './timers.js';

/** ResultURL is tried once and then «ещё четыре раза» (DOC-scripts, §2.1 "Retries"); ResultUrl2 «не более пяти раз». */
export const MAX_ATTEMPTS = 5;

export type DeliveryOutcome = 'delivered' | 'failed' | 'dropped' | 'aborted' | 'no-url';

export interface DeliveryHandle {
  /** Settles when the first attempt has an answer (or the notification was dropped or has nowhere to go). */
  firstAttempt: Promise<void>;
  done: Promise<DeliveryOutcome>;
}

export interface NotifierDeps {
  settings: Pick<SandboxSettings, 'retryBackoffMs' | 'callbackTimeoutMs' | 'reorderMaxWaitMs'>;
  http: HttpClient;
  stopSignal: AbortSignal;
  now: () => Date;
  changed: () => void;
  email: (record: EmailRecord) => void;
  log: (line: string) => void;
}

type CallbackFaults = NonNullable<FaultConfig['callback']>;

/**
 * The fields of a ResultURL notification (§2.1): OutSum with six decimals, the upper-case Password #2 signature
 * over it, Fee, EMail (never in test mode), the method, and every Shp_ parameter as it was received.
 */
export function resultUrlParams(op: Operation, merchant: MerchantConfig): ParamEntry[] {
  const outSum = formatAmount(op.amount, 6);
  const invId = String(op.invId);
  const password = op.isTest ? (merchant.testPassword2 ?? '') : merchant.password2;
  const params: ParamEntry[] = [
    ['OutSum', outSum],
    ['InvId', invId],
    ['Fee', formatAmount(op.fee ?? 0, 6)],
  ];
  if (!op.isTest) params.push(['EMail', op.buyerEmail ?? op.email ?? '']);
  params.push(
    ['SignatureValue', callbackSignature(merchant.algorithm, outSum, invId, password, op.shp)],
    ['PaymentMethod', op.paidWith?.group ?? ''],
    ['IncCurrLabel', op.paidWith?.label ?? ''],
    ...op.shp,
  );
  return params;
}

function backoffBefore(attempt: number, setting: number | number[]): number {
  if (typeof setting === 'number') return setting;
  return setting[Math.min(attempt - 2, setting.length - 1)] ?? 0;
}

/**
 * Delivers ResultURL and ResultUrl2 notifications: every attempt is recorded on the operation, failures are
 * retried with the configured backoff, and fault injection (drop, duplicate, delay, reorder) happens here.
 * Every delivery runs on its own promise, so a slow shop only ever delays its own notifications.
 */
export class Notifier {
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly parked = new Map<string, Array<() => void>>();

  constructor(private readonly deps: NotifierDeps) {}

  /** Resolves when no notification is in flight any more (retries included). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Counts a promise as a notification in flight, so `idle()` and `stop()` wait for it (Assist's use it too). */
  track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise);
    const forget = () => {
      this.inflight.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }

  /**
   * Delivers the ResultURL notification of a paid operation. `onOutcome` is called once, as soon as the outcome is
   * known: at the successful attempt (before `firstAttempt` settles, so a caller waiting for it sees the final
   * state), or at the end for a drop, a give-up or a missing ResultURL.
   */
  resultUrl(
    op: Operation,
    merchant: MerchantConfig,
    faults: CallbackFaults | undefined,
    onOutcome: (outcome: DeliveryOutcome) => void = () => {},
  ): DeliveryHandle {
    let known = false;
    const settle = (outcome: DeliveryOutcome) => {
      if (known) return;
      known = true;
      onOutcome(outcome);
    };
    const url = merchant.resultUrl;
    if (url === undefined) {
      op.warnings.push('the merchant has no ResultURL: no notification was sent');
      settle('no-url');
      return { firstAttempt: Promise.resolve(), done: Promise.resolve('no-url') };
    }
    let firstSettled!: () => void;
    const firstAttempt = new Promise<void>((resolve) => {
      firstSettled = resolve;
    });
    const body = encodeParams(resultUrlParams(op, merchant));
    const send = (attempt: number, copy: number) =>
      this.attempt(op, {
        kind: 'ResultURL',
        url,
        method: merchant.resultMethod,
        body,
        attempt,
        copy,
        accept: (status, text) => status >= 200 && status < 300 && text.trim() === `OK${op.invId}`,
      });

    const run = async (): Promise<DeliveryOutcome> => {
      const signal = this.deps.stopSignal;
      try {
        if (faults?.drop) {
          this.record(op, {
            kind: 'ResultURL',
            url,
            method: merchant.resultMethod,
            attempt: 1,
            copy: 0,
            outcome: 'dropped',
          });
          settle('dropped');
          return 'dropped';
        }
        await sleep(faults?.delayMs ?? 0, signal);
        if (faults?.reorder) await this.park(merchant.login);
        const copies = Array.from({ length: faults?.duplicate ?? 0 }, (_, i) => i + 1);
        const concurrentCopies = faults?.concurrent ? Promise.all(copies.map((c) => send(1, c))) : undefined;
        let delivered = false;
        for (let attempt = 1; attempt <= MAX_ATTEMPTS && !signal.aborted; attempt++) {
          if (attempt > 1) await sleep(backoffBefore(attempt, this.deps.settings.retryBackoffMs), signal);
          if (signal.aborted) break;
          delivered = await send(attempt, 0);
          if (delivered) settle('delivered');
          if (attempt === 1) {
            firstSettled();
            if (!faults?.reorder) this.release(merchant.login);
          }
          if (delivered) break;
        }
        await concurrentCopies;
        if (!faults?.concurrent) for (const c of copies) if (!signal.aborted) await send(1, c);
        if (signal.aborted && !delivered) return 'aborted';
        if (!delivered) {
          this.giveUp(op, merchant, url);
          settle('failed');
        }
        return delivered ? 'delivered' : 'failed';
      } finally {
        firstSettled();
      }
    };
    return { firstAttempt, done: this.track(run()) };
  }

  /** ResultUrl2: a POST of the compact JWS, any 2xx accepted, at most five attempts (§2.2). */
  resultUrl2(op: Operation, url: string, makeToken: () => Promise<string>): Promise<void> {
    const run = async () => {
      let token: string;
      try {
        token = await makeToken();
      } catch (error) {
        this.deps.log(
          `ResultUrl2 ${op.merchant} #${op.invId}: could not sign (${error instanceof Error ? error.message : error})`,
        );
        return;
      }
      for (let attempt = 1; attempt <= MAX_ATTEMPTS && !this.deps.stopSignal.aborted; attempt++) {
        if (attempt > 1) await sleep(backoffBefore(attempt, this.deps.settings.retryBackoffMs), this.deps.stopSignal);
        const ok = await this.attempt(op, {
          kind: 'ResultUrl2',
          url,
          method: 'POST',
          body: token,
          contentType: 'application/json',
          attempt,
          copy: 0,
          accept: (status) => status >= 200 && status < 300,
        });
        if (ok) return;
      }
    };
    return this.track(run());
  }

  private park(merchant: string): Promise<void> {
    return new Promise((resolve) => {
      const list = this.parked.get(merchant) ?? [];
      list.push(resolve);
      this.parked.set(merchant, list);
      void sleep(this.deps.settings.reorderMaxWaitMs, this.deps.stopSignal).then(() => {
        const current = this.parked.get(merchant);
        if (current?.includes(resolve)) current.splice(current.indexOf(resolve), 1);
        resolve();
      });
    });
  }

  /** Lets notifications held back by `reorder` go, now that a later one of the same merchant went first. */
  private release(merchant: string): void {
    const list = this.parked.get(merchant);
    if (!list) return;
    this.parked.delete(merchant);
    for (const resolve of list) resolve();
  }

  private record(
    op: Operation,
    fields: Pick<NotificationAttempt, 'kind' | 'url' | 'method' | 'attempt' | 'copy' | 'outcome'>,
  ): NotificationAttempt {
    const entry: NotificationAttempt = {
      id: randomUUID(),
      opId: op.id,
      merchant: op.merchant,
      invId: op.invId,
      startedAt: this.deps.now().toISOString(),
      ...fields,
    };
    op.notifications.push(entry);
    this.deps.changed();
    return entry;
  }

  private async attempt(
    op: Operation,
    request: {
      kind: NotificationAttempt['kind'];
      url: string;
      method: HttpMethod;
      body: string;
      contentType?: string;
      attempt: number;
      copy: number;
      accept: (status: number, text: string) => boolean;
    },
  ): Promise<boolean> {
    const { url, method, body } = request;
    const target = method === 'GET' ? `${url}${url.includes('?') ? '&' : '?'}${body}` : url;
    const entry = this.record(op, {
      kind: request.kind,
      url: target,
      method,
      attempt: request.attempt,
      copy: request.copy,
      outcome: 'pending',
    });
    const started = performance.now();
    let ok = false;
    try {
      const response = await this.deps.http.send({
        url: target,
        method,
        body: method === 'POST' ? body : undefined,
        contentType: request.contentType,
        timeoutMs: this.deps.settings.callbackTimeoutMs,
        signal: this.deps.stopSignal,
      });
      entry.status = response.status;
      entry.bodyExcerpt = response.text.slice(0, 200);
      ok = request.accept(response.status, response.text);
      entry.outcome = ok ? 'ok' : response.status >= 200 && response.status < 300 ? 'bad-answer' : 'http-error';
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      entry.outcome = name === 'TimeoutError' ? 'timeout' : name === 'AbortError' ? 'aborted' : 'network-error';
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      entry.error = error instanceof Error ? `${error.message}${cause}` : String(error);
    }
    entry.durationMs = Math.round(performance.now() - started);
    entry.finishedAt = this.deps.now().toISOString();
    this.deps.changed();
    this.deps.log(
      `${request.kind} ${op.merchant} #${op.invId} attempt ${request.attempt}${request.copy ? ` (copy ${request.copy})` : ''}: ${entry.outcome}${entry.status ? ` ${entry.status}` : ''}`,
    );
    return ok;
  }

  /** After the last failed attempt Robokassa e-mails the shop's admin (§2.1); the sandbox records that letter. */
  private giveUp(op: Operation, merchant: MerchantConfig, url: string): void {
    const last = op.notifications.filter((n) => n.kind === 'ResultURL' && n.copy === 0).at(-1);
    const lines = [
      `Получена оплата по счёту ${op.invId} магазина ${merchant.login}, но ResultURL не ответил OK${op.invId}.`,
      `Цена: ${formatAmount(op.amount, 6)}`,
      `Inv_id: ${op.invId}`,
      `Метод оплаты: ${op.paidWith?.label ?? ''}`,
      ...op.shp.map(([n, v]) => `${n}: ${v}`),
      `ResultURL: ${url}`,
      `Последний ответ: ${last?.status ?? last?.outcome ?? ''} ${last?.bodyExcerpt ?? last?.error ?? ''}`.trim(),
    ];
    this.deps.email({
      id: randomUUID(),
      merchant: merchant.login,
      to: merchant.notifyEmail ?? `admin@${merchant.login}.shop.test`,
      subject: `Robokassa: не удалось оповестить магазин ${merchant.login} об оплате счёта ${op.invId}`,
      text: lines.join('\n'),
      opId: op.id,
      invId: op.invId,
      createdAt: this.deps.now().toISOString(),
    });
  }
}
