import { generateKeyPairSync } from 'node:crypto';
import { isKassaError } from '@kassa/core';
import { describe, expect, test } from 'vitest';
import { parsePluginOptions } from '../src/lib/options';

const valid = { login: 'shop', password1: 'p1', password2: 'p2', algorithm: 'sha256' };

function issues(input: unknown): string[] {
  try {
    parsePluginOptions(input);
  } catch (error) {
    if (!isKassaError(error, 'CONFIG_INVALID')) throw error;
    return (error.details.issues as Array<{ key: string }>).map((i) => i.key).sort();
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('plugin options', () => {
  test('resultUrl2Certificate must be a PEM certificate or public key and needs backendUrl', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const { medusa } = parsePluginOptions({
      ...valid,
      backendUrl: 'https://shop.example/',
      resultUrl2Certificate: pem,
    });
    expect(medusa.resultUrl2Certificate).toBe(pem);
    expect(medusa.backendUrl).toBe('https://shop.example');
    expect(issues({ ...valid, resultUrl2Certificate: pem })).toEqual(['backendUrl']);
    expect(issues({ ...valid, backendUrl: 'https://shop.example', resultUrl2Certificate: 'not a pem' })).toEqual([
      'resultUrl2Certificate',
    ]);
  });

  test('a minimal merchant gets the documented defaults', () => {
    const { robokassa, medusa } = parsePluginOptions(valid);
    expect(robokassa.login).toBe('shop');
    expect(robokassa.testMode).toBe(false);
    expect(robokassa.baseUrls.merchant).toBe('https://auth.robokassa.ru');
    expect(medusa.hold).toBe(false);
    expect(medusa.receipt).toBeUndefined();
    expect(medusa.reconcileAfterMinutes).toBe(10);
  });

  test('one error names every wrong or missing key, from core and from the Medusa settings', () => {
    expect(
      issues({
        login: '',
        password2: 'p2',
        algorithm: 'crc32',
        hold: 'yes',
        receipt: { tax: 'vat99', colour: 'red' },
        surprise: true,
      }),
    ).toEqual(['algorithm', 'hold', 'login', 'password1', 'receipt.colour', 'receipt.tax', 'surprise'].sort());
  });

  test('the error message never contains a password', () => {
    try {
      parsePluginOptions({ ...valid, password1: 'super-secret-value', testMode: true });
      throw new Error('expected CONFIG_INVALID');
    } catch (error) {
      expect(isKassaError(error, 'CONFIG_INVALID')).toBe(true);
      expect(String((error as Error).message)).not.toContain('super-secret-value');
      expect(JSON.stringify(error)).not.toContain('super-secret-value');
    }
  });

  test('test mode needs the test passwords, and holds are refused in test mode', () => {
    expect(issues({ ...valid, testMode: true })).toEqual(['testPassword1']);
    expect(issues({ ...valid, testMode: true, testPassword1: 't1', testPassword2: 't2', hold: true })).toEqual([
      'hold',
    ]);
  });

  test('receipt VAT codes must belong to the shop country', () => {
    expect(issues({ ...valid, country: 'KZ', receipt: { tax: 'vat20' } })).toEqual(['receipt.tax']);
    expect(parsePluginOptions({ ...valid, country: 'KZ', receipt: { tax: 'vat12' } }).medusa.receipt?.tax).toBe(
      'vat12',
    );
  });

  test('keys Medusa adds to provider options (database) are not the merchant’s and are ignored', () => {
    expect(parsePluginOptions({ ...valid, database: { clientUrl: 'postgres://x' } }).robokassa.login).toBe('shop');
  });
});
