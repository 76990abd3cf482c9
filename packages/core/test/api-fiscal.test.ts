import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { hashHex } from '../src/hash.js';
import {
  attachSecondReceipt,
  fiscalBody,
  getReceiptStatus,
  type SecondReceiptInput,
  secondReceiptJson,
} from '../src/robokassa/api/fiscal.js';
import { type FakeRobokassa, failure, startFakeRobokassa } from './support/fake-robokassa.js';
import { loadVectors } from './support/vectors.js';

const rub = (minor: bigint) => ({ currency: 'RUB' as const, minor });

describe('RoboFiscal body (§3.9) pinned by the docs vectors', () => {
  const vectors = loadVectors();
  const hashVector = vectors.find((v) => v.expected === '3001586201143da4232896c44244bdbb');
  const sigVector = vectors.find((v) => v.expected.startsWith('MzAwMTU4'));

  test('hash(base64(payload) + Password1) and the base64 of its hex', () => {
    if (!hashVector || !sigVector) throw new Error('second-receipt vectors missing');
    const payloadB64 = hashVector.inputs.payload_base64 ?? '';
    const password = hashVector.inputs.password1 ?? '';
    expect(hashHex('md5', payloadB64 + password)).toBe(hashVector.expected);
    const json = Buffer.from(payloadB64, 'base64').toString('utf8');
    expect(fiscalBody({ json, password1: password, algorithm: 'md5', alphabet: 'base64' })).toBe(
      `${payloadB64}.${sigVector.expected}`,
    );
  });

  test('base64url (our default) differs only in the alphabet and never has padding', () => {
    if (!hashVector) throw new Error('vector missing');
    const json = Buffer.from(hashVector.inputs.payload_base64 ?? '', 'base64').toString('utf8');
    const url = fiscalBody({ json, password1: 'robokassatest', algorithm: 'md5' });
    const plain = fiscalBody({ json, password1: 'robokassatest', algorithm: 'md5', alphabet: 'base64' });
    expect(url).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(url.replace(/-/g, '+').replace(/_/g, '/').split('.')[0]).toBe(plain.split('.')[0]);
  });
});

describe('second receipt against the fake', () => {
  let fake: FakeRobokassa;
  beforeAll(async () => {
    fake = await startFakeRobokassa();
    fake.operations.set(13, { stateCode: 100 });
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(() => {
    expect(fake.problems).toEqual([]);
  });

  const receipt: SecondReceiptInput = {
    id: 14,
    originId: 13,
    sno: 'osn',
    url: 'https://www.robokassa.ru/',
    total: rub(10050n),
    items: [
      { name: 'Товар', quantity: 1, sum: rub(10000n), tax: 'none', payment_object: 'commodity' },
      { name: 'Доставка', quantity: '0.5', sum: '0.50', tax: 'none' },
    ],
    client: { email: 'test@test.ru', phone: '71234567890' },
    vats: [{ type: 'none', sum: rub(0n) }],
  };

  test('Attach: documented key order, exact JSON numbers, default prepayment credit, signed body', async () => {
    expect(await attachSecondReceipt(fake.config, receipt)).toEqual({
      resultCode: 0,
      description: 'ok',
      opKey: 'fiscal-op-key',
    });
    expect(fake.receipts.get('14')).toBe(
      '{"merchantId":"login","id":"14","originId":"13","operation":"sell","sno":"osn","url":"https://www.robokassa.ru/","total":100.5,"items":[{"name":"Товар","quantity":1,"sum":100,"tax":"none","payment_method":"full_payment","payment_object":"commodity"},{"name":"Доставка","quantity":0.5,"sum":0.5,"tax":"none","payment_method":"full_payment"}],"client":{"email":"test@test.ru","phone":"71234567890"},"payments":[{"type":2,"sum":100.5}],"vats":[{"type":"none","sum":0}]}',
    );
    const request = fake.requests.findLast((r) => r.endpoint === 'Receipt/Attach');
    expect(request?.path).toBe('/RoboFiscal/Receipt/Attach');
    expect(request?.contentType).toMatch(/^application\/json/);
    expect(request?.body).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(request?.body).toBe(fiscalBody({ json: fake.receipts.get('14') ?? '', password1: 'p1', algorithm: 'md5' }));
  });

  test('the plain base64 alphabet is accepted too', async () => {
    await attachSecondReceipt(fake.config, { ...receipt, id: 15 }, { alphabet: 'base64' });
    expect(fake.receipts.has('15')).toBe(true);
  });

  test('a JSON string payload is sent verbatim', async () => {
    const json =
      '{"merchantId":"login","id":"16","originId":"13","operation":"sell","total":1,"items":[{"name":"x","quantity":1,"sum":1,"tax":"none"}],"payments":[{"type":2,"sum":1}]}';
    await attachSecondReceipt(fake.config, json);
    expect(fake.receipts.get('16')).toBe(json);
  });

  test('items that do not add up → RECEIPT_TOTAL_MISMATCH before any request', async () => {
    const before = fake.hits('Receipt/Attach');
    const error = await failure(attachSecondReceipt(fake.config, { ...receipt, id: 17, total: rub(10000n) }));
    expect(error.code).toBe('RECEIPT_TOTAL_MISMATCH');
    expect(fake.hits('Receipt/Attach')).toBe(before);
    expect(() => secondReceiptJson(fake.config, { ...receipt, items: [] })).toThrow(
      expect.objectContaining({ code: 'API_INPUT_INVALID' }),
    );
  });

  test('ResultCode 1000 (unknown merchant) and 3 (error) → FISCAL_REJECTED with the code', async () => {
    const unknown = await failure(attachSecondReceipt(fake.configWith({ login: 'other' }), { ...receipt, id: 18 }));
    expect(unknown.code).toBe('FISCAL_REJECTED');
    expect(unknown.details).toMatchObject({ endpoint: 'Receipt/Attach', code: 1000 });
    expect(String(unknown.details.description)).toContain('MerchantNotFoundException');
    const noOrigin = await failure(attachSecondReceipt(fake.config, { ...receipt, id: 19, originId: 999 }));
    expect(noOrigin.details).toMatchObject({ code: 3, description: 'Origin not found' });
  });

  test('Status: registered with the fiscal data; unknown → FISCAL_REJECTED 1000', async () => {
    await attachSecondReceipt(fake.config, { ...receipt, id: 20 });
    expect(await getReceiptStatus(fake.config, { id: 20 })).toEqual({
      status: 'registered',
      code: 2,
      description: 'Done',
      fnNumber: '9289000100348548',
      fiscalDocumentNumber: '135771',
      fiscalDocumentAttribute: '207899681',
      fiscalDate: undefined,
      fiscalType: undefined,
    });
    const error = await failure(getReceiptStatus(fake.config, { id: 21 }));
    expect(error.code).toBe('FISCAL_REJECTED');
    expect(error.details).toMatchObject({ code: 1000, description: 'Error' });
  });

  test('Status codes 1 and 3 are answers (waiting, failed); a non-JSON reply is GATEWAY_BAD_RESPONSE', async () => {
    fake.override('Receipt/Status', {
      status: 200,
      contentType: 'application/json',
      body: '{"Code":1,"Description":"Wait"}',
    });
    expect(await getReceiptStatus(fake.config, { id: 22 })).toMatchObject({ status: 'waiting', code: 1 });
    fake.override('Receipt/Status', {
      status: 200,
      contentType: 'application/json',
      body: '{"Code":"3","Description":"Err"}',
    });
    expect(await getReceiptStatus(fake.config, { id: 22 })).toMatchObject({ status: 'failed', code: 3 });
    fake.override('Receipt/Status', { status: 200, body: 'Bad Gateway' });
    expect((await failure(getReceiptStatus(fake.config, { id: 22 }))).code).toBe('GATEWAY_BAD_RESPONSE');
  });
});
