import { ContainerRegistrationKeys, defineConfig } from '@medusajs/framework/utils';

/**
 * The shop the integration tests boot: @kassa/medusa installed as a shop installs it (the built package), one
 * merchant, and four provider instances over it so one boot covers every mode: immediate capture, hold
 * (StepByStep), hold with ResultUrl2, and test mode with the test passwords. The sandbox's URL comes from the test through the env.
 */
const merchant = {
  login: 'kassa-test-shop',
  password1: 'test-shop-password-1',
  password2: 'test-shop-password-2',
  testPassword1: 'test-shop-test-password-1',
  testPassword2: 'test-shop-test-password-2',
  password3: 'test-shop-password-3-refunds',
  algorithm: 'sha256' as const,
  baseUrl: process.env.ROBOKASSA_BASE_URL,
  // Most suites check the order right after the gateway's OK, so the callback waits for it (the pre-outbox
  // behaviour); the outbox suite and the benchmark set KASSA_SETTLE_WAIT_MS to exercise the deferred path.
  settleWaitMs: Number(process.env.KASSA_SETTLE_WAIT_MS ?? 60_000),
  receipt: { sno: 'usn_income' as const, tax: 'none', shippingTax: 'none' },
  storefront: {
    successUrl: 'http://storefront.test/order/confirmed?cart_id={cart_id}&order_id={order_id}',
    failUrl: 'http://storefront.test/checkout?cart_id={cart_id}&payment=failed',
  },
};

/**
 * ResultUrl2: the test fetches the sandbox's certificate and fixes Medusa's port before boot. The plugin (whose
 * routes verify ResultUrl2) and one hold provider get it; the other providers stay without, so their flows are
 * unchanged.
 */
const resultUrl2 = process.env.ROBOKASSA_RESULT_URL2_CERT
  ? { backendUrl: process.env.ROBOKASSA_BACKEND_URL, resultUrl2Certificate: process.env.ROBOKASSA_RESULT_URL2_CERT }
  : {};

/**
 * The Assist merchant (sandbox test merchant: `testmode=1`, so the providers run in test mode against the sandbox
 * as their test host). Two providers over it: immediate payment and hold (`Delay=1`). The plugin's routes use the
 * first one's options (lib/options-source.ts).
 */
const assistMerchant = {
  merchantId: '679471',
  secretWord: 'assist-test-secret-word',
  login: 'kassa_ws_user',
  password: 'assist-ws-password',
  checkvalueMode: 'semicolon' as const,
  testMode: true,
  testBaseUrl: process.env.ASSIST_BASE_URL ?? 'http://127.0.0.1:9',
  settleWaitMs: Number(process.env.KASSA_SETTLE_WAIT_MS ?? 60_000),
  storefront: {
    successUrl: 'http://storefront.test/order/confirmed?cart_id={cart_id}&order_id={order_id}',
    failUrl: 'http://storefront.test/checkout?cart_id={cart_id}&payment=failed',
  },
};

/**
 * Medusa's locking: the in-memory default unless a test sets `KASSA_TEST_LOCKING=redis` (the two-instance test, where
 * several processes share the database and need a lock they all see; Redis at `REDIS_URL`, default 127.0.0.1:6379).
 */
const locking =
  process.env.KASSA_TEST_LOCKING === 'redis'
    ? [
        {
          resolve: '@medusajs/medusa/locking',
          options: {
            providers: [
              {
                resolve: '@medusajs/medusa/locking-redis',
                id: 'locking-redis',
                is_default: true,
                options: { redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
              },
            ],
          },
        },
      ]
    : [];

export default defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: { jwtSecret: 'test', cookieSecret: 'test', storeCors: '*', adminCors: '*', authCors: '*' },
  },
  admin: { disable: true },
  plugins: [{ resolve: '@kassa/medusa', options: { ...merchant, ...resultUrl2 } }],
  modules: [
    ...locking,
    {
      resolve: '@medusajs/medusa/payment',
      dependencies: [ContainerRegistrationKeys.QUERY],
      options: {
        providers: [
          { resolve: '@kassa/medusa/providers/robokassa', id: 'robokassa', options: merchant },
          { resolve: '@kassa/medusa/providers/robokassa', id: 'robokassa-hold', options: { ...merchant, hold: true } },
          {
            resolve: '@kassa/medusa/providers/robokassa',
            id: 'robokassa-hold-result2',
            options: { ...merchant, ...resultUrl2, hold: true },
          },
          {
            resolve: '@kassa/medusa/providers/robokassa',
            id: 'robokassa-test',
            options: { ...merchant, testMode: true },
          },
          { resolve: '@kassa/medusa/providers/assist', id: 'assist', options: assistMerchant },
          { resolve: '@kassa/medusa/providers/assist', id: 'assist-hold', options: { ...assistMerchant, hold: true } },
        ],
      },
    },
  ],
});
