import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import { isKassaError, KassaError } from '../src/errors.js';
import { createRobokassaConfig, passwordsFor } from '../src/robokassa/config.js';
import { maskSecrets, Secret } from '../src/secret.js';

const valid = { login: 'shop', password1: 'pass-one-secret', password2: 'pass-two-secret' };

describe('createRobokassaConfig', () => {
  test('applies defaults: md5, RU hosts, production mode', () => {
    const c = createRobokassaConfig(valid);
    expect(c.algorithm).toBe('md5');
    expect(c.testMode).toBe(false);
    expect(c.baseUrls.merchant).toBe('https://auth.robokassa.ru');
    expect(createRobokassaConfig({ ...valid, country: 'KZ' }).baseUrls.merchant).toBe('https://auth.robokassa.kz');
    expect(createRobokassaConfig({ ...valid, baseUrl: 'http://127.0.0.1:9999/' }).baseUrls).toEqual({
      merchant: 'http://127.0.0.1:9999',
      services: 'http://127.0.0.1:9999',
      fiscal: 'http://127.0.0.1:9999',
    });
  });

  test('names every bad key in one error and never echoes a value', () => {
    let error: unknown;
    try {
      createRobokassaConfig({ login: '', password1: 'pass-one-secret', algorithm: 'crc32', testMode: true, extra: 1 });
    } catch (e) {
      error = e;
    }
    expect(isKassaError(error, 'CONFIG_INVALID')).toBe(true);
    const keys = ((error as KassaError).details.issues as Array<{ key: string }>).map((i) => i.key).sort();
    expect(keys).toEqual(expect.arrayContaining(['login', 'password2', 'algorithm', '(root)']));
    expect(JSON.stringify(error)).not.toContain('pass-one-secret');
    expect((error as Error).message).not.toContain('pass-one-secret');
  });

  test('test mode requires the test passwords', () => {
    expect(() => createRobokassaConfig({ ...valid, testMode: true })).toThrow(/testPassword1/);
    const c = createRobokassaConfig({ ...valid, testMode: true, testPassword1: 't1', testPassword2: 't2' });
    expect(passwordsFor(c, true).password1.reveal()).toBe('t1');
    expect(passwordsFor(c, false).password2.reveal()).toBe('pass-two-secret');
    const prod = createRobokassaConfig(valid);
    expect(() => passwordsFor(prod, true)).toThrow(KassaError);
  });
});

describe('Secret', () => {
  test('prints as *** everywhere', () => {
    const s = new Secret('hunter2');
    const c = createRobokassaConfig({ ...valid, password1: s });
    const printed = [String(s), `${s}`, JSON.stringify({ s }), inspect(s), inspect(c, { depth: 5 }), JSON.stringify(c)];
    for (const p of printed) expect(p).not.toContain('hunter2');
    expect(s.reveal()).toBe('hunter2');
    expect(maskSecrets('a:hunter2:b', [s])).toBe('a:***:b');
  });
});

describe('isInputErrorCode', () => {
  test('classifies the input codes every plugin maps to "invalid data"', async () => {
    const { isInputErrorCode, KASSA_ERROR_CODES, KASSA_INPUT_ERROR_CODES } = await import('../src/errors.js');
    for (const code of KASSA_INPUT_ERROR_CODES) expect(KASSA_ERROR_CODES).toContain(code);
    expect(isInputErrorCode('INVOICE_ID_OUT_OF_RANGE')).toBe(true);
    expect(isInputErrorCode('SHP_TOO_LONG')).toBe(true);
    expect(isInputErrorCode('API_INPUT_INVALID')).toBe(true);
    expect(isInputErrorCode('SIGNATURE_MISMATCH')).toBe(false);
    expect(isInputErrorCode('GATEWAY_TIMEOUT')).toBe(false);
    expect(isInputErrorCode('REFUND_REJECTED')).toBe(false);
  });
});
