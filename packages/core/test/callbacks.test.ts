import { describe, expect, test } from 'vitest';
import { hashHex } from '../src/hash.js';
import { Secret } from '../src/index.js';
import {
  callbackSignature,
  createRobokassaConfig,
  type HashAlgorithm,
  parseFailRedirect,
  type RobokassaConfig,
  verifyResultCallback,
  verifySuccessRedirect,
} from '../src/robokassa/index.js';
import { failRedirectParams, signResultCallback, signSuccessRedirect } from '../src/testing/index.js';
import { loadVectors } from './support/vectors.js';

function config(overrides: Record<string, unknown> = {}): RobokassaConfig {
  return createRobokassaConfig({
    login: 'demo',
    password1: 'password#1',
    password2: 'password#2',
    testPassword1: 'test-password#1',
    testPassword2: 'test-password#2',
    ...overrides,
  });
}

/** The expected hash from the public vectors file, found by its base string (ties the test to the file). */
function vector(base: string, algorithm: HashAlgorithm = 'md5'): string {
  const found = loadVectors().find((v) => v.inputs.signature_base === base && v.inputs.algorithm === algorithm);
  if (!found) throw new Error(`vector ${algorithm}(${base}) is not in the vectors file`);
  return found.expected;
}

function mixedCase(hex: string): string {
  return [...hex].map((ch, i) => (i % 2 === 0 ? ch.toUpperCase() : ch.toLowerCase())).join('');
}

describe('ResultURL vectors (OutSum:InvId:Password#2[:Shp…])', () => {
  test('f38a17bc…: 10:1:password#2 (md5) verifies in lower, upper and mixed hex case', () => {
    const expected = vector('10:1:password#2');
    expect(expected.startsWith('f38a17bc')).toBe(true);
    for (const signature of [expected.toLowerCase(), expected.toUpperCase(), mixedCase(expected)]) {
      const result = verifyResultCallback(config(), `OutSum=10&InvId=1&SignatureValue=${signature}`);
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.callback.outSum).toBe('10');
        expect(result.callback.invId).toBe(1);
        expect(result.callback.isTest).toBe(false);
        expect(result.callback.amount).toEqual({ currency: 'RUB', minor: 1000n });
      }
    }
  });

  test('56aad733…: the empty-InvId base 10::password#2 is pinned, but such a callback is malformed for us', () => {
    const expected = vector('10::password#2');
    expect(expected.startsWith('56aad733')).toBe(true);
    expect(callbackSignature({ algorithm: 'md5', outSum: '10', invId: '', password: new Secret('password#2') })).toBe(
      expected,
    );
    const result = verifyResultCallback(config(), `OutSum=10&InvId=&SignatureValue=${expected}`);
    expect(result).toMatchObject({ ok: false, reason: 'malformed', code: 'CALLBACK_MALFORMED' });
  });

  test('6229bb8a…: sha256', () => {
    const expected = vector('10:1:password#2', 'sha256');
    expect(expected.startsWith('6229bb8a')).toBe(true);
    const result = verifyResultCallback(
      config({ algorithm: 'sha256' }),
      `OutSum=10&InvId=1&SignatureValue=${expected.toUpperCase()}`,
    );
    expect(result.ok).toBe(true);
    // The same signature under the md5 setting is a mismatch, not a crash.
    const md5 = verifyResultCallback(config(), `OutSum=10&InvId=1&SignatureValue=${expected}`);
    expect(md5).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  test('9c4b9321…: lower-case shp_ names, a raw @ in a value, sent out of order', () => {
    const expected = vector('10:1:password#2:shp_email=user@example.com:shp_user_id=1');
    expect(expected.startsWith('9c4b9321')).toBe(true);
    const query = `shp_user_id=1&OutSum=10&InvId=1&SignatureValue=${expected}&shp_email=user%40example.com`;
    const result = verifyResultCallback(config(), query);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.callback.shp).toEqual({ shp_email: 'user@example.com', shp_user_id: '1' });
      expect(Object.keys(result.callback.shp)).toEqual(['shp_email', 'shp_user_id']);
      expect(result.callback.shpDecoded).toEqual({ shp_email: 'user@example.com', shp_user_id: '1' });
    }
  });

  test('DJANGO (django-robokassa tests): legacy shp names without underscore, upper-case hex', () => {
    // protocol notes §6: md5("100:58:test_password2:shpparam1=Vasia:shpparam2=None") = B2111A06…
    const c = config({ password2: 'test_password2' });
    const query = 'OutSum=100&InvId=58&SignatureValue=B2111A06F6B7A1E090D38367BF7032D9&shpparam1=Vasia&shpparam2=None';
    const result = verifyResultCallback(c, query);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.callback.shp).toEqual({ shpparam1: 'Vasia', shpparam2: 'None' });
  });

  test('OFFSITE (activemerchant): mixed-case Shp names signed in byte order are accepted', () => {
    // protocol notes §6: md5("500:123:secret:shpMySuperParam=456:shpa=123") = 4a827a06…; byte order puts
    // "shpMySuperParam" before "shpa", case-insensitive order would not.
    const c = config({ password2: 'secret' });
    const query = 'OutSum=500&InvId=123&SignatureValue=4a827a06c6e54595c2bd8f67fb7a0091&shpa=123&shpMySuperParam=456';
    expect(verifyResultCallback(c, query).ok).toBe(true);
  });

  test('the documented 6-decimal example is signed exactly as received', () => {
    // DOC-notif-new: "100.000000:450009:Пароль#2:Shp_login=Vasya:Shp_oplata=1"
    const c = config({ password2: 'Пароль#2' });
    const signature = hashHex('md5', '100.000000:450009:Пароль#2:Shp_login=Vasya:Shp_oplata=1').toUpperCase();
    const query = `OutSum=100.000000&InvId=450009&SignatureValue=${signature}&Shp_oplata=1&Shp_login=Vasya`;
    const result = verifyResultCallback(c, query);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.callback.amount.minor).toBe(10000n);
    // Reformatting OutSum (100.000000 → 100.00) breaks the signature: it is never normalised before hashing.
    const reformatted = query.replace('OutSum=100.000000', 'OutSum=100.00');
    expect(verifyResultCallback(c, reformatted)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });
});

describe('ResultURL parsing', () => {
  const c = config();
  const signed = signResultCallback(c, {
    outSum: '1500.00',
    invId: 42,
    shp: { Shp_order: 'abc+1', Shp_user: '7' },
    fee: '58.500000',
    email: 'buyer@example.com',
    method: 'BankCard',
    incCurrLabel: 'BankCardPSR',
  });

  test('the signing helper sends what Robokassa sends: 6 decimals, upper-case hex, EMail, Fee', () => {
    expect(signed.signature).toMatch(/^[0-9A-F]{32}$/);
    expect(signed.params.map(([n]) => n)).toEqual([
      'OutSum',
      'InvId',
      'Fee',
      'EMail',
      'SignatureValue',
      'PaymentMethod',
      'IncCurrLabel',
      'Shp_order',
      'Shp_user',
    ]);
    expect(signed.form.get('OutSum')).toBe('1500.000000');
    expect(signed.query).toContain('Shp_order=abc%2B1');
  });

  test('GET query, POST body, URLSearchParams, an object and pairs all verify the same', () => {
    const inputs = [
      signed.query,
      `?${signed.query}`,
      signed.body,
      signed.form,
      Object.fromEntries(signed.params),
      signed.params,
    ] as const;
    for (const input of inputs) {
      const result = verifyResultCallback(c, input);
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      expect(result.callback).toMatchObject({
        kind: 'result_url',
        outSum: '1500.000000',
        invId: 42,
        amount: { currency: 'RUB', minor: 150000n },
        fee: '58.500000',
        feeAmount: { currency: 'RUB', minor: 5850n },
        email: 'buyer@example.com',
        paymentMethod: 'BankCard',
        incCurrLabel: 'BankCardPSR',
        shp: { Shp_order: 'abc+1', Shp_user: '7' },
        shpDecoded: { Shp_order: 'abc 1', Shp_user: '7' },
      });
    }
  });

  test('names of the protocol fields are case-insensitive; Shp_ names are signed, so they stay as received', () => {
    const recase = (f: (name: string) => string) =>
      signed.params.map(([n, v]) => `${n.startsWith('Shp_') ? n : f(n)}=${encodeURIComponent(v)}`).join('&');
    const lowered = verifyResultCallback(
      c,
      recase((n) => n.toLowerCase()),
    );
    expect(lowered.ok).toBe(true);
    if (lowered.ok) expect(lowered.callback.email).toBe('buyer@example.com');
    expect(
      verifyResultCallback(
        c,
        recase((n) => n.toUpperCase()),
      ).ok,
    ).toBe(true);
    const renamedShp = signed.query.replace('Shp_user=', 'shp_user=');
    expect(verifyResultCallback(c, renamedShp)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  test('a KZ shop reads amounts in KZT unless told otherwise', () => {
    const kz = config({ country: 'KZ' });
    const result = verifyResultCallback(kz, signResultCallback(kz, { outSum: '990', invId: 3 }).query);
    expect(result.ok && result.callback.amount).toEqual({ currency: 'KZT', minor: 99000n });
    const usd = verifyResultCallback(kz, signResultCallback(kz, { outSum: '990', invId: 3 }).query, {
      currency: 'USD',
    });
    expect(usd.ok && usd.callback.amount.currency).toBe('USD');
  });

  test('an odd Fee (unsigned) does not lose the payment', () => {
    const odd = signResultCallback(c, { outSum: '10', invId: 5, fee: '0,39' });
    const result = verifyResultCallback(c, odd.query);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.callback.fee).toBe('0,39');
      expect(result.callback.feeAmount).toBeUndefined();
    }
  });

  test.each([
    ['no OutSum', 'InvId=1&SignatureValue=f38a17bc0db36343789587e4e5abf33c', 'OutSum is missing'],
    ['no InvId', 'OutSum=10&SignatureValue=f38a17bc0db36343789587e4e5abf33c', 'InvId is missing'],
    ['no signature', 'OutSum=10&InvId=1', 'SignatureValue is missing'],
    ['InvId 0', 'OutSum=10&InvId=0&SignatureValue=00', 'InvId is not a positive integer'],
    ['InvId with leading zero', 'OutSum=10&InvId=01&SignatureValue=00', 'InvId is not a positive integer'],
    ['negative InvId', 'OutSum=10&InvId=-1&SignatureValue=00', 'InvId is not a positive integer'],
    ['huge InvId', 'OutSum=10&InvId=99999999999999999999&SignatureValue=00', 'InvId is not a positive integer'],
    ['OutSum not a number', 'OutSum=ten&InvId=1&SignatureValue=00', 'OutSum is not a valid amount'],
    ['OutSum zero', 'OutSum=0.000000&InvId=1&SignatureValue=00', 'OutSum is not a valid amount'],
    ['OutSum with kopeck fractions', 'OutSum=10.001&InvId=1&SignatureValue=00', 'OutSum is not a valid amount'],
    ['OutSum twice', 'OutSum=10&outsum=10&InvId=1&SignatureValue=00', 'duplicate parameter outsum'],
    ['Shp twice in two cases', 'OutSum=10&InvId=1&SignatureValue=00&Shp_a=1&shp_A=1', 'duplicate Shp_ parameter'],
    ['bad percent-encoding', 'OutSum=10&InvId=1&SignatureValue=00&Shp_a=%ZZ', 'bad percent-encoding'],
    ['bad UTF-8', 'OutSum=10&InvId=1&SignatureValue=00&Shp_a=%C3%28', 'bad percent-encoding'],
    ['a truncated escape', 'OutSum=10&InvId=1&SignatureValue=00&Shp_a=%4', 'bad percent-encoding'],
    ['a trailing %', 'OutSum=10&InvId=1&SignatureValue=00&Shp_a=50%', 'bad percent-encoding'],
    ['a bad escape in a name', 'OutSum=10&InvId=1&SignatureValue=00&Shp_%G1=1', 'bad percent-encoding'],
  ])('%s → malformed', (_, input, detail) => {
    const result = verifyResultCallback(c, input);
    expect(result).toMatchObject({ ok: false, reason: 'malformed', code: 'CALLBACK_MALFORMED', detail });
  });

  test('a raw % that URLSearchParams would keep is refused, even when the value was signed with it', () => {
    // URLSearchParams decodes `Shp_a=50%` to `50%` and the signature over `…:Shp_a=50%` would verify; we refuse it.
    const base = `10.000000:1:password#2:Shp_a=50%`;
    const query = `OutSum=10.000000&InvId=1&Shp_a=50%&SignatureValue=${hashHex('md5', base)}`;
    expect(new URLSearchParams(query).get('Shp_a')).toBe('50%');
    expect(verifyResultCallback(c, query)).toMatchObject({ ok: false, detail: 'bad percent-encoding' });
    // Once properly encoded it is the same signed value, and `+` is a space.
    const encoded = `OutSum=10.000000&InvId=1&Shp_a=50%25&SignatureValue=${hashHex('md5', base)}`;
    expect(verifyResultCallback(c, encoded)).toMatchObject({ ok: true, callback: { shp: { Shp_a: '50%' } } });
    const spaced = `OutSum=10.000000&InvId=1&Shp_a=a+b&SignatureValue=${hashHex('md5', '10.000000:1:password#2:Shp_a=a b')}`;
    expect(verifyResultCallback(c, spaced)).toMatchObject({ ok: true, callback: { shp: { Shp_a: 'a b' } } });
  });

  test('tampering with any signed value is a signature mismatch', () => {
    const tampered = [
      signed.query.replace('OutSum=1500.000000', 'OutSum=15.000000'),
      signed.query.replace('InvId=42', 'InvId=43'),
      signed.query.replace('Shp_user=7', 'Shp_user=8'),
      `${signed.query}&Shp_extra=1`,
      signed.query.replace('&Shp_user=7', ''),
      signed.query.replace(signed.signature, signed.signature.slice(0, -1)),
      signed.query.replace(signed.signature, 'Z'.repeat(32)),
    ];
    for (const query of tampered) {
      expect(verifyResultCallback(c, query)).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
        code: 'SIGNATURE_MISMATCH',
      });
    }
  });

  test('unsigned fields (Fee, EMail, PaymentMethod, IncCurrLabel) can change without breaking the signature', () => {
    const changed = signed.query.replace('PaymentMethod=BankCard', 'PaymentMethod=SBP');
    const result = verifyResultCallback(c, changed);
    expect(result.ok && result.callback.paymentMethod).toBe('SBP');
  });

  test('Password #1 does not verify a ResultURL', () => {
    const withPassword1 = hashHex('md5', '10:1:password#1');
    expect(verifyResultCallback(c, `OutSum=10&InvId=1&SignatureValue=${withPassword1}`)).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  test('Shp names that mix letter case are sorted ignoring case, the way the signer does', () => {
    const mixed = signResultCallback(c, { outSum: '10', invId: 9, shp: { shp_b: '2', Shp_A: '1', SHP_c: '3' } });
    const result = verifyResultCallback(c, mixed.query);
    expect(result.ok).toBe(true);
    if (result.ok) expect(Object.keys(result.callback.shp)).toEqual(['Shp_A', 'shp_b', 'SHP_c']);
  });

  test('a Shp value that cannot be decoded again is kept as received in the decoded view', () => {
    const raw = signResultCallback(c, { outSum: '10', invId: 9, shp: { Shp_discount: '50%' } });
    const result = verifyResultCallback(c, raw.query);
    expect(result.ok && result.callback.shpDecoded).toEqual({ Shp_discount: '50%' });
  });
});

describe('ResultURL test passwords', () => {
  const c = config();
  const testCallback = signResultCallback(c, { outSum: '10', invId: 7, isTest: true });
  const realCallback = signResultCallback(c, { outSum: '10', invId: 7 });

  test('the record says test: only the test Password #2 verifies', () => {
    expect(verifyResultCallback(c, testCallback.query, { isTest: true }).ok).toBe(true);
    expect(verifyResultCallback(c, realCallback.query, { isTest: true })).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  test('the record says real: a test-signed callback never verifies (a free test payment cannot settle it)', () => {
    expect(verifyResultCallback(c, testCallback.query, { isTest: false })).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
    expect(verifyResultCallback(c, `${testCallback.query}&IsTest=1`, { isTest: false }).ok).toBe(false);
  });

  test('without a record: IsTest decides, and when absent both pairs are tried and the result says which', () => {
    const auto = verifyResultCallback(c, testCallback.query);
    expect(auto.ok && auto.callback.isTest).toBe(true);
    const real = verifyResultCallback(c, realCallback.query);
    expect(real.ok && real.callback.isTest).toBe(false);
    expect(verifyResultCallback(c, `${testCallback.query}&IsTest=1`).ok).toBe(true);
    expect(verifyResultCallback(c, `${testCallback.query}&IsTest=0`).ok).toBe(false);
  });

  test('a test callback without configured test passwords is reported, not thrown', () => {
    const noTest = config({ testPassword1: undefined, testPassword2: undefined });
    expect(verifyResultCallback(noTest, testCallback.query, { isTest: true })).toMatchObject({
      ok: false,
      reason: 'test_passwords_missing',
      code: 'TEST_PASSWORDS_MISSING',
    });
    expect(verifyResultCallback(noTest, testCallback.query)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });
});

describe('SuccessURL (Password #1)', () => {
  const c = config();

  test('verifies with Password #1, carries Culture and Shp', () => {
    const signed = signSuccessRedirect(c, { outSum: '300.00', invId: 15, culture: 'en', shp: { Shp_order: 'x' } });
    expect(signed.form.get('SignatureValue')).toBe(
      hashHex('md5', '300.000000:15:password#1:Shp_order=x').toUpperCase(),
    );
    const result = verifySuccessRedirect(c, signed.query);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.redirect).toMatchObject({ kind: 'success_url', invId: 15, culture: 'en', isTest: false });
      expect(result.redirect.shp).toEqual({ Shp_order: 'x' });
    }
  });

  test('IsTest=1 selects the test Password #1', () => {
    const signed = signSuccessRedirect(c, { outSum: '300.00', invId: 15, isTest: true });
    expect(signed.form.get('IsTest')).toBe('1');
    const result = verifySuccessRedirect(c, signed.query);
    expect(result.ok && result.redirect.isTest).toBe(true);
  });

  test('a real-world 2-decimal SuccessURL verifies as received', () => {
    const signature = hashHex('md5', '300.00:15:password#1');
    const result = verifySuccessRedirect(c, `OutSum=300.00&InvId=15&SignatureValue=${signature}&Culture=ru`);
    expect(result.ok && result.redirect.amount.minor).toBe(30000n);
  });

  test('Password #2 (a ResultURL signature) does not verify a SuccessURL, and vice versa', () => {
    const result = signResultCallback(c, { outSum: '10', invId: 1 });
    expect(verifySuccessRedirect(c, result.query)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    const success = signSuccessRedirect(c, { outSum: '10', invId: 1 });
    expect(verifyResultCallback(c, success.query)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });
});

describe('FailURL (unsigned, never proof)', () => {
  test('parses into an untrusted hint', () => {
    const { query } = failRedirectParams({ outSum: '10', invId: 77, shp: { Shp_order: 'abc+1' } });
    const fail = parseFailRedirect(query);
    expect(fail.trusted).toBe(false);
    expect(fail.hint).toMatchObject({
      invId: 77,
      outSum: '10.000000',
      culture: 'ru',
      shp: { Shp_order: 'abc+1' },
      shpDecoded: { Shp_order: 'abc 1' },
    });
    // Not shaped like a verified callback: no `ok`, no `callback`.
    expect('ok' in fail).toBe(false);
    // @ts-expect-error a FailURL has no callback to act on
    expect(fail.callback).toBeUndefined();
  });

  test('garbage gives an empty hint instead of throwing', () => {
    for (const input of ['%ZZ', 'InvId=abc', '', 'OutSum=1&OutSum=2']) {
      const fail = parseFailRedirect(input);
      expect(fail.trusted).toBe(false);
      expect(fail.hint.invId).toBeUndefined();
    }
  });
});

describe('no secret in results', () => {
  test('failure details never contain a password', () => {
    const c = config();
    const inputs = ['', 'OutSum=10&InvId=1&SignatureValue=00', signResultCallback(c, { outSum: '1', invId: 1 }).query];
    for (const input of inputs) {
      for (const result of [verifyResultCallback(c, input, { isTest: true }), verifySuccessRedirect(c, input)]) {
        const text = JSON.stringify(result, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
        for (const password of ['password#1', 'password#2', 'test-password#1', 'test-password#2']) {
          expect(text.includes(password)).toBe(false);
        }
      }
    }
  });
});
