import type { Sandbox } from '@kassa/sandbox';
import type { Api } from './checkout';

/** The merchant of integration-tests/app/medusa-config.ts, as the sandbox must know it. */
export const MERCHANT = {
  login: 'kassa-test-shop',
  password1: 'test-shop-password-1',
  password2: 'test-shop-password-2',
  testPassword1: 'test-shop-test-password-1',
  testPassword2: 'test-shop-test-password-2',
  password3: 'test-shop-password-3-refunds',
  algorithm: 'sha256',
} as const;

export const PROVIDERS = {
  capture: 'pp_robokassa_robokassa',
  hold: 'pp_robokassa_robokassa-hold',
  holdResult2: 'pp_robokassa_robokassa-hold-result2',
  test: 'pp_robokassa_robokassa-test',
} as const;

/** The merchant's cabinet settings in the sandbox: ResultURL (POST), SuccessURL and FailURL on this Medusa. */
export function registerMerchant(sandbox: Sandbox, api: Api): void {
  const base = api.defaults.baseURL ?? '';
  sandbox.admin.upsertMerchant({
    ...MERCHANT,
    resultUrl: `${base}/robokassa/result`,
    resultMethod: 'POST',
    successUrl: `${base}/robokassa/success`,
    failUrl: `${base}/robokassa/fail`,
  });
}
