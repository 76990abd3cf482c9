import { isKassaError } from '@kassa/core';
import { ASSIST_DEFAULT_HOSTS } from '@kassa/core/assist';
import { describe, expect, test } from 'vitest';
import { parseAssistOptions } from '../src/lib/options-assist';

const valid = { merchantId: '679471', secretWord: 'salt', login: 'ws_user_01', password: 'ws-password' };

function issues(input: unknown): string[] {
  try {
    parseAssistOptions(input);
  } catch (error) {
    if (!isKassaError(error, 'CONFIG_INVALID')) throw error;
    return [...new Set((error.details.issues as Array<{ key: string }>).map((i) => i.key))].sort();
  }
  throw new Error('expected CONFIG_INVALID');
}

function message(input: unknown): string {
  try {
    parseAssistOptions(input);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('Assist provider options', () => {
  test('a minimal merchant gets the documented defaults: live RU host, semicolon mode, RUB, no hold', () => {
    const { assist, medusa } = parseAssistOptions(valid);
    expect(assist.merchantId).toBe('679471');
    expect(assist.baseUrl).toBe(ASSIST_DEFAULT_HOSTS.RU.live);
    expect(assist.checkvalueMode).toBe('semicolon');
    expect(assist.currency).toBe('RUB');
    expect(assist.testMode).toBe(false);
    expect(medusa.hold).toBe(false);
    expect(medusa.reconcileAfterMinutes).toBe(10);
    expect(medusa.expireAfterHours).toBe(48);
    expect(medusa.description).toBe('Оплата заказа');
  });

  test('secrets become Secrets that print as ***', () => {
    const { assist } = parseAssistOptions(valid);
    expect(String(assist.secretWord)).toBe('***');
    expect(JSON.stringify(assist)).not.toContain('salt');
    expect(JSON.stringify(assist)).not.toContain('ws-password');
    expect(assist.secretWord.reveal()).toBe('salt');
  });

  test('Belarus: BYN by default and the paysec.by hosts; any documented currency may be chosen', () => {
    expect(parseAssistOptions({ ...valid, region: 'BY' }).assist).toMatchObject({
      currency: 'BYN',
      baseUrl: ASSIST_DEFAULT_HOSTS.BY.live,
    });
    expect(parseAssistOptions({ ...valid, region: 'BY', testMode: true }).assist.baseUrl).toBe(
      ASSIST_DEFAULT_HOSTS.BY.test,
    );
    expect(parseAssistOptions({ ...valid, currency: 'BYN' }).assist.currency).toBe('BYN');
    expect(issues({ ...valid, currency: 'GBP' })).toEqual(['currency']);
  });

  test('host and test host: baseUrl is the live host, testBaseUrl is used only in test mode', () => {
    const hosts = { baseUrl: 'https://payments148.paysecure.ru/', testBaseUrl: 'http://127.0.0.1:8787' };
    expect(parseAssistOptions({ ...valid, ...hosts }).assist.baseUrl).toBe('https://payments148.paysecure.ru');
    expect(parseAssistOptions({ ...valid, ...hosts, testMode: true }).assist.baseUrl).toBe('http://127.0.0.1:8787');
    expect(parseAssistOptions({ ...valid, testMode: true }).assist.baseUrl).toBe(ASSIST_DEFAULT_HOSTS.RU.test);
    expect(issues({ ...valid, testBaseUrl: 'not a url' })).toEqual(['testBaseUrl']);
  });

  test('checkvalue mode concat, hold, and Medusa settings are taken as given', () => {
    const { assist, medusa } = parseAssistOptions({
      ...valid,
      checkvalueMode: 'concat',
      hold: true,
      backendUrl: 'https://shop.example/',
      storefront: { successUrl: 'https://s/ok', failUrl: 'https://s/no' },
      reconcileAfterMinutes: 3,
      database: { clientUrl: 'postgres://injected-by-medusa' },
    });
    expect(assist.checkvalueMode).toBe('concat');
    expect(medusa.hold).toBe(true);
    expect(medusa.backendUrl).toBe('https://shop.example');
    expect(medusa.reconcileAfterMinutes).toBe(3);
  });

  test('one error names every wrong or missing key, from core and from the Medusa settings', () => {
    expect(
      issues({
        merchantId: 'abc',
        checkvalueMode: 'pipe',
        hold: 'yes',
        storefront: { successUrl: 'x' },
        surprise: true,
      }),
    ).toEqual(['checkvalueMode', 'hold', 'merchantId', 'secretWord', 'storefront.failUrl', 'surprise'].sort());
  });

  test('the web-service user is required (returns, holds, refunds and reconciliation need it) and goes in pairs', () => {
    expect(issues({ merchantId: '1', secretWord: 's' })).toEqual(['login', 'password']);
    expect(issues({ ...valid, password: undefined })).toEqual(['password']);
  });

  test('not an object is refused', () => {
    expect(issues(null)).toEqual(['(root)']);
    expect(issues([valid])).toEqual(['(root)']);
  });

  test('the error message never contains a secret', () => {
    const text = message({ ...valid, secretWord: 'super-secret-salt', password: 'pw-value-x', merchantId: 'x' });
    expect(text).toContain('merchantId');
    expect(text).not.toContain('super-secret-salt');
    expect(text).not.toContain('pw-value-x');
  });
});
