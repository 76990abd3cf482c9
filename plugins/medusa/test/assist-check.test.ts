import { AssistGateway, createAssistConfig } from '@kassa/core/assist';
import { type Sandbox, startSandbox } from '@kassa/sandbox';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkAssistCredentials } from '../src/lib/assist-check';

const merchant = {
  merchantId: '777001',
  secretWord: 'check-secret-word',
  login: 'check_ws_user',
  password: 'check-ws-password',
};

/** The admin's "check credentials" for Assist (the route only calls `checkAssistCredentials`). */
describe('Assist "check credentials" against the sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ assistMerchants: [{ ...merchant, checkvalueMode: 'semicolon' }] });
  });
  afterAll(() => sandbox.stop());

  const check = (overrides: Record<string, unknown>) =>
    checkAssistCredentials(
      new AssistGateway(createAssistConfig({ ...merchant, testMode: true, baseUrl: sandbox.url, ...overrides })),
      { timeoutMs: 2000 },
    );
  const steps = (report: Awaited<ReturnType<typeof check>>) => report.steps.map((s) => `${s.name}:${s.verdict}`);

  test('right merchant, secret word and web-service user: ok, nothing unproven', async () => {
    const report = await check({});
    expect(report.verdict).toBe('ok');
    expect(steps(report)).toEqual(['orderstate:ok', 'order.cfm:ok']);
    expect(report.unproven).toEqual([]);
  });

  test('a wrong secret word, or the other checkvalue mode, is told apart', async () => {
    const wrong = await check({ secretWord: 'not-the-word' });
    expect(wrong.verdict).toBe('wrong_secret');
    expect(steps(wrong)).toEqual(['orderstate:ok', 'order.cfm:wrong_secret']);
    expect(wrong.unproven).toEqual(['secret word']);
    expect((await check({ checkvalueMode: 'concat' })).verdict).toBe('wrong_secret');
  });

  test('a wrong Merchant_ID and a wrong web-service login or password are told apart', async () => {
    expect((await check({ merchantId: '777002' })).verdict).toBe('wrong_merchant');
    expect((await check({ login: 'someone_else' })).verdict).toBe('wrong_api_login');
    expect((await check({ password: 'not-the-password' })).verdict).toBe('wrong_api_login');
  });

  test('an unreachable host says so, and no message carries a secret', async () => {
    const report = await check({ baseUrl: 'http://127.0.0.1:9' });
    expect(report.verdict).toBe('unreachable');
    const text = JSON.stringify(report);
    for (const secret of [merchant.secretWord, merchant.password, merchant.login]) expect(text).not.toContain(secret);
  });
});
