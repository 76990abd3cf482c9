/**
 * Properties of the checkvalues, checked against an independent implementation (node:crypto directly), with
 * Cyrillic, emoji and form-special characters in every value.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  buildAssistPayment,
  createAssistConfig,
  notificationCheckvalue,
  verifyAssistNotification,
  verifyNotificationCheckvalue,
} from '../../src/assist/index.js';
import { registerSecret } from '../support/capture-output.js';

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const reference = (salt: string, x: string) => md5((md5(salt) + md5(x)).toUpperCase()).toUpperCase();

const SALT = registerSecret('prop-Соль#секрет-1');
const config = createAssistConfig({ merchantId: '123456', secretWord: SALT });

const special = fc.constantFrom('Ж', 'ё', ' ', '+', '&', '=', '%', ';', '€', '😀', '<', '"', "'", '#', '?');
const value = fc
  .array(fc.oneof(fc.string({ minLength: 1, maxLength: 3 }), special), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.join(''));

describe('payment checkvalue', () => {
  test('equals the reference over the semicolon-joined values as sent', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9А-Яа-я_-]{1,40}$/),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        (orderNumber, minor) => {
          const request = buildAssistPayment(config, { orderNumber, amount: { currency: 'RUB', minor } });
          const sent = new Map(request.form.fields);
          const x = ['123456', orderNumber, sent.get('OrderAmount'), 'RUB'].join(';');
          expect(request.checkvalueBase).toBe(x);
          expect(sent.get('Checkvalue')).toBe(reference(SALT, x));
          expect(sent.get('OrderAmount')).toMatch(/^\d+\.\d{2}$/);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('notification checkvalue: sign → verify round trip', () => {
  const fields = fc.record({
    ordernumber: value.filter((v) => v.length <= 128),
    amount: fc.bigInt({ min: 1n, max: 10n ** 10n }).map((m) => `${m / 100n}.${String(m % 100n).padStart(2, '0')}`),
    currency: fc.constantFrom('RUB', 'USD', 'EUR', 'BYN', 'KZT'),
    orderstate: fc.constantFrom('Approved', 'Delayed', 'Declined', 'In Process', 'Canceled'),
    billnumber: fc.stringMatching(/^\d{16}(\.\d)?$/),
    packetdate: fc.constant('26.09.2016 23:08:37'),
  });

  test('a body signed with the secret word verifies, through real form encoding', () => {
    fc.assert(
      fc.property(fields, fc.boolean(), (f, lower) => {
        const checkvalue = reference(SALT, `123456${f.ordernumber}${f.amount}${f.currency}${f.orderstate}`);
        expect(notificationCheckvalue(SALT, { merchant_id: '123456', ...f })).toBe(checkvalue);
        const body = new URLSearchParams({
          merchant_id: '123456',
          ...f,
          checkvalue: lower ? checkvalue.toLowerCase() : checkvalue,
        }).toString();
        const result = verifyAssistNotification(config, body);
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.notification.fields.ordernumber).toBe(f.ordernumber);
      }),
      { numRuns: 300 },
    );
  });

  test('changing one character of any signed value fails verification', () => {
    fc.assert(
      fc.property(
        fields,
        fc.constantFrom('ordernumber', 'amount', 'currency', 'orderstate', 'merchant_id') as fc.Arbitrary<
          'ordernumber' | 'amount' | 'currency' | 'orderstate' | 'merchant_id'
        >,
        fc.nat(),
        fc.constantFrom('0', '1', 'Я', 'x', ' '),
        (f, key, at, replacement) => {
          const parts = { merchant_id: '123456', ...f };
          const checkvalue = notificationCheckvalue(SALT, parts);
          const original = parts[key];
          const i = at % original.length;
          const changed = original.slice(0, i) + replacement + original.slice(i + 1);
          fc.pre(changed !== original);
          expect(verifyNotificationCheckvalue(SALT, { ...parts, [key]: changed }, checkvalue)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('one changed hex digit of the checkvalue fails', () => {
    fc.assert(
      fc.property(fields, fc.nat({ max: 31 }), (f, i) => {
        const parts = { merchant_id: '123456', ...f };
        const good = notificationCheckvalue(SALT, parts);
        const digit = good[i] === 'A' ? 'B' : 'A';
        expect(verifyNotificationCheckvalue(SALT, parts, good.slice(0, i) + digit + good.slice(i + 1))).toBe(false);
      }),
    );
  });

  test('a different secret word fails', () => {
    fc.assert(
      fc.property(fields, value, (f, other) => {
        fc.pre(other !== SALT);
        const parts = { merchant_id: '123456', ...f };
        expect(verifyNotificationCheckvalue(other, parts, notificationCheckvalue(SALT, parts))).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
