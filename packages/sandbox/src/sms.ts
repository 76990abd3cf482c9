import type { SandboxContext } from './context.js';
import { hashHex, hexEquals } from './hash.js';
import type { ParamBag } from './params.js';

/**
 * The auxiliary SMS API (§3.10): `GET /SMS/?login&phone&message&signature`, signed
 * `login:phone:message:Password1`, message at most 128 characters. The sandbox records the text and sends nothing.
 */
const json = (body: unknown) =>
  new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json; charset=utf-8' } });

export function sendSms(ctx: SandboxContext, bag: ParamBag): Response {
  const login = bag.get('login') ?? '';
  const merchant = ctx.store.merchants.get(login);
  if (!merchant) return json({ result: false, errorCode: 2, errorMessage: 'partner not found' });
  const phone = bag.get('phone') ?? '';
  const message = bag.get('message') ?? '';
  const expected = hashHex(merchant.algorithm, `${login}:${phone}:${message}:${merchant.password1}`);
  if (!hexEquals(expected, bag.get('signature') ?? '')) {
    return json({ result: false, errorCode: 1, errorMessage: 'invalid signature' });
  }
  if (!/^\d{10,15}$/.test(phone)) return json({ result: false, errorCode: 3, errorMessage: 'invalid phone' });
  if (message === '' || [...message].length > 128) {
    return json({ result: false, errorCode: 4, errorMessage: 'message must be 1 to 128 characters' });
  }
  ctx.store.sms.push({ merchant: login, phone, message, createdAt: ctx.now().toISOString() });
  ctx.store.changed();
  return json({ result: true, errorCode: 0, errorMessage: '', count: 1 });
}
