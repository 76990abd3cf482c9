import { startStorefront } from '../storefront/server.mts';

/** Parts of the storefront that need no Medusa behind it. */
describe('storefront', () => {
  test('has a favicon (no 404 in every page load)', async () => {
    const storefront = await startStorefront({ medusaUrl: 'http://127.0.0.1:9', publishableKey: 'pk_test' });
    try {
      for (const icon of ['/favicon.ico', '/favicon.svg']) {
        const response = await fetch(`${storefront.url}${icon}`);
        expect([icon, response.status, response.headers.get('content-type')]).toEqual([icon, 200, 'image/svg+xml']);
        expect(await response.text()).toMatch(/^<svg /);
      }
      const missing = await fetch(`${storefront.url}/nowhere`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toContain('<link rel="icon" href="/favicon.svg"');
    } finally {
      await storefront.close();
    }
  });
});
