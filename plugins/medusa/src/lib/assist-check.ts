import { type CredentialsReport, type CredentialsStep, type CredentialsVerdict, parseMoney } from '@kassa/core';
import { type AssistGateway, buildAssistPayment } from '@kassa/core/assist';

/**
 * The admin's "check credentials" for Assist: core's `checkCredentials` (an `orderstate` for an order no shop uses
 * tells a wrong Merchant_ID from a wrong web-service login from an unreachable host), then one step core leaves
 * unproven, the secret word: a signed order.cfm request for a 1.00 probe order (`kassa-check-<time>`, never paid;
 * Assist shows it as an abandoned attempt). order.cfm refuses a wrong checkvalue with an error page; Assist does not
 * document that page, so an answer carrying one of its code pairs (9/x: the checkvalue) is read as the refusal, and
 * any other 2xx answer as the payment page, i.e. the secret word and the checkvalue mode accepted.
 */

const SECRET_MESSAGES: Partial<Record<CredentialsVerdict, string>> = {
  ok: 'order.cfm accepted the signed request: the secret word and the checkvalue mode match.',
  wrong_secret:
    'order.cfm refused the checkvalue: check the secret word (Settings → Merchants) and the checkvalue mode (semicolon or concat).',
  wrong_merchant: 'order.cfm does not know this Merchant_ID.',
  unreachable: 'order.cfm could not be reached: check the network or the host.',
  unexpected: 'order.cfm answered something unexpected; see the server log.',
};

/** `first/second` from an order.cfm error page (the code pair of §3.7), when it carries one. */
function errorPair(html: string): readonly [number, number] | undefined {
  const meta = /<meta\s+name="assist-error"\s+content="(\d+)\/(\d+)"/i.exec(html);
  if (meta) return [Number(meta[1]), Number(meta[2])];
  const text = /firstcode\D{0,8}(\d+)\D{1,32}secondcode\D{0,8}(\d+)/i.exec(html);
  return text ? [Number(text[1]), Number(text[2])] : undefined;
}

async function probeSecretWord(gateway: AssistGateway, timeoutMs: number): Promise<CredentialsStep> {
  const { config } = gateway;
  const step = (verdict: CredentialsVerdict, code?: string): CredentialsStep => ({
    name: 'order.cfm',
    proves: 'secret word and checkvalue mode',
    verdict,
    message: SECRET_MESSAGES[verdict] ?? '',
    ...(code ? { code } : {}),
  });
  const request = buildAssistPayment(config, {
    orderNumber: `kassa-check-${Date.now()}`,
    amount: parseMoney('1.00', config.currency),
    comment: 'Kassa: credentials check, not an order / проверка настроек, не заказ',
  });
  let response: Response;
  try {
    response = await fetch(request.form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(request.form.fields.map(([name, value]) => [name, value])).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    return step('unreachable');
  }
  const html = (await response.text()).slice(0, 64 * 1024);
  const pair = errorPair(html);
  if (pair?.[0] === 9) return step('wrong_secret', `${pair[0]}/${pair[1]}`);
  if (pair && pair[1] === 100) return step('wrong_merchant', `${pair[0]}/${pair[1]}`);
  if (pair) return step('unexpected', `${pair[0]}/${pair[1]}`);
  if (response.status >= 200 && response.status < 400) return step('ok');
  return step('unexpected', `HTTP ${response.status}`);
}

/** The first failing step decides the verdict; `unproven` lists what no step could prove. */
export async function checkAssistCredentials(
  gateway: AssistGateway,
  options: { timeoutMs?: number } = {},
): Promise<CredentialsReport> {
  const api = await gateway.checkCredentials();
  if (api.verdict === 'unreachable') return api;
  const secret = await probeSecretWord(gateway, options.timeoutMs ?? 5000);
  const steps = [...api.steps, secret];
  const failing = steps.find((s) => s.verdict !== 'ok');
  return {
    verdict: failing?.verdict ?? 'ok',
    steps,
    unproven: api.unproven.filter((u) => secret.verdict !== 'ok' || u !== 'secret word'),
  };
}
