import { describe, expect, test } from 'vitest';
import { isKassaError, type KassaError } from '../src/errors.js';
import { moneyFromMinor, parseMoney } from '../src/money.js';
import { createRobokassaConfig } from '../src/robokassa/config.js';
import { buildFormBody, formUrlEncode } from '../src/robokassa/encoding.js';
import { buildPaymentRequest } from '../src/robokassa/payment.js';
import {
  checkReceiptTotal,
  createReceipt,
  MAX_RECEIPT_ITEMS,
  RECEIPT_TAXES,
  type ReceiptInput,
  type ReceiptItemInput,
  receiptForSignature,
  receiptSchema,
  receiptTotal,
  serializeReceipt,
  toRefundInvoiceItems,
} from '../src/robokassa/receipt.js';
import { loadVectors } from './support/vectors.js';

function caught(fn: () => unknown): KassaError {
  try {
    fn();
  } catch (error) {
    if (isKassaError(error)) return error;
    throw error;
  }
  throw new Error('expected a KassaError');
}

const item = (over: Partial<ReceiptItemInput> = {}): ReceiptItemInput => ({
  name: 'Товар',
  quantity: 1,
  sum: '100.00',
  tax: 'none',
  ...over,
});
const ru = { country: 'RU' } as const;
const kz = { country: 'KZ' } as const;
const paths = (e: KassaError) => (e.details.issues as Array<{ path: string }>).map((i) => i.path);

describe('serializeReceipt', () => {
  test('reproduces the official SDK receipt byte for byte (vector 1be6746b…)', () => {
    const vector = loadVectors().find((v) => v.expected === '1be6746b70e8f702171f85e427399a9e');
    const inputs = vector?.inputs as Record<string, string>;
    const receipt = createReceipt(
      {
        items: [
          {
            name: 'Subscription',
            quantity: 1,
            sum: '100.00',
            payment_method: 'full_payment',
            payment_object: 'service',
            tax: 'none',
          },
        ],
      },
      ru,
    );
    expect(serializeReceipt(receipt)).toBe(inputs.receipt_json);
    expect(receiptForSignature(receipt)).toBe(inputs.receipt_in_signature);
  });

  test('fixed key order, sno first, optional keys only when given', () => {
    const receipt = createReceipt(
      {
        items: [
          {
            tax: 'vat20',
            nomenclature_code: '04620034587217',
            payment_object: 'commodity',
            payment_method: 'full_prepayment',
            cost: '150',
            sum: '450',
            quantity: 3,
            name: 'B',
          },
          { name: 'A', quantity: '0.5', sum: '1.5', tax: 'vat10' },
        ],
        sno: 'osn',
      },
      ru,
    );
    expect(serializeReceipt(receipt)).toBe(
      '{"sno":"osn","items":[' +
        '{"name":"B","quantity":3,"sum":450,"cost":150,"payment_method":"full_prepayment","payment_object":"commodity","tax":"vat20","nomenclature_code":"04620034587217"},' +
        '{"name":"A","quantity":0.5,"sum":1.5,"tax":"vat10"}]}',
    );
  });

  test.each([
    ['100.10', '100.1'],
    ['0.01', '0.01'],
    ['0.10', '0.1'],
    ['100.00', '100'],
    ['100', '100'],
    ['99999999.99', '99999999.99'],
    ['12345678.91', '12345678.91'],
    ['1.005', null],
  ])('sum %s is written as the exact JSON number %s (never through a float)', (sum, json) => {
    if (json === null) {
      expect(caught(() => createReceipt({ items: [item({ sum })] }, ru)).code).toBe('RECEIPT_INVALID');
      return;
    }
    expect(serializeReceipt(createReceipt({ items: [item({ sum })] }, ru))).toContain(`"sum":${json},`);
  });

  test('Money amounts are written the same way', () => {
    const receipt = createReceipt({ items: [item({ sum: moneyFromMinor(10010n), cost: parseMoney('0.01') })] }, ru);
    expect(serializeReceipt(receipt)).toContain('"sum":100.1,"cost":0.01,');
  });

  test.each([
    [1, '1'],
    [0.5, '0.5'],
    [2.125, '2.125'],
    ['2.500', '2.5'],
    ['007', '7'],
    [99999.999, '99999.999'],
  ])('quantity %j is written as %s', (quantity, json) => {
    const s = serializeReceipt(createReceipt({ items: [item({ quantity })] }, ru));
    expect(s).toContain(`"quantity":${json},`);
  });

  test('Cyrillic is written as is; quotes, backslashes and control characters are escaped', () => {
    const receipt = createReceipt({ items: [item({ name: 'Чай "Слон" \\ 50%\n' })] }, ru);
    const json = serializeReceipt(receipt);
    expect(json).toContain('"name":"Чай \\"Слон\\" \\\\ 50%\\n"');
    expect(json).not.toContain('\\u');
    expect(JSON.parse(json).items[0].name).toBe('Чай "Слон" \\ 50%\n');
  });

  test('the output is valid JSON whose numbers equal the decimal amounts', () => {
    const receipt = createReceipt(
      { items: [item({ sum: '0.07', quantity: 3 }), item({ sum: '1234.56' }), item({ sum: '0.01' })] },
      ru,
    );
    const parsed = JSON.parse(serializeReceipt(receipt)) as { items: Array<{ sum: number }> };
    expect(parsed.items.map((i) => i.sum)).toEqual([0.07, 1234.56, 0.01]);
  });

  test('receiptForSignature is the JSON urlencoded once', () => {
    const receipt = createReceipt({ items: [item({ name: 'Чай с лимоном' })], sno: 'usn_income' }, ru);
    expect(receiptForSignature(receipt)).toBe(formUrlEncode(serializeReceipt(receipt)));
    expect(receiptForSignature(receipt)).toMatch(/^%7B%22sno%22%3A%22usn_income%22/);
    expect(receiptForSignature(receipt)).toContain('%D0%A7%D0%B0%D0%B9+%D1%81');
  });
});

describe('createReceipt validation', () => {
  test('returns a frozen receipt with Money amounts, and accepts its own output again', () => {
    const receipt = createReceipt({ sno: 'patent', items: [item({ sum: '10.5' })] }, ru);
    expect(Object.isFrozen(receipt)).toBe(true);
    expect(Object.isFrozen(receipt.items[0])).toBe(true);
    expect(receipt.items[0]?.sum).toEqual({ currency: 'RUB', minor: 1050n });
    expect(createReceipt(receipt, ru)).toBe(receipt);
    expect(receiptSchema.safeParse({ items: [item()] }).success).toBe(true);
  });

  test('RECEIPT_INVALID names every bad field path at once', () => {
    const error = caught(() =>
      createReceipt(
        {
          sno: 'simplified',
          items: [
            item({ name: '   ' }),
            item({ quantity: 0, sum: 100 as unknown as string }),
            item({ payment_method: 'cash', payment_object: 'thing', nomenclature_code: '' }),
            { name: 'x', quantity: 1, sum: '1' } as ReceiptItemInput,
            { ...item(), price: '1' } as ReceiptItemInput,
          ],
        } as ReceiptInput,
        ru,
      ),
    );
    expect(error.code).toBe('RECEIPT_INVALID');
    expect(paths(error).sort()).toEqual(
      [
        'sno',
        'items.0.name',
        'items.1.quantity',
        'items.1.sum',
        'items.2.payment_method',
        'items.2.payment_object',
        'items.2.nomenclature_code',
        'items.3.tax',
        'items.4',
      ].sort(),
    );
    expect(error.message).toContain('floats lose kopecks');
  });

  test.each([
    ['no items', { items: [] }],
    ['too many items', { items: Array.from({ length: MAX_RECEIPT_ITEMS + 1 }, () => item({ sum: '1' })) }],
    ['a name over 128 characters', { items: [item({ name: 'я'.repeat(129) })] }],
    ['6 integer digits of quantity', { items: [item({ quantity: 100000 })] }],
    ['4 fractional digits of quantity', { items: [item({ quantity: 1.2345 })] }],
    ['a float artefact as quantity', { items: [item({ quantity: 0.1 + 0.2 })] }],
    ['a negative quantity', { items: [item({ quantity: -1 })] }],
    ['NaN quantity', { items: [item({ quantity: Number.NaN })] }],
    ['a negative sum', { items: [item({ sum: '-1.00' })] }],
    ['a sum over 8 integer digits', { items: [item({ sum: '100000000.00' })] }],
    ['a sum with a comma', { items: [item({ sum: '1,50' })] }],
    ['a zero total', { items: [item({ sum: '0' }), item({ sum: '0.00' })] }],
    ['not an object', 'receipt'],
    ['items as an object', { items: { 0: item() } }],
  ])('RECEIPT_INVALID for %s', (_, input) => {
    expect(caught(() => createReceipt(input as ReceiptInput, ru)).code).toBe('RECEIPT_INVALID');
  });

  test('128-character names, 100 items and zero-sum lines next to paid ones are fine', () => {
    expect(createReceipt({ items: [item({ name: 'я'.repeat(128) })] }, ru).items).toHaveLength(1);
    expect(
      createReceipt({ items: Array.from({ length: MAX_RECEIPT_ITEMS }, () => item({ sum: '1' })) }, ru).items,
    ).toHaveLength(100);
    expect(createReceipt({ items: [item({ sum: '0' }), item()] }, ru).items).toHaveLength(2);
  });

  test('Money in another currency than the receipt is refused', () => {
    const error = caught(() => createReceipt({ items: [item({ sum: moneyFromMinor(100n, 'USD') })] }, ru));
    expect(error.code).toBe('RECEIPT_INVALID');
    expect(error.message).toContain('USD');
    expect(
      createReceipt({ items: [item({ sum: moneyFromMinor(100n, 'USD') })] }, { ...ru, currency: 'USD' }),
    ).toBeDefined();
  });
});

describe('tax rates per country', () => {
  test.each(RECEIPT_TAXES.RU.map((t) => [t]))('RU accepts %s', (tax) => {
    expect(createReceipt({ items: [item({ tax })] }, ru).items[0]?.tax).toBe(tax);
  });

  test.each(RECEIPT_TAXES.KZ.map((t) => [t]))('KZ accepts %s', (tax) => {
    expect(createReceipt({ items: [item({ tax })] }, kz).items[0]?.tax).toBe(tax);
  });

  test('the 2026 RU rates are there', () => {
    expect(RECEIPT_TAXES.RU).toEqual(expect.arrayContaining(['vat22', 'vat122', 'vat5', 'vat7', 'vat105', 'vat107']));
  });

  test.each([
    ['vat18', 'RU', /abolished.*vat20/],
    ['vat118', 'RU', /abolished.*vat120/],
    ['vat12', 'RU', /KZ rate/],
    ['vat16', 'RU', /KZ rate/],
    ['vat20', 'KZ', /RU rate/],
    ['vat120', 'KZ', /RU rate/],
    ['vat99', 'RU', /not a VAT code/],
    ['VAT20', 'RU', /not a VAT code/],
  ] as const)('RECEIPT_TAX_NOT_ALLOWED for %s in %s', (tax, country, message) => {
    const error = caught(() => createReceipt({ items: [item(), item({ tax })] }, { country }));
    expect(error.code).toBe('RECEIPT_TAX_NOT_ALLOWED');
    expect(paths(error)).toEqual(['items.1.tax']);
    expect(error.message).toMatch(message);
  });

  test('KZ receipts carry no sno', () => {
    const error = caught(() => createReceipt({ sno: 'osn', items: [item()] }, kz));
    expect(error.code).toBe('RECEIPT_TAX_NOT_ALLOWED');
    expect(paths(error)).toEqual(['sno']);
    expect(serializeReceipt(createReceipt({ items: [item({ tax: 'vat12' })] }, kz))).not.toContain('sno');
  });

  test('tax problems together with other problems are one RECEIPT_INVALID naming all of them', () => {
    const error = caught(() => createReceipt({ items: [item({ tax: 'vat18', name: '' })] }, ru));
    expect(error.code).toBe('RECEIPT_INVALID');
    expect(paths(error).sort()).toEqual(['items.0.name', 'items.0.tax']);
  });

  test('KZ receipts are in tenge by default', () => {
    expect(createReceipt({ items: [item()] }, kz).items[0]?.sum.currency).toBe('KZT');
  });

  test('a receipt made for one country is validated again for another', () => {
    const receipt = createReceipt({ items: [item({ tax: 'vat20' })] }, ru);
    expect(caught(() => createReceipt(receipt, { country: 'KZ', currency: 'RUB' })).code).toBe(
      'RECEIPT_TAX_NOT_ALLOWED',
    );
    // In tenge by default, so the rouble amounts are wrong too.
    const both = caught(() => createReceipt(receipt, kz));
    expect(both.code).toBe('RECEIPT_INVALID');
    expect(paths(both).sort()).toEqual(['items.0.sum', 'items.0.tax']);
  });
});

describe('totals', () => {
  const receipt = createReceipt({ items: [item({ sum: '99.99' }), item({ sum: '0.01' })] }, ru);

  test('receiptTotal adds the lines exactly', () => {
    expect(receiptTotal(receipt)).toEqual({ currency: 'RUB', minor: 10000n });
    expect(() => checkReceiptTotal(receipt, parseMoney('100'))).not.toThrow();
  });

  test('RECEIPT_TOTAL_MISMATCH carries both totals', () => {
    const error = caught(() => checkReceiptTotal(receipt, parseMoney('100.01')));
    expect(error.code).toBe('RECEIPT_TOTAL_MISMATCH');
    expect(error.details).toMatchObject({ receiptTotal: '100.00', outSum: '100.01' });
    expect(error.message).toContain('100.00');
    expect(error.message).toContain('100.01');
  });

  test('RECEIPT_TOTAL_MISMATCH when the currencies differ', () => {
    const error = caught(() => checkReceiptTotal(receipt, parseMoney('100', 'USD')));
    expect(error.code).toBe('RECEIPT_TOTAL_MISMATCH');
    expect(error.message).toContain('USD');
  });
});

describe('receipts in payment requests', () => {
  const config = createRobokassaConfig({ login: 'shop', password1: 'pass-one', password2: 'pass-two' });
  const receiptInput: ReceiptInput = {
    sno: 'osn',
    items: [item({ name: 'Чай "Слон"', sum: '100.10', tax: 'vat22' })],
  };

  test('signed urlencoded once, POSTed as that value, carried double-encoded in the GET URL', () => {
    const request = buildPaymentRequest(config, {
      outSum: '100.10',
      invId: 7,
      description: 'Чай',
      receipt: receiptInput,
    });
    const once = receiptForSignature(createReceipt(receiptInput, ru));
    expect(once).toMatch(/^%7B%22sno%22/);
    expect(request.signatureBase).toBe(`shop:100.10:7:${once}:***`);
    expect(request.form.fields.find((f) => f.name === 'Receipt')?.value).toBe(once);
    expect(request.url).toContain(`&Receipt=${formUrlEncode(once)}`);
    expect(request.url).toContain('&Receipt=%257B%2522sno%2522');
    expect(new URL(request.url).searchParams.get('Receipt')).toBe(once);
    // What the browser posts for the form: the same double-encoded bytes.
    const body = buildFormBody(request.form.fields.map((f) => [f.name, f.value] as const));
    expect(body).toContain('Receipt=%257B%2522sno%2522');
    expect(JSON.parse(decodeURIComponent(once.replaceAll('+', ' '))).items[0].sum).toBe(100.1);
  });

  test('the receipt must add up to OutSum', () => {
    const error = caught(() =>
      buildPaymentRequest(config, { outSum: '100.00', invId: 7, description: 'Чай', receipt: receiptInput }),
    );
    expect(error.code).toBe('RECEIPT_TOTAL_MISMATCH');
    expect(error.details).toMatchObject({ receiptTotal: '100.10', outSum: '100.00' });
  });

  test('the shop country decides the tax set', () => {
    const kzConfig = createRobokassaConfig({ login: 'shop', password1: 'p1', password2: 'p2', country: 'KZ' });
    const error = caught(() =>
      buildPaymentRequest(kzConfig, { outSum: '100.10', invId: 7, description: 'x', receipt: receiptInput }),
    );
    expect(error.code).toBe('RECEIPT_TAX_NOT_ALLOWED');
    const ok = buildPaymentRequest(kzConfig, {
      outSum: '100.10',
      invId: 7,
      description: 'x',
      receipt: { items: [item({ sum: '100.10', tax: 'vat16' })] },
    });
    expect(ok.url.startsWith('https://auth.robokassa.kz/Merchant/Index.aspx?')).toBe(true);
  });
});

describe('toRefundInvoiceItems', () => {
  test('PascalCase lines with exact amounts; Cost is the unit price', () => {
    const receipt = createReceipt(
      {
        items: [
          item({ name: 'A', quantity: 3, sum: '450', cost: '150', tax: 'vat20' }),
          item({
            name: 'B',
            quantity: 2,
            sum: '0.30',
            tax: 'none',
            payment_method: 'full_payment',
            payment_object: 'service',
            nomenclature_code: 'X1',
          }),
          item({ name: 'C', quantity: '0.5', sum: '10.01' }),
        ],
      },
      ru,
    );
    expect(toRefundInvoiceItems(receipt.items)).toEqual([
      { Name: 'A', Quantity: '3', Cost: { currency: 'RUB', minor: 15000n }, Tax: 'vat20' },
      {
        Name: 'B',
        Quantity: '2',
        Cost: { currency: 'RUB', minor: 15n },
        Tax: 'none',
        PaymentMethod: 'full_payment',
        PaymentObject: 'service',
        NomenclatureCode: 'X1',
      },
      { Name: 'C', Quantity: '0.5', Cost: { currency: 'RUB', minor: 2002n }, Tax: 'none' },
    ]);
  });

  test('RECEIPT_INVALID when the unit price is not a whole number of kopecks and no cost is given', () => {
    const receipt = createReceipt({ items: [item({ quantity: 3, sum: '100.00' })] }, ru);
    const error = caught(() => toRefundInvoiceItems(receipt.items));
    expect(error.code).toBe('RECEIPT_INVALID');
    expect(paths(error)).toEqual(['items.0.cost']);
  });
});
