import { describe, expect, it } from 'vitest';
import { gatewayMode, isUnreachableFromInternet } from '../src/admin/lib/environment';
import { formatDateTime, formatMoney, methodName, stateLabel } from '../src/admin/lib/format';
import { translator } from '../src/admin/lib/i18n';

const ru = translator('ru');
const en = translator('en');
// Intl separates thousands and the symbol with no-break spaces (U+00A0 / U+202F): compare on plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('money as Medusa formats it, in the admin language', () => {
  it('formats roubles the Russian way and the English way', () => {
    expect(plain(formatMoney('1534.50', 'RUB', 'ru'))).toBe('1 534,50 ₽');
    expect(plain(formatMoney('1534.50', 'RUB', 'en'))).toBe('₽1,534.50');
    expect(plain(formatMoney('100', 'rub', 'ru'))).toBe('100,00 ₽');
  });

  it('shows the fee of six decimals as money', () => {
    expect(plain(formatMoney('0.000000', 'RUB', 'ru'))).toBe('0,00 ₽');
    expect(plain(formatMoney('12.345000', 'RUB', 'ru'))).toBe('12,35 ₽');
    expect(plain(formatMoney('12.344999', 'RUB', 'ru'))).toBe('12,34 ₽');
  });

  it('keeps every kopeck of a large amount (no float on the way)', () => {
    expect(plain(formatMoney('90071992547409.93', 'RUB', 'ru'))).toBe('90 071 992 547 409,93 ₽');
  });

  it('reads RUR as roubles and leaves an unknown input visible', () => {
    expect(plain(formatMoney('1.00', 'RUR', 'ru'))).toBe('1,00 ₽');
    expect(formatMoney('abc', 'RUB', 'ru')).toBe('abc RUB');
  });

  it('formats dates in the admin language', () => {
    expect(formatDateTime('2026-12-04T03:10:00.000Z', 'ru')).toMatch(/2026/);
    expect(formatDateTime('not a date', 'ru')).toBe('not a date');
  });
});

describe('people’s words', () => {
  it('names states', () => {
    expect(stateLabel('partially_refunded', ru)).toBe('частично возвращён');
    expect(stateLabel('pending', ru)).toBe('ожидает оплаты');
    expect(stateLabel('paid', en)).toBe('paid');
    expect(stateLabel('weird', ru)).toBe('неизвестное состояние (weird)');
  });

  it('names payment methods by Robokassa IncCurrLabel, PaymentMethod or Assist mean type', () => {
    expect(methodName(['SBPPSR'], ru)).toBe('СБП');
    expect(methodName(['BankCardPSR', 'BankCard'], ru)).toBe('Банковская карта');
    expect(methodName([null, 'BankCard'], en)).toBe('Bank card');
    expect(methodName([null, null, 'VISA'], ru)).toBe('Банковская карта');
    expect(methodName(['YandexPayPSR'], ru)).toBe('Yandex Pay');
    expect(methodName(['RuRuBeelinePSR'], ru)).toBe('Счёт мобильного телефона');
    expect(methodName([null, 'EMoney'], ru)).toBe('Электронные деньги');
    expect(methodName(['SomethingNewPSR'], ru)).toBe('SomethingNewPSR');
    expect(methodName([null, undefined], ru)).toBe('—');
  });
});

describe('the mode from the gateway address actually used', () => {
  it('is a sandbox on any non-gateway host, whatever the test flag says', () => {
    expect(gatewayMode('http://127.0.0.1:4010/Merchant/Index.aspx', false)).toBe('sandbox');
    expect(gatewayMode('http://localhost:4010/', true)).toBe('sandbox');
    expect(gatewayMode('https://robokassa.example.com/', false)).toBe('sandbox');
  });

  it('is test or live on the real gateways', () => {
    expect(gatewayMode('https://auth.robokassa.ru/Merchant/Index.aspx', true)).toBe('test');
    expect(gatewayMode('https://auth.robokassa.ru/Merchant/Index.aspx', false)).toBe('live');
    expect(gatewayMode('https://test.paysecure.ru', false)).toBe('test');
    expect(gatewayMode('https://payments.paysecure.ru', false)).toBe('live');
    expect(gatewayMode('https://payments.paysec.by', true)).toBe('test');
  });
});

describe('URLs the gateway cannot reach', () => {
  it('flags local, private and bare hosts', () => {
    for (const url of [
      'http://localhost:9000/robokassa/result',
      'http://127.0.0.1:9000/x',
      'http://10.1.2.3/x',
      'http://172.20.0.5/x',
      'http://192.168.1.10/x',
      'http://169.254.1.1/x',
      'http://100.64.0.1/x',
      'http://[::1]:9000/x',
      'http://[fd00::1]/x',
      'http://medusa:9000/x',
      'http://shop.local/x',
      'not a url',
    ]) {
      expect(isUnreachableFromInternet(url), url).toBe(true);
    }
  });

  it('accepts public hosts', () => {
    for (const url of ['https://shop.example.ru/robokassa/result', 'https://172.32.0.1/x', 'https://8.8.8.8/x']) {
      expect(isUnreachableFromInternet(url), url).toBe(false);
    }
  });
});
