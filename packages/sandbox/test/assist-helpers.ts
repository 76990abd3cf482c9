import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AssistMerchantInput, SandboxOptions } from '../src/index.js';
import { type Received, startShop, testSandbox } from './helpers.js';

/** Assist test helpers: checkvalues computed here with node:crypto, never with the sandbox's own code. */

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

export function assistCheckvalue(salt: string, x: string): string {
  return md5((md5(salt) + md5(x)).toUpperCase()).toUpperCase();
}

export interface AssistVector {
  id: string;
  origin: string;
  kind: string;
  verified: boolean;
  inputs: Record<string, string>;
  expected: unknown;
}

export function loadAssistVectors(): AssistVector[] {
  return JSON.parse(readFileSync(new URL('./vectors/assist.json', import.meta.url), 'utf8')).vectors;
}

export const ASSIST = {
  merchantId: '679471',
  name: 'Тестовый магазин Assist',
  secretWord: 'assist-secret',
  login: 'shop_login',
  password: 'shop-password-1',
} as const;

/** A signed order.cfm request in the `;` mode with the usual four fields. */
export function assistOrder(
  orderNumber: string,
  orderAmount = '100.00',
  extra: Array<[string, string]> = [],
  options: { currency?: string | undefined; salt?: string; merchantId?: string } = {},
): Array<[string, string]> {
  const merchantId = options.merchantId ?? ASSIST.merchantId;
  const currency = 'currency' in options ? options.currency : 'RUB';
  const x = [merchantId, orderNumber, orderAmount, ...(currency ? [currency] : [])].join(';');
  return [
    ['Merchant_ID', merchantId],
    ['OrderNumber', orderNumber],
    ['OrderAmount', orderAmount],
    ...(currency ? ([['OrderCurrency', currency]] as Array<[string, string]>) : []),
    ...extra,
    ['Checkvalue', assistCheckvalue(options.salt ?? ASSIST.secretWord, x)],
  ];
}

/** The reply of a correct merchant: `pushpaymentresult` with firstcode 0 echoing billnumber and packetdate. */
export function pushOk(req: Received): { body: string } {
  const p = req.params;
  return {
    body: `<?xml version="1.0" encoding="UTF-8"?>
<pushpaymentresult firstcode="0" secondcode="0"><order><billnumber>${p.get('billnumber')}</billnumber><packetdate>${p.get(
      'packetdate',
    )}</packetdate></order></pushpaymentresult>`,
  };
}

/** A sandbox with one Assist merchant whose notifications go to a recording test shop. */
export async function assistSetup(
  reply: Parameters<typeof startShop>[0] = pushOk,
  merchant: Partial<AssistMerchantInput> = {},
  options: SandboxOptions = {},
) {
  const shop = await startShop(reply);
  const sandbox = await testSandbox({
    assistMerchants: [
      {
        ...ASSIST,
        notifyUrl: `${shop.url}/assist/notify`,
        returnUrlOk: `${shop.url}/ok`,
        returnUrlNo: `${shop.url}/no`,
        ...merchant,
      },
    ],
    assistRetryBackoffMs: 0,
    ...options,
  });
  return { shop, sandbox };
}

/** Web-service form fields with the merchant's credentials. */
export function ws(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams({
    Merchant_ID: ASSIST.merchantId,
    Login: ASSIST.login,
    Password: ASSIST.password,
    Format: '3',
    ...fields,
  });
}

export function codesOf(xml: string): { firstcode: number; secondcode: number } {
  const m = /<result firstcode="(\d+)" secondcode="(\d+)"/.exec(xml);
  return { firstcode: Number(m?.[1]), secondcode: Number(m?.[2]) };
}

export function tag(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1] ?? '');
}

/** The `first/second` code pair of order.cfm's error page, or undefined for a payment page. */
export function assistErrorOf(html: string): string | undefined {
  return /<meta name="assist-error" content="([\d/]+)">/.exec(html)?.[1];
}

export function billOf(html: string): string | undefined {
  return /data-bill-number="(\d+)"/.exec(html)?.[1];
}
