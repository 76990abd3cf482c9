import { createRobokassaConfig, RobokassaGateway } from '@kassa/core/robokassa';
import { type Sandbox, startSandbox } from '@kassa/sandbox';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const merchant = { login: 'check-shop', password1: 'one-1', password2: 'two-2', algorithm: 'sha256' as const };

/** The admin's "check credentials" is the gateway's `checkCredentials` (the route only calls it). */
describe('admin "check credentials" against the sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ merchants: [merchant] });
  });
  afterAll(() => sandbox.stop());

  const check = (overrides: Record<string, unknown>) =>
    new RobokassaGateway(createRobokassaConfig({ ...merchant, baseUrl: sandbox.url, ...overrides })).checkCredentials();

  test('right login and Password #2: ok', async () => {
    const result = await check({});
    expect(result.verdict).toBe('ok');
    expect(result.steps.map((s) => `${s.name}:${s.verdict}`)).toEqual(['GetCurrencies:ok', 'OpStateExt:ok']);
  });

  test('a shop id Robokassa does not know is told apart from a wrong password', async () => {
    expect((await check({ login: 'no-such-shop' })).verdict).toBe('wrong_merchant');
    expect((await check({ password2: 'not-it' })).verdict).toBe('wrong_secret');
    expect((await check({ algorithm: 'md5' })).verdict).toBe('wrong_secret');
  });

  test('an unreachable host says so, and no message carries a password', async () => {
    const result = await check({ password2: 'secret-two', baseUrl: 'http://127.0.0.1:9' });
    expect(result.verdict).toBe('unreachable');
    expect(JSON.stringify(result)).not.toContain('secret-two');
  });
});
