import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  ASSIST_ORDER_STATE_EVENTS,
  ASSIST_ORDER_STATES,
  ASSIST_RETRY_LATER_REPLY,
  assistNotificationErrorReply,
  assistNotificationReply,
  createAssistConfig,
  parseAssistReturn,
  verifyAssistNotification,
} from '../../src/assist/index.js';
import { registerSecret } from '../support/capture-output.js';

const SALT = registerSecret('notify-Salt#Ёлка-3');
const config = createAssistConfig({ merchantId: '111111', secretWord: SALT });

/** Independent of the code under test: node:crypto directly. */
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const sign = (x: string) => md5((md5(SALT) + md5(x)).toUpperCase()).toUpperCase();

function body(overrides: Record<string, string> = {}, omit: string[] = []): string {
  const f: Record<string, string> = {
    merchant_id: '111111',
    ordernumber: 'Заказ-100',
    billnumber: '5775486650107611',
    testmode: '0',
    orderamount: '4.00',
    ordercurrency: 'RUB',
    amount: '4.00',
    currency: 'RUB',
    orderstate: 'Approved',
    responsecode: 'AS000',
    meantypename: 'VISA',
    meantype_id: '1',
    meannumber: '411111****1111',
    operationtype: '100',
    packetdate: '26.09.2016 23:08:37',
    signature: '',
    ...overrides,
  };
  f.checkvalue ??= sign(f.merchant_id! + f.ordernumber! + f.amount! + f.currency! + f.orderstate!);
  if (overrides.checkvalue) f.checkvalue = overrides.checkvalue;
  for (const k of omit) delete f[k];
  return new URLSearchParams(f).toString();
}

describe('verifyAssistNotification', () => {
  test('a genuine notification verifies and maps to an event', () => {
    const r = verifyAssistNotification(config, body());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.notification).toMatchObject({
      orderNumber: 'Заказ-100',
      billNumber: '5775486650107611',
      orderState: 'Approved',
      knownState: true,
      event: 'paid',
      amount: { currency: 'RUB', minor: 400n },
      testMode: false,
      operationType: 100,
    });
    expect(r.notification.fields.meannumber).toBe('411111****1111');
  });

  test('upper-case field names (matched case-insensitively), hold and decline states', () => {
    const upper = body({ orderstate: 'Delayed' }).replace('merchant_id=', 'Merchant_ID=').replace('amount=', 'AMOUNT=');
    const held = verifyAssistNotification(config, upper);
    expect(held.ok && held.notification.event).toBe('held');
    const declined = verifyAssistNotification(config, body({ orderstate: 'Declined', responsecode: 'AS100' }));
    expect(declined.ok && declined.notification.event).toBe('declined');
  });

  test('every field of §2.1 is accepted', () => {
    const all = body({
      ordercomment: 'тест',
      rate: '1',
      firstname: 'Иван',
      lastname: 'Иванов',
      middlename: 'И',
      email: 'a@b.ru',
      orderdate: '26.09.2016 23:00:00',
      message: 'ok',
      customermessage: 'ok',
      recommendation: '',
      approvalcode: 'F02118',
      meansubtype: 'Classic',
      cardholder: 'TEST',
      cardexpirationdate: '12/20',
      issuebank: 'BANK',
      bankcountry: 'Россия',
      ipaddress: '1.1.1.1',
      protocoltypename: 'NET',
      processingname: 'Fake',
      operationdate: '26.09.2016 23:08:37',
      slipno: '111',
      authresult: 'A',
      authrequired: '0',
      unknownfield: 'ignored',
    });
    expect(verifyAssistNotification(config, all).ok).toBe(true);
  });

  test('lower-case checkvalue and URLSearchParams / object input', () => {
    const b = body();
    const lower = new URLSearchParams(b);
    lower.set('checkvalue', lower.get('checkvalue')!.toLowerCase());
    expect(verifyAssistNotification(config, lower).ok).toBe(true);
    expect(verifyAssistNotification(config, Object.fromEntries(new URLSearchParams(b))).ok).toBe(true);
  });

  test.each([
    ['bad checkvalue', body({ checkvalue: '0'.repeat(32) }), 'signature_mismatch', 'SIGNATURE_MISMATCH', '9', '0'],
    [
      'amount changed',
      body().replace('amount=4.00&currency', 'amount=5.00&currency'),
      'signature_mismatch',
      'SIGNATURE_MISMATCH',
      '9',
      '0',
    ],
    ['another merchant', body({ merchant_id: '222222' }), 'merchant_mismatch', 'CALLBACK_MALFORMED', '5', '100'],
    ['billnumber missing', body({}, ['billnumber']), 'malformed', 'CALLBACK_MALFORMED', '3', '143'],
    ['amount as a float artefact', body({ amount: '4.0000001' }), 'malformed', 'CALLBACK_MALFORMED', '4', '108'],
    ['checkvalue missing', body({}, ['checkvalue']), 'malformed', 'CALLBACK_MALFORMED', '3', '0'],
    ['field twice', `${body()}&orderstate=Approved`, 'malformed', 'CALLBACK_MALFORMED', '4', '0'],
    ['empty body', '', 'malformed', 'CALLBACK_MALFORMED', '3', '100'],
  ])('%s → %s', (_name, input, reason, code, first, second) => {
    const r = verifyAssistNotification(config, input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe(reason);
    expect(r.code).toBe(code);
    expect(r.reply.body).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<pushpaymentresult firstcode="${first}" secondcode="${second}"></pushpaymentresult>`,
    );
    expect(r.detail).not.toContain(SALT);
  });

  test('test-mode mismatch when asked to check it', () => {
    const r = verifyAssistNotification(config, body({ testmode: '1' }), { expectTestMode: false });
    expect(!r.ok && r.reason).toBe('test_mode_mismatch');
    expect(verifyAssistNotification(config, body({ testmode: '1' }), { expectTestMode: true }).ok).toBe(true);
  });

  test('an unknown state verifies but is only pending', () => {
    const r = verifyAssistNotification(config, body({ orderstate: 'Cancel Error' }));
    expect(r.ok && r.notification.knownState).toBe(false);
    expect(r.ok && r.notification.event).toBe('pending');
  });
});

describe('replies: exact bytes', () => {
  test('success echoes billnumber and packetdate as received', () => {
    const r = verifyAssistNotification(config, body({ billnumber: '5775486650107611.1' }));
    if (!r.ok) throw new Error('expected ok');
    const reply = assistNotificationReply(r.notification);
    expect(reply.status).toBe(200);
    expect(reply.contentType).toBe('text/xml; charset=UTF-8');
    expect(reply.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<pushpaymentresult firstcode="0" secondcode="0">\n' +
        '  <order><billnumber>5775486650107611.1</billnumber><packetdate>26.09.2016 23:08:37</packetdate></order>\n' +
        '</pushpaymentresult>',
    );
    expect(Buffer.byteLength(reply.body, 'utf8')).toBe(reply.body.length);
  });

  test('a packetdate with markup is escaped', () => {
    const reply = assistNotificationReply({ billNumber: '1', fields: { packetdate: '<a&b>' } });
    expect(reply.body).toContain('<packetdate>&lt;a&amp;b&gt;</packetdate>');
  });

  test('error reply and retry-later', () => {
    expect(assistNotificationErrorReply(9, 0).body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<pushpaymentresult firstcode="9" secondcode="0"></pushpaymentresult>',
    );
    expect(() => assistNotificationErrorReply(0, 0)).toThrow(RangeError);
    expect(ASSIST_RETRY_LATER_REPLY.status).toBe(503);
    expect(ASSIST_RETRY_LATER_REPLY.body).not.toContain('pushpaymentresult');
  });
});

describe('state mapping', () => {
  test('every documented state maps to a gateway-neutral kind', () => {
    expect(Object.keys(ASSIST_ORDER_STATE_EVENTS).sort()).toEqual([...ASSIST_ORDER_STATES].sort());
    expect(ASSIST_ORDER_STATE_EVENTS).toEqual({
      'In Process': 'pending',
      Delayed: 'held',
      Approved: 'paid',
      PartialApproved: 'paid',
      PartialDelayed: 'paid',
      Canceled: 'cancelled',
      PartialCanceled: 'paid',
      Declined: 'declined',
      Timeout: 'declined',
    });
  });
});

describe('parseAssistReturn (never trusted)', () => {
  test('reads billnumber and ordernumber, URL-decoded', () => {
    const r = parseAssistReturn(
      'https://shop.example/ok?billnumber=5643835205157184&ordernumber=%D0%97%D0%B0%D0%BA%D0%B0%D0%B7+7&payerdenial=0',
      'ok',
    );
    expect(r).toEqual({
      trusted: false,
      outcome: 'ok',
      billNumber: '5643835205157184',
      orderNumber: 'Заказ 7',
      payerDenial: false,
    });
  });

  test('garbage becomes undefined, never an exception', () => {
    const r = parseAssistReturn('billnumber=abc&ordernumber=');
    expect(r).toEqual({
      trusted: false,
      outcome: 'unknown',
      billNumber: undefined,
      orderNumber: undefined,
      payerDenial: undefined,
    });
    expect(parseAssistReturn(new URLSearchParams('BillNumber=1234567890123456')).billNumber).toBe('1234567890123456');
  });
});
