import { notificationCheckvalue } from '@kassa/core/assist';
import type { Sandbox } from '@kassa/sandbox';
import type { MedusaContainer } from '@medusajs/framework/types';
import { updateRegionsWorkflow } from '@medusajs/medusa/core-flows';
import type { AssistSessionData as ProviderSessionData } from '../../src/lib/assist-session';
import type { Api, Checkout } from './checkout';
import { PROVIDERS } from './merchant';
import type { SeededShop } from './seed';

/** The Assist merchant of integration-tests/app/medusa-config.ts, as the sandbox must know it. */
export const ASSIST_MERCHANT = {
  merchantId: '679471',
  secretWord: 'assist-test-secret-word',
  login: 'kassa_ws_user',
  password: 'assist-ws-password',
  checkvalueMode: 'semicolon',
} as const;

export const ASSIST_PROVIDERS = { capture: 'pp_assist_assist', hold: 'pp_assist_assist-hold' } as const;

/** A declining test card of the sandbox (responsecode AS100). */
export const DECLINED_CARD = '4000000000000002';

/** The provider's session data as the Store API returns it (the plugin's own type, and whatever else it carries). */
export type AssistSessionData = ProviderSessionData & { [key: string]: unknown };

export type AssistCheckout = Omit<Checkout, 'data'> & { data: AssistSessionData };

/** The merchant's personal-account settings in the sandbox: notifications and returns to this Medusa. */
export function registerAssistMerchant(sandbox: Sandbox, api: Api): void {
  const base = api.defaults.baseURL ?? '';
  sandbox.admin.assist.upsertMerchant({
    ...ASSIST_MERCHANT,
    notifyUrl: `${base}/assist/notification`,
    returnUrlOk: `${base}/assist/return/ok`,
    returnUrlNo: `${base}/assist/return/no`,
  });
}

/** The seeded region also offers the two Assist providers. */
export async function offerAssist(container: MedusaContainer, shop: SeededShop): Promise<void> {
  await updateRegionsWorkflow(container).run({
    input: {
      selector: { id: shop.regionId },
      update: {
        payment_providers: [...Object.values(PROVIDERS), ...Object.values(ASSIST_PROVIDERS)],
      },
    },
  });
}

/** The buyer on the sandbox's payment page: the shop's signed form is submitted, then Pay / Decline / Abandon. */
export async function payAssist(
  sandbox: Sandbox,
  checkout: AssistCheckout,
  options: Omit<Parameters<Sandbox['admin']['assist']['pay']>[0], 'params' | 'url' | 'billNumber' | 'formBody'> = {},
) {
  const params = checkout.data.form.fields.map((f) => [f.name, f.value] as [string, string]);
  const outcome = await sandbox.admin.assist.pay({ params, waitFor: 'delivery', ...options });
  if (!outcome.ok) throw new Error(`sandbox refused the payment: ${JSON.stringify(outcome)}`);
  return outcome;
}

/** A notification as Assist posts it (§2.1), signed with `secretWord` over the values given. */
export function assistNotification(
  fields: {
    orderNumber: string;
    billNumber: string;
    amount: string;
    currency?: string;
    orderState?: string;
    merchantId?: string;
  },
  secretWord: string = ASSIST_MERCHANT.secretWord,
): string {
  const parts = {
    merchant_id: fields.merchantId ?? ASSIST_MERCHANT.merchantId,
    ordernumber: fields.orderNumber,
    amount: fields.amount,
    currency: fields.currency ?? 'RUB',
    orderstate: fields.orderState ?? 'Approved',
  };
  return new URLSearchParams({
    ...parts,
    billnumber: fields.billNumber,
    testmode: '1',
    orderamount: fields.amount,
    ordercurrency: parts.currency,
    responsecode: 'AS000',
    meantypename: 'VISA',
    packetdate: '04.12.2026 03:00:00',
    checkvalue: notificationCheckvalue(secretWord, parts),
  }).toString();
}
