import { randomBytes } from 'node:crypto';
import { ContainerRegistrationKeys, defineConfig, loadEnv } from '@medusajs/framework/utils';

loadEnv(process.env.NODE_ENV || 'development', process.cwd());

/**
 * Never a well-known secret (Medusa falls back to «supersecret»): JWT_SECRET / COOKIE_SECRET from the environment
 * (the demo makes them once per clone), else a random one for this process (logins then end with it).
 */
const secret = (name: 'JWT_SECRET' | 'COOKIE_SECRET'): string =>
  process.env[name] || randomBytes(32).toString('base64url');

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
  storefront: {
    successUrl: `${process.env.STOREFRONT_URL ?? 'http://localhost:8000'}/order/confirmed?cart_id={cart_id}&order_id={order_id}`,
    failUrl: `${process.env.STOREFRONT_URL ?? 'http://localhost:8000'}/checkout?cart_id={cart_id}&payment=failed`,
  },
};

export default defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      storeCors: process.env.STORE_CORS ?? 'http://localhost:8000',
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
        providers: [{ resolve: '@kassa/medusa/providers/robokassa', id: 'robokassa', options: robokassa }],
      },
    },
  ],
});
