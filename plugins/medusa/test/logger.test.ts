import { KassaError, secret } from '@kassa/core';
import type { Logger as MedusaLogger } from '@medusajs/framework/types';
import { describe, expect, test } from 'vitest';
import { kassaLogger } from '../src/lib/logger';

function capture(): { lines: string[]; logger: MedusaLogger } {
  const lines: string[] = [];
  const push = (line: string) => {
    lines.push(line);
  };
  return { lines, logger: { info: push, warn: push, error: push } as unknown as MedusaLogger };
}

describe('kassaLogger: the plugin’s only logger cannot leak', () => {
  const password2 = 'merchant-password-two';

  test('a plain Error logs its name and message, not {}', () => {
    const { lines, logger } = capture();
    kassaLogger(logger, []).error('ON_PAID_FAILED', { invoiceId: '7', error: new Error('cart is locked') });
    expect(lines).toEqual([
      'robokassa ON_PAID_FAILED {"invoiceId":"7","error":{"name":"Error","message":"cart is locked"}}',
    ]);
    kassaLogger(logger, []).warn('X', { error: new KassaError('HOLD_REJECTED', 'expired') });
    expect(lines[1]).toContain('"code":"HOLD_REJECTED"');
  });

  test('the merchant’s passwords are masked wherever they appear, and sensitive keys are dropped', () => {
    const { lines, logger } = capture();
    const log = kassaLogger(logger, [secret(password2), undefined]);
    log.warn('SIGNATURE_MISMATCH', {
      detail: `base ended with ${password2}`,
      error: new Error(`connect failed for ${password2}`),
      SignatureValue: 'abcdef',
      Receipt: '{"items":[]}',
      nested: { jws: 'eyJ...', password: password2, note: [password2] },
    });
    const [line] = lines;
    expect(line).toMatch(/^robokassa SIGNATURE_MISMATCH /);
    expect(line).not.toContain(password2);
    expect(line).not.toContain('abcdef');
    expect(line).not.toContain('items');
    expect(line).not.toContain('eyJ');
    expect(line).toContain('***');
  });

  test('a throwing Medusa logger never breaks the caller', () => {
    const throwing = {
      error: () => {
        throw new Error('disk full');
      },
    } as unknown as MedusaLogger;
    expect(() => kassaLogger(throwing, []).error('X', {})).not.toThrow();
  });

  test('a level Medusa does not print is neither redacted nor formatted (a duplicate callback logs a replay at info)', () => {
    const { lines, logger } = capture();
    const atWarn = { ...logger, shouldLog: (level: string) => level !== 'info' } as unknown as MedusaLogger;
    let read = 0;
    const fields = {
      get invoiceId() {
        read += 1;
        return '7';
      },
    };
    const log = kassaLogger(atWarn, []);
    log.info('PAYMENT_REPLAY', fields);
    expect(read).toBe(0);
    expect(lines).toEqual([]);
    log.warn('CALLBACK_MALFORMED', fields);
    expect(lines).toEqual(['robokassa CALLBACK_MALFORMED {"invoiceId":"7"}']);
  });
});
