import config from '../app/medusa-config';

/**
 * The integration shop (../app) with the admin switched on, for the browser test of the plugin's admin extensions
 * (admin.browser.test.ts). The dashboard loads the built plugin's extensions (`@kassa/medusa/admin`) exactly as in a
 * shop; the test boots it in development mode, so Vite serves the dashboard without a production build.
 *
 * Medusa's test runner switches the admin off with `Object.assign(config.admin, { disable: true })`; the property
 * below ignores that write, so this one app keeps its dashboard.
 */
const admin = { ...config.admin, path: '/app' as const };
Object.defineProperty(admin, 'disable', { enumerable: true, get: () => false, set: () => {} });

export default { ...config, admin };
