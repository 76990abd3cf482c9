import { type Browser, chromium } from 'playwright-core';

/** The Chromium the browser tests drive (the system's; another with CHROMIUM_PATH). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * A headless Chromium for the file's tests, launched before them and closed after (with `cleanup`, e.g. the
 * sandbox's stop, in the same hook so nothing outlives the file). The returned getter reads the running browser.
 */
export function browserForSuite(cleanup?: () => Promise<void>): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await cleanup?.();
  });
  return () => {
    if (!browser) throw new Error('the browser is launched before the tests');
    return browser;
  };
}
