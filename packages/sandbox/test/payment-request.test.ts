import { describe, expect, it } from 'vitest';
import type { MerchantInput } from '../src/index.js';
import { errorCodeOf, hash, MERCHANT, opIdOf, postForm, signedRequest, testSandbox } from './helpers.js';

/** Index.aspx: every parameter is validated and the right Robokassa error code is shown (§1.1, §1.6). */

async function sandboxWith(extra: Partial<MerchantInput> = {}, now?: () => Date) {
  return testSandbox({ merchants: [{ ...MERCHANT, ...extra }], ...(now ? { now } : {}) });
}

async function open(url: string, params: URLSearchParams, method: 'GET' | 'POST' = 'GET') {
  const target = `${url}/Merchant/Index.aspx`;
  const response = method === 'GET' ? await fetch(`${target}?${params}`) : await postForm(target, params);
  expect(response.status).toBe(200);
  return response.text();
}

const sign = (outSum: string, invId = '7', extra: Array<[string, string]> = [], modifiers: string[] = []) =>
  signedRequest({ login: MERCHANT.login, password: MERCHANT.password1, outSum, invId, extra, modifiers });

describe('Index.aspx validation', () => {
  it('opens the payment page for a correct request, by GET and by POST', async () => {
    const sandbox = await sandboxWith();
    for (const method of ['GET', 'POST'] as const) {
      const html = await open(sandbox.url, sign('100.00'), method);
      expect(errorCodeOf(html)).toBeUndefined();
      expect(opIdOf(html)).toMatch(/^[0-9a-f-]{36}$/);
      expect(html).toContain('Test shop');
      expect(html).toContain('100.00');
    }
  });

  it('answers 26 for an unknown or missing shop and 25 for an inactive one outside test mode', async () => {
    const sandbox = await sandboxWith({ active: false });
    const unknown = signedRequest({ login: 'nobody', password: 'x', outSum: '1' });
    expect(errorCodeOf(await open(sandbox.url, unknown))).toBe(26);
    expect(errorCodeOf(await open(sandbox.url, new URLSearchParams([['OutSum', '1']])))).toBe(26);
    expect(errorCodeOf(await open(sandbox.url, sign('10')))).toBe(25);
    const test = signedRequest({
      login: MERCHANT.login,
      password: MERCHANT.testPassword1,
      outSum: '10',
      extra: [['IsTest', '1']],
    });
    expect(errorCodeOf(await open(sandbox.url, test))).toBeUndefined();
  });

  it('answers 23 for a test payment when the shop has no test passwords', async () => {
    const sandbox = await testSandbox({
      merchants: [{ login: 'prod', password1: 'a', password2: 'b' }],
    });
    const request = signedRequest({ login: 'prod', password: 'a', outSum: '10', extra: [['IsTest', '1']] });
    expect(errorCodeOf(await open(sandbox.url, request))).toBe(23);
  });

  it('signs test payments with the test Password #1 only', async () => {
    const sandbox = await sandboxWith();
    const withProduction = sign('10', '7', [['IsTest', '1']]);
    expect(errorCodeOf(await open(sandbox.url, withProduction))).toBe(29);
  });

  it.each([
    ['', 'missing'],
    ['0', 'zero'],
    ['0.00', 'zero with decimals'],
    ['10,50', 'comma as the decimal point'],
    ['-5', 'negative'],
    ['1e3', 'exponent'],
    ['10.001', 'less than a kopeck'],
  ])('answers 31 for OutSum "%s" (%s)', async (outSum) => {
    const sandbox = await sandboxWith();
    expect(errorCodeOf(await open(sandbox.url, sign(outSum)))).toBe(31);
  });

  it('answers 29 with the expected base (password masked) for a wrong signature', async () => {
    const sandbox = await sandboxWith();
    const request = sign('10', '7', [
      ['Shp_b', '2'],
      ['Shp_a', '1'],
    ]);
    const html = await open(sandbox.url, request);
    expect(errorCodeOf(html)).toBe(29);
    expect(html).toContain('data-error-code="29"');
    expect(html).toContain('shop:10:7:[Password#1]:Shp_a=1:Shp_b=2');
    expect(html).not.toContain(MERCHANT.password1);
  });

  it.each([
    ['InvId above 2^31-1', '2147483648', []],
    ['InvId not a number', '12a', []],
    ['negative InvId', '-1', []],
    ['Description of 101 characters', '7', [['Description', 'x'.repeat(101)]]],
    ['a bad Email', '7', [['Email', 'not-an-email']]],
    ['an unknown OutSumCurrency', '7', [['OutSumCurrency', 'GBP']], ['GBP']],
    ['an invalid UserIp', '7', [['UserIp', '999.1.1.1']], ['999.1.1.1']],
    ['an unparsable ExpirationDate', '7', [['ExpirationDate', 'tomorrow']]],
    ['SuccessUrl2 without its method', '7', [['SuccessUrl2', 'https://shop.test/ok']], ['https://shop.test/ok']],
    [
      'a lower-case SuccessUrl2Method',
      '7',
      [
        ['SuccessUrl2', 'https://shop.test/ok'],
        ['SuccessUrl2Method', 'get'],
      ],
      ['https://shop.test/ok', 'get'],
    ],
    ['a URL-encoded ResultUrl2', '7', [['ResultUrl2', 'https%3A%2F%2Fshop.test']], ['https%3A%2F%2Fshop.test']],
  ] as Array<[string, string, Array<[string, string]>, string[]?]>)(
    'answers 30 for %s',
    async (_, invId, extra, modifiers = []) => {
      const sandbox = await sandboxWith();
      expect(errorCodeOf(await open(sandbox.url, sign('10', invId, extra, modifiers)))).toBe(30);
    },
  );

  it('counts Description in UTF-16 code units like .NET: 100 emoji are 200 units and refused, 50 pass', async () => {
    const sandbox = await sandboxWith();
    const tooLong = await open(sandbox.url, sign('10', '7', [['Description', '😀'.repeat(100)]]));
    expect(errorCodeOf(tooLong)).toBe(30);
    expect(tooLong).toContain('200 UTF-16 code units');
    const fits = await open(sandbox.url, sign('10', '7', [['Description', '😀'.repeat(50)]]));
    expect(errorCodeOf(fits)).toBeUndefined();
    const oneOver = await open(sandbox.url, sign('10', '7', [['Description', `${'x'.repeat(99)}😀`]]));
    expect(errorCodeOf(oneOver)).toBe(30);
  });

  it('treats the legacy shpXxx names (no underscore, any case) as user parameters', async () => {
    const sandbox = await sandboxWith();
    const signed = (shp: Array<[string, string]>) =>
      signedRequest({ login: MERCHANT.login, password: MERCHANT.password1, outSum: '10', invId: '7', shp });
    // Signed `shop:10:7:pass-1:shpa=1`, as the DJANGO/OFFSITE vectors do.
    const base = new URLSearchParams([
      ['MerchantLogin', 'shop'],
      ['OutSum', '10'],
      ['InvId', '7'],
      ['Encoding', 'utf-8'],
      ['shpa', '1'],
      ['SignatureValue', hash('md5', 'shop:10:7:pass-1:shpa=1')],
    ]);
    expect(errorCodeOf(await open(sandbox.url, base))).toBeUndefined();
    const legacy = signed([
      ['shpMySuperParam', '456'],
      ['SHPparam1', 'Vasia'],
      ['Shp_new', 'x'],
    ]);
    const paid = await sandbox.admin.pay({ params: [...legacy] as Array<[string, string]> });
    if (!paid.ok) throw new Error('not paid');
    expect(paid.operation.shp).toEqual([
      ['shpMySuperParam', '456'],
      ['SHPparam1', 'Vasia'],
      ['Shp_new', 'x'],
    ]);
    // Left out of the signature, a shpXxx parameter makes it wrong; a bare `shp` is not a user parameter.
    const unsigned = sign('10', '8', [['shpa', '1']]);
    expect(errorCodeOf(await open(sandbox.url, unsigned))).toBe(29);
    expect(errorCodeOf(await open(sandbox.url, sign('10', '8', [['shp', '1']])))).toBeUndefined();
  });

  it('does not trim SignatureValue: surrounding whitespace is a wrong signature (29), any hex case is fine', async () => {
    const sandbox = await sandboxWith();
    const good = sign('10', '7');
    const signature = good.get('SignatureValue') ?? '';
    expect(errorCodeOf(await open(sandbox.url, good))).toBeUndefined();
    for (const padded of [` ${signature}`, `${signature} `, `${signature}\n`, `\t${signature}`]) {
      const request = new URLSearchParams(good);
      request.set('SignatureValue', padded);
      expect(errorCodeOf(await open(sandbox.url, request))).toBe(29);
    }
    const upper = new URLSearchParams(good);
    upper.set('SignatureValue', signature.toUpperCase());
    expect(errorCodeOf(await open(sandbox.url, upper))).toBeUndefined();
  });

  it('shows the error page (26), not an HTTP 500, for a malformed multipart body', async () => {
    const sandbox = await sandboxWith();
    const response = await fetch(`${sandbox.url}/Merchant/Index.aspx`, {
      method: 'POST',
      body: 'garbage',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    });
    expect(response.status).toBe(200);
    expect(errorCodeOf(await response.text())).toBe(26);
  });

  it('accepts a description of exactly 100 characters, Cyrillic included', async () => {
    const sandbox = await sandboxWith();
    const html = await open(sandbox.url, sign('10', '7', [['Description', 'Ж'.repeat(100)]]));
    expect(errorCodeOf(html)).toBeUndefined();
  });

  it('answers 33 when ExpirationDate has passed, and reads a date without offset as Moscow time', async () => {
    const now = () => new Date('2026-01-16T09:30:00Z'); // 12:30 in Moscow
    const sandbox = await sandboxWith({}, now);
    const past = sign('10', '7', [['ExpirationDate', '2026-01-16T12:00']]);
    expect(errorCodeOf(await open(sandbox.url, past))).toBe(33);
    const future = sign('10', '7', [['ExpirationDate', '2026-01-16T13:00']]);
    expect(errorCodeOf(await open(sandbox.url, future))).toBeUndefined();
    const utc = sign('10', '7', [['ExpirationDate', '2026-01-16T09:00:00.0000000Z']]);
    expect(errorCodeOf(await open(sandbox.url, utc))).toBe(33);
  });

  it('assigns an InvId when the shop sends none or 0, and signs the slot as sent', async () => {
    const sandbox = await sandboxWith();
    const none = await open(sandbox.url, sign('10', ''));
    const zero = await open(sandbox.url, sign('10', '0'));
    const ops = sandbox.admin.operations();
    expect(ops.map((o) => o.invIdSent).sort()).toEqual(['', '0']);
    expect(new Set(ops.map((o) => o.invId)).size).toBe(2);
    for (const op of ops) expect(op.invId).toBeGreaterThan(1_000_000_000);
    expect(none).toContain('присвоен Robokassa');
    expect(zero).toContain('data-op-id');
  });

  it('answers 40 when a paid InvId comes again outside test mode, never for test payments', async () => {
    const sandbox = await sandboxWith();
    const paid = await sandbox.admin.pay({ params: [...sign('10', '77')] });
    expect(paid.ok).toBe(true);
    expect(errorCodeOf(await open(sandbox.url, sign('10', '77')))).toBe(40);
    const test = signedRequest({
      login: 'shop',
      password: MERCHANT.testPassword1,
      outSum: '10',
      invId: '77',
      extra: [['IsTest', '1']],
    });
    expect(errorCodeOf(await open(sandbox.url, test))).toBeUndefined();
  });

  it('gives the second of two open pages of one invoice error 40 when both try to pay', async () => {
    const sandbox = await sandboxWith();
    const first = await sandbox.admin.pay({ params: [...sign('10', '78')], action: 'open' });
    const second = await sandbox.admin.pay({ params: [...sign('10', '78')], action: 'open' });
    if (!first.ok || !second.ok) throw new Error('pages did not open');
    expect((await sandbox.admin.pay({ opId: first.operation.id })).ok).toBe(true);
    const late = await sandbox.admin.pay({ opId: second.operation.id });
    expect(late).toMatchObject({ ok: false, reason: 'refused', error: { code: 40 } });
  });

  it('validates StepByStep (65), holds and recurring permissions (64, 34)', async () => {
    const sandbox = await sandboxWith({ allowHolds: false, allowRecurring: false });
    expect(errorCodeOf(await open(sandbox.url, sign('10', '7', [['StepByStep', 'yes']], ['yes'])))).toBe(65);
    expect(errorCodeOf(await open(sandbox.url, sign('10', '7', [['StepByStep', 'true']], ['true'])))).toBe(64);
    expect(errorCodeOf(await open(sandbox.url, sign('10', '7', [['Recurring', 'true']])))).toBe(34);
  });

  describe('Receipt', () => {
    const receipt = (items: unknown[], sno?: string) => JSON.stringify({ ...(sno ? { sno } : {}), items });
    const item = {
      name: 'Товар',
      quantity: 1,
      sum: 100,
      tax: 'vat20',
      payment_method: 'full_payment',
      payment_object: 'commodity',
    };
    const once = (json: string) => new URLSearchParams([['', json]]).toString().slice(1);

    it('accepts a receipt URL-encoded once (the documented form) and raw JSON, both as signed', async () => {
      const sandbox = await sandboxWith();
      for (const value of [once(receipt([item], 'osn')), receipt([item], 'osn')]) {
        const html = await open(sandbox.url, sign('100.00', '7', [['Receipt', value]], [value]));
        expect(errorCodeOf(html), value).toBeUndefined();
        expect(html).toContain('Товар');
      }
    });

    it('sums cost × quantity when there is no sum', async () => {
      const sandbox = await sandboxWith();
      const value = receipt([{ ...item, sum: undefined, cost: 33.5, quantity: 3 }]);
      expect(errorCodeOf(await open(sandbox.url, sign('100.50', '7', [['Receipt', value]], [value])))).toBeUndefined();
    });

    it.each([
      ['items that do not add up to OutSum', receipt([item, item])],
      ['no items', receipt([])],
      ['101 items', receipt(Array.from({ length: 101 }, () => ({ ...item, sum: 1 })))],
      ['a name of 129 characters', receipt([{ ...item, name: 'n'.repeat(129) }])],
      ['an unknown tax', receipt([{ ...item, tax: 'vat18' }])],
      ['an unknown sno', receipt([item], 'simple')],
      ['"items" as an object', JSON.stringify({ items: item })],
      ['broken JSON', '{"items":['],
      ['a negative sum', receipt([{ ...item, sum: -100 }])],
    ])('answers 30 for %s', async (_, value) => {
      const sandbox = await sandboxWith();
      // POST, as the docs advise for long receipts (a GET URL with 101 items is too long for any server).
      const html = await open(sandbox.url, sign('100.00', '7', [['Receipt', value]], [value]), 'POST');
      expect(errorCodeOf(html)).toBe(30);
    });

    it('uses the Kazakh tax rates for a KZ shop, where sno is omitted', async () => {
      const sandbox = await sandboxWith({ country: 'KZ' });
      const kz = receipt([{ ...item, tax: 'vat12' }]);
      expect(errorCodeOf(await open(sandbox.url, sign('100.00', '7', [['Receipt', kz]], [kz])))).toBeUndefined();
      const ru = receipt([{ ...item, tax: 'vat20' }]);
      expect(errorCodeOf(await open(sandbox.url, sign('100.00', '7', [['Receipt', ru]], [ru])))).toBe(30);
      const sno = receipt([{ ...item, tax: 'vat12' }], 'osn');
      expect(errorCodeOf(await open(sandbox.url, sign('100.00', '7', [['Receipt', sno]], [sno])))).toBe(30);
    });
  });

  describe('payment page', () => {
    it('lists only the methods whose limits admit the amount, grouped, with IncCurrLabel pre-selected', async () => {
      const sandbox = await sandboxWith();
      const html = await open(sandbox.url, sign('50000.00', '7', [['IncCurrLabel', 'SBPPSR']]));
      expect(html).toContain('data-group="BankCard"');
      expect(html).toContain('value="BankCardPSR"');
      expect(html).not.toContain('value="YandexPayPSR"'); // MaxValue 40000
      expect(html).not.toContain('data-group="Mobile"'); // every operator stops at 15000 or less
      expect(html).toMatch(/value="SBPPSR" checked/);
    });

    it('restricts the groups to PaymentMethods when given', async () => {
      const sandbox = await sandboxWith();
      const html = await open(
        sandbox.url,
        sign('100', '7', [
          ['PaymentMethods', 'SBP'],
          ['PaymentMethods', 'Mobile'],
        ]),
      );
      expect(html).toContain('data-group="SBP"');
      expect(html).toContain('data-group="Mobile"');
      expect(html).not.toContain('data-group="BankCard"');
    });

    it('escapes what the shop sent and shows no password', async () => {
      const sandbox = await sandboxWith({ shopName: 'Shop <b>&</b>' });
      const html = await open(sandbox.url, sign('10', '7', [['Description', '"><script>alert(1)</script>']]));
      expect(html).not.toContain('<script>alert(1)');
      expect(html).toContain('&quot;&gt;&lt;script&gt;');
      expect(html).toContain('Shop &lt;b&gt;&amp;&lt;/b&gt;');
      for (const secret of Object.values(MERCHANT).filter((v) => v.includes('pass')))
        expect(html).not.toContain(secret);
    });

    it('speaks English for Culture=en and any other culture', async () => {
      const sandbox = await sandboxWith();
      for (const culture of ['en', 'de']) {
        const html = await open(sandbox.url, sign('10', '7', [['Culture', culture]]));
        expect(html).toContain('lang="en"');
        expect(html).toContain('Card declined');
      }
      expect(await open(sandbox.url, sign('10', '7', [['Culture', 'ru']]))).toContain('Карта отклонена');
    });

    it('warns about a missing Encoding=utf-8 without refusing', async () => {
      const sandbox = await sandboxWith();
      const request = new URLSearchParams([
        ['MerchantLogin', 'shop'],
        ['OutSum', '10'],
        ['InvId', '7'],
        ['SignatureValue', hash('md5', 'shop:10:7:pass-1')],
      ]);
      const html = await open(sandbox.url, request);
      expect(errorCodeOf(html)).toBeUndefined();
      expect(html).toContain('Encoding=utf-8 is not sent');
    });
  });
});
