import { describe, expect, it } from 'vitest';
import { secretName, verdictMessage } from '../src/admin/components/credentials-check';
import { ApiError, codeOf } from '../src/admin/lib/api';
import { errorMessage } from '../src/admin/lib/errors';
import { translator } from '../src/admin/lib/i18n';

const ru = translator('ru');
const en = translator('en');

describe('API errors as sentences with a next step', () => {
  it('reads the stable code the plugin puts in front of the message', () => {
    expect(codeOf('[GATEWAY_BAD_RESPONSE] OpStateExt answered … OpKey …')).toBe('GATEWAY_BAD_RESPONSE');
    expect(codeOf('Order not found')).toBeUndefined();
  });

  it('never shows the raw message', () => {
    const raw = '[GATEWAY_BAD_RESPONSE] Refund API answered 500 for OpKey 0005F891';
    const text = errorMessage(new ApiError(500, raw, codeOf(raw)), ru);
    expect(text).toBe('Платёжная система ответила непонятно. Ничего не изменилось; повторите через минуту.');
    expect(text).not.toContain('OpKey');
    expect(errorMessage(new ApiError(400, '[PASSWORD3_MISSING] …', 'PASSWORD3_MISSING'), en)).toMatch(
      /Password #3.*password3/,
    );
  });

  it('maps families of codes and HTTP statuses', () => {
    expect(errorMessage(new ApiError(400, '[MONEY_TOO_PRECISE] x', 'MONEY_TOO_PRECISE'), ru)).toBe(ru('error.MONEY'));
    expect(errorMessage(new ApiError(0, 'Failed to fetch'), ru)).toBe(ru('error.network'));
    expect(errorMessage(new ApiError(401, 'Unauthorized'), ru)).toBe(ru('error.session'));
    expect(errorMessage(new ApiError(403, 'x'), ru)).toBe(ru('error.forbidden'));
    expect(errorMessage(new ApiError(404, 'x'), ru)).toBe(ru('error.not_found'));
    expect(errorMessage(new ApiError(409, 'x'), ru)).toBe(ru('error.LEDGER_CONFLICT'));
    expect(errorMessage(new ApiError(502, 'x'), en)).toBe(
      'The server failed (502). Try again; if it repeats, look at the Medusa log.',
    );
    expect(errorMessage(new ApiError(400, '[SOMETHING_NEW] x', 'SOMETHING_NEW'), ru)).toBe(ru('error.bad_request'));
    expect(errorMessage(new Error('boom'), en)).toMatch(/^Something went wrong/);
  });
});

describe('credentials check in words', () => {
  it('tells the Assist failures apart', () => {
    expect(verdictMessage('wrong_merchant', 'assist', ru)).toMatch(/Merchant_ID/);
    expect(verdictMessage('wrong_secret', 'assist', ru)).toMatch(/Секретное слово/);
    expect(verdictMessage('wrong_api_login', 'assist', ru)).toMatch(/веб-сервисов/);
    expect(verdictMessage('unreachable', 'assist', ru)).toMatch(/недоступна/);
    expect(verdictMessage('wrong_secret', 'robokassa', ru)).toMatch(/Пароль №2/);
    expect(verdictMessage('brand_new', 'robokassa', en)).toBe(en('verdict.unexpected'));
  });

  it('names what was proved and what could not be, in Russian', () => {
    expect(secretName('Password #2 and the hash algorithm', ru)).toBe('Пароль №2 и алгоритм подписи');
    expect(secretName('secret word', ru)).toBe('секретное слово');
    expect(secretName('something else', ru)).toBe('something else');
  });
});
