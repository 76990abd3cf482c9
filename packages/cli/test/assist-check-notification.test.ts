import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { kassa } from './support.js';

/** Written out independently of core: UPPER(md5(UPPER(md5(salt) + md5(X)))). */
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const checkvalue = (salt: string, x: string) => md5((md5(salt) + md5(x)).toUpperCase()).toUpperCase();

const vectors = JSON.parse(readFileSync(new URL('../../core/test/vectors/assist.json', import.meta.url), 'utf8'))
  .vectors as Array<{ id: string; inputs: Record<string, string>; expected: string }>;
const resultVector = vectors.find((v) => v.id === 'assist-result-checkvalue-derived-1');
if (!resultVector) throw new Error('assist-result-checkvalue-derived-1 is gone from core/test/vectors/assist.json');

const SECRET = 'Sup3rSecretWord';

/** A notification body as Assist posts it, with the given fields overridden (undefined drops a field). */
function body(overrides: Record<string, string | undefined> = {}): string {
  const fields: Record<string, string | undefined> = {
    merchant_id: '111111',
    ordernumber: '100',
    billnumber: '5775486650107611',
    testmode: '1',
    orderamount: '4.00',
    ordercurrency: 'RUB',
    amount: '4.00',
    currency: 'RUB',
    orderstate: 'Approved',
    responsecode: 'AS000',
    packetdate: '26.09.2016 23:08:37',
    ...overrides,
  };
  const pairs = Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined);
  return new URLSearchParams(pairs).toString();
}

const check = async (input: string, ...flags: string[]) => {
  const run = await kassa(['assist', 'check-notification', input, '--secret-word', SECRET, '--json', ...flags]);
  return { ...run, out: run.stdout ? JSON.parse(run.stdout) : undefined };
};

const reasonOf = (run: { stdout: string } | undefined): string => JSON.parse(run?.stdout ?? '{}').reason;

describe('kassa assist check-notification', () => {
  test('valid (exit 0): the result vector, its base as core computes it', async () => {
    const v = resultVector.inputs;
    const run = await kassa([
      'assist',
      'check-notification',
      body({ amount: v.amount, orderamount: v.amount, checkvalue: resultVector.expected }),
      '--secret-word',
      v.salt as string,
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      valid: true,
      mistake: null,
      reason: 'the checkvalue matches',
      base: v.X,
      expected: resultVector.expected,
      received: resultVector.expected,
      signerBase: null,
    });
  });

  test('valid from stdin and from a whole URL; a lower-case checkvalue verifies with a note', async () => {
    const good = body({ checkvalue: checkvalue(SECRET, '1111111004.00RUBApproved') });
    const stdin = await kassa(['assist', 'check-notification', '--secret-word', SECRET], `${good}\n`);
    expect(stdin.code).toBe(0);
    expect(stdin.stdout).toMatch(/^valid\n/);
    expect(stdin.stdout).toContain('base:        1111111004.00RUBApproved');
    expect(stdin.stdout).toContain('computed as: UPPER(md5(UPPER(md5(***) + md5("1111111004.00RUBApproved"))))');
    expect((await check(`https://shop.example/assist/notify?${good}`)).code).toBe(0);
    const lower = await check(body({ checkvalue: checkvalue(SECRET, '1111111004.00RUBApproved').toLowerCase() }));
    expect(lower.code).toBe(0);
    expect(lower.out.reason).toContain('lower case');
  });

  test('the secret word may come from ASSIST_SECRET_WORD', async () => {
    const saved = process.env.ASSIST_SECRET_WORD;
    process.env.ASSIST_SECRET_WORD = SECRET;
    try {
      const run = await kassa([
        'assist',
        'check-notification',
        body({ checkvalue: checkvalue(SECRET, '1111111004.00RUBApproved') }),
      ]);
      expect(run.code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.ASSIST_SECRET_WORD;
      else process.env.ASSIST_SECRET_WORD = saved;
    }
  });

  test.each([
    ['wrong secret word', {}, checkvalue('another word', '1111111004.00RUBApproved'), 'wrong-secret-word', null],
    [
      'orderamount/ordercurrency instead of amount/currency',
      { orderamount: '5.00', ordercurrency: 'USD' },
      checkvalue(SECRET, '1111111005.00USDApproved'),
      'order-fields',
      '1111111005.00USDApproved',
    ],
    ["';'-delimited base", {}, checkvalue(SECRET, '111111;100;4.00;RUB;Approved'), 'semicolon-delimited', null],
    [
      "the payment request's formula",
      {},
      checkvalue(SECRET, '111111;100;4.00;RUB'),
      'payment-formula',
      '111111;100;4.00;RUB',
    ],
    [
      'amount 100 for 100.00',
      { amount: '100.00' },
      checkvalue(SECRET, '111111100100RUBApproved'),
      'amount-reformatted',
      '111111100100RUBApproved',
    ],
    [
      'amount 100,00 for 100.00',
      { amount: '100.00' },
      checkvalue(SECRET, '111111100100,00RUBApproved'),
      'amount-reformatted',
      '111111100100,00RUBApproved',
    ],
    [
      'amount 100.00 for 100',
      { amount: '100' },
      checkvalue(SECRET, '111111100100.00RUBApproved'),
      'amount-reformatted',
      '111111100100.00RUBApproved',
    ],
    [
      'inner digests joined in lower case',
      {},
      md5(md5(SECRET) + md5('1111111004.00RUBApproved')),
      'inner-lower-case',
      '1111111004.00RUBApproved',
    ],
    ['currency left out', {}, checkvalue(SECRET, '1111111004.00Approved'), 'field-missing', '1111111004.00Approved'],
    ['orderstate left out', {}, checkvalue(SECRET, '1111111004.00RUB'), 'field-missing', '1111111004.00RUB'],
  ])('invalid (exit 1): %s', async (_name, overrides, received, mistake, signerBase) => {
    const run = await check(body({ ...overrides, checkvalue: received }));
    expect(run.code).toBe(1);
    expect(run.out.valid).toBe(false);
    expect(run.out.mistake).toBe(mistake);
    expect(run.out.signerBase).toBe(signerBase);
    expect(run.out.received).toBe(received);
    expect(run.out.expected).toBe(checkvalue(SECRET, run.out.base));
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  test('the reasons name the mistake in words', async () => {
    const amount = await check(body({ amount: '100.00', checkvalue: checkvalue(SECRET, '111111100100RUBApproved') }));
    expect(amount.out.reason).toContain('the signer used "100" but the notification carries "100.00"');
    const wrong = await check(body({ checkvalue: checkvalue('x', '1111111004.00RUBApproved') }));
    expect(wrong.out.reason).toContain('wrong secret word');
    const missing = await check(body({ checkvalue: checkvalue(SECRET, '1111111004.00Approved') }));
    expect(missing.out.reason).toContain('currency was left out');
    const order = await check(
      body({ orderamount: '5.00', checkvalue: checkvalue(SECRET, '1111111005.00RUBApproved') }),
    );
    expect(order.out.reason).toContain('orderamount/ordercurrency');
  });

  test('a trailing newline in the secret word is named', async () => {
    const run = await kassa([
      'assist',
      'check-notification',
      body({ checkvalue: checkvalue(SECRET, '1111111004.00RUBApproved') }),
      '--secret-word',
      `${SECRET}\n`,
      '--json',
    ]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).mistake).toBe('secret-whitespace');
    expect(run.stdout).not.toContain(SECRET);
  });

  test('--merchant-id: another merchant is invalid (exit 1)', async () => {
    const good = body({ checkvalue: checkvalue(SECRET, '1111111004.00RUBApproved') });
    expect((await check(good, '--merchant-id', '111111')).code).toBe(0);
    const other = await check(good, '--merchant-id', '222222');
    expect(other.code).toBe(1);
    expect(other.out.mistake).toBe('merchant-mismatch');
  });

  test('unusable input exits 2 and never prints the secret word', async () => {
    const runs = [
      await check(body({ checkvalue: undefined })),
      await check(body({ amount: undefined, checkvalue: 'A'.repeat(32) })),
      await check(body({ checkvalue: 'not-hex' })),
      await check('{"merchant_id":"111111","checkvalue":"AB"}'),
      await check('<pushpaymentresult firstcode="0"/>'),
      await check('hello world'),
      await kassa(['assist', 'check-notification', '--secret-word', SECRET], ''),
      await kassa(['assist', 'check-notification', body({ checkvalue: 'A'.repeat(32) })]),
      await kassa(['assist', 'check-notification', '--bogus']),
    ];
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).not.toContain(SECRET);
    }
    expect(reasonOf(runs[0])).toBe('checkvalue is missing');
    expect(reasonOf(runs[1])).toBe('amount is missing');
    expect(reasonOf(runs[2])).toBe('checkvalue is not in the expected format');
    expect(reasonOf(runs[3])).toContain('not a form body (got JSON)');
    expect(reasonOf(runs[4])).toContain('not a form body (got XML)');
    expect(reasonOf(runs[5])).toContain('not a form body');
    expect(runs[7]?.stderr).toContain('missing --secret-word');
  });
});
