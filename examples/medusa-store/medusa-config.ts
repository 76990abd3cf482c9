import { randomBytes } from 'node:crypto';
import { ContainerRegistrationKeys, defineConfig, loadEnv } from '@medusajs/framework/utils';

loadEnv(process.env.NODE_ENV || 'development', process.cwd());

/**
 * Never a well-known secret (Medusa falls back to «supersecret»): JWT_SECRET / COOKIE_SECRET from the environment
 * (the demo makes them once per clone), else a random one for this process (logins then end with it).
 */
const secret = (name: 'JWT_SECRET' | 'COOKIE_SECRET'): string =>
  process.env[name] || randomBytes(32).toString('base64url');

const STOREFRONT_URL = process.env.STOREFRONT_URL ?? 'http://127.0.0.1:8000';

/**
 * Where the plugin's return routes send the buyer. The payment number ({inv_id}) is the one the gateway's page
 * showed; «вернуться в магазин» and a decline both come back through the fail URL, so the storefront says «not
 * completed», never «declined».
 */
const storefront = {
  successUrl: `${STOREFRONT_URL}/order/confirmed?cart_id={cart_id}&order_id={order_id}&inv_id={inv_id}`,
  failUrl: `${STOREFRONT_URL}/checkout?cart_id={cart_id}&payment=unfinished`,
};

/** What the gateway's page says the buyer is paying for, beside the payment number it shows. */
const SHOP_ORDER = 'Заказ в интернет-магазине «Kassa demo shop»';

/**
 * Robokassa settings, read once from the environment. The same object configures the plugin (routes, admin, ledger
 * module) and the payment provider. Passwords stay in env and never reach the storefront.
 */
const robokassa = {
  login: process.env.ROBOKASSA_LOGIN ?? 'demo',
  password1: process.env.ROBOKASSA_PASSWORD1 ?? 'demo-password-1',
  password2: process.env.ROBOKASSA_PASSWORD2 ?? 'demo-password-2',
  testPassword1: process.env.ROBOKASSA_TEST_PASSWORD1 || undefined,
  testPassword2: process.env.ROBOKASSA_TEST_PASSWORD2 || undefined,
  password3: process.env.ROBOKASSA_PASSWORD3 || undefined,
  algorithm: (process.env.ROBOKASSA_ALGORITHM ?? 'sha256') as 'sha256',
  testMode: process.env.ROBOKASSA_TEST_MODE === 'true',
  hold: process.env.ROBOKASSA_HOLD === 'true',
  baseUrl: process.env.ROBOKASSA_BASE_URL || undefined,
  backendUrl: process.env.MEDUSA_BACKEND_URL || undefined,
  receipt: { sno: 'usn_income' as const, tax: 'none', shippingTax: 'none' },
  description: SHOP_ORDER,
  storefront,
};

/**
 * Assist settings, likewise (`pp_assist_assist`). With ASSIST_BASE_URL (the demo's and the tests' sandbox) the
 * merchant is a test merchant on that host; unset, Assist's own test host (ASSIST_TEST_MODE=false: live).
 */
const assist = {
  merchantId: process.env.ASSIST_MERCHANT_ID ?? '100500',
  secretWord: process.env.ASSIST_SECRET_WORD ?? 'demo-assist-secret',
  login: process.env.ASSIST_LOGIN ?? 'demo_assist',
  password: process.env.ASSIST_PASSWORD ?? 'demo-assist-password',
  checkvalueMode: (process.env.ASSIST_CHECKVALUE_MODE ?? 'semicolon') as 'semicolon' | 'concat',
  testMode: process.env.ASSIST_TEST_MODE !== 'false',
  testBaseUrl: process.env.ASSIST_BASE_URL || undefined,
  backendUrl: process.env.MEDUSA_BACKEND_URL || undefined,
  description: SHOP_ORDER,
  storefront,
};

export default defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      storeCors: process.env.STORE_CORS ?? STOREFRONT_URL,
      adminCors: process.env.ADMIN_CORS ?? 'http://localhost:9000',
      authCors: process.env.AUTH_CORS ?? 'http://localhost:8000,http://localhost:9000',
      jwtSecret: secret('JWT_SECRET'),
      cookieSecret: secret('COOKIE_SECRET'),
    },
  },
  admin: { disable: process.env.MEDUSA_ADMIN_DISABLED === 'true' },
  plugins: [{ resolve: '@kassa/medusa', options: robokassa }],
  modules: [
    {
      resolve: '@medusajs/medusa/payment',
      // The provider builds the 54-FZ receipt from the cart through Query; a payment provider sees only its module's
      // container, so Query is declared as a dependency here.
      dependencies: [ContainerRegistrationKeys.QUERY],
      options: {
        providers: [
          { resolve: '@kassa/medusa/providers/robokassa', id: 'robokassa', options: robokassa },
          { resolve: '@kassa/medusa/providers/assist', id: 'assist', options: assist },
        ],
      },
    },
  ],
});
