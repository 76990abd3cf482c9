import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { kassa } from './support.js';

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const check = ['robokassa', 'check-result', '--password2', 'password#2'];

describe('kassa robokassa check-result', () => {
  test('valid: the IGOR vector 10:1:password#2, in upper case as Robokassa sends it', async () => {
    const run = await kassa([...check, 'OutSum=10&InvId=1&SignatureValue=F38A17BC0DB36343789587E4E5ABF33C', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      valid: true,
      expected: 'F38A17BC0DB36343789587E4E5ABF33C',
      received: 'F38A17BC0DB36343789587E4E5ABF33C',
      base: '10:1:<Password#2>',
      reason: 'the signature matches',
    });
  });

  test('reads stdin and whole URLs, and Shp params with @ (IGOR vector 9c4b9321…)', async () => {
    const body =
      'OutSum=10&InvId=1&shp_user_id=1&shp_email=user%40example.com&SignatureValue=9c4b932169d6b683e2b76e31bae35aeb';
    const viaStdin = await kassa(check, body);
    expect(viaStdin.code).toBe(0);
    expect(viaStdin.stdout).toMatch(/^valid\n/);
    expect(viaStdin.stdout).toContain('base:     10:1:<Password#2>:shp_email=user@example.com:shp_user_id=1');
    const viaUrl = await kassa([...check, `https://shop.example/robokassa/result?${body}`]);
    expect(viaUrl.code).toBe(0);
  });

  test('invalid: explains an OutSum that was reformatted before signing', async () => {
    const sig = md5('100.00:7:password#2').toUpperCase();
    const run = await kassa([...check, `OutSum=100.000000&InvId=7&SignatureValue=${sig}`, '--json']);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout);
    expect(out.valid).toBe(false);
    expect(out.reason).toContain('OutSum was reformatted');
    expect(out.expected).toBe(md5('100.000000:7:password#2').toUpperCase());
  });

  test('invalid: explains Shp params left out, a wrong algorithm and Password #1 used for ResultURL', async () => {
    const noShp = md5('10:1:password#2');
    const a = await kassa([...check, `OutSum=10&InvId=1&Shp_order=5&SignatureValue=${noShp}`]);
    expect(a.code).toBe(1);
    expect(a.stdout).toContain('Shp_ parameters were left out');

    const sha1 = createHash('sha1').update('10:1:password#2').digest('hex');
    const b = await kassa([...check, `OutSum=10&InvId=1&SignatureValue=${sha1}`]);
    expect(b.stdout).toContain('signed with sha1, not md5');
    const garbage40 = await kassa([...check, `OutSum=10&InvId=1&SignatureValue=${'ab'.repeat(20)}`]);
    expect(garbage40.stdout).toContain('the signature has 40 hex digits but md5 gives 32');

    const withP1 = md5('10:1:password#1');
    const c = await kassa([...check, '--password1', 'password#1', `OutSum=10&InvId=1&SignatureValue=${withP1}`]);
    expect(c.stdout).toContain('signed with Password #1');

    const wrong = await kassa([...check, `OutSum=10&InvId=1&SignatureValue=${md5('nope')}`]);
    expect(wrong.stdout).toContain('wrong Password #2');
  });

  test('SuccessURL is checked with Password #1', async () => {
    const sig = md5('300.00:15:password#1').toUpperCase();
    const ok = await kassa([
      'robokassa',
      'check-result',
      '--kind',
      'success',
      '--password1',
      'password#1',
      `OutSum=300.00&InvId=15&SignatureValue=${sig}&IsTest=1&Culture=ru`,
    ]);
    expect(ok.code).toBe(0);
    const missing = await kassa([
      'robokassa',
      'check-result',
      '--kind',
      'success',
      '--password2',
      'x',
      'OutSum=1&InvId=1&SignatureValue=a',
    ]);
    expect(missing.code).toBe(2);
  });

  test('bad input exits 2 and never prints the password', async () => {
    const noSig = await kassa([...check, 'OutSum=10&InvId=1']);
    expect(noSig.code).toBe(2);
    expect(noSig.stdout).toContain('SignatureValue is missing');
    const empty = await kassa(check, '');
    expect(empty.code).toBe(2);
    for (const run of [noSig, empty]) expect(run.stdout + run.stderr).not.toContain('password#2');
  });
});
