import { describe, expect, test } from 'vitest';
import { kassa } from './support.js';

describe('kassa assist explain', () => {
  test('firstcode and secondcode, in English and Russian', async () => {
    const run = await kassa(['assist', 'explain', '4', '108']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Assist 4/108: parameter format error — parameter AMOUNT');
    expect(run.stdout).toContain('Ассист 4/108: ошибка формата параметра — параметр AMOUNT');
    expect(run.stdout).toContain('not transient');
    const slash = await kassa(['assist', 'explain', '4/108']);
    expect(slash.stdout).toBe(run.stdout);
  });

  test('a documented combination, a transient code and a lone firstcode (secondcode 0)', async () => {
    const combo = JSON.parse((await kassa(['assist', 'explain', '7', '141', '--json'])).stdout);
    expect(combo).toEqual({
      firstCode: 7,
      secondCode: 141,
      en: '7/141: authentication error — wrong web-service login or password',
      ru: '7/141: ошибка аутентификации — неверный логин или пароль веб-сервиса',
      transient: false,
      known: true,
    });
    const transient = await kassa(['assist', 'explain', '2', '0']);
    expect(transient.stdout).toContain('transient: the same request may succeed later');
    const lone = JSON.parse((await kassa(['assist', 'explain', '9', '--json'])).stdout);
    expect(lone.en).toBe('9/0: encryption error');
  });

  test('an undocumented secondcode is explained as such', async () => {
    const run = await kassa(['assist', 'explain', '4', '999']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("secondcode 999 is not in Assist's documented table");
  });

  test('responsecodes (any case), text and --json', async () => {
    const run = await kassa(['assist', 'explain', 'AS102']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Assist responsecode AS102: insufficient funds');
    expect(run.stdout).toContain('недостаточно средств');
    const json = JSON.parse((await kassa(['assist', 'explain', 'as100', '--json'])).stdout);
    expect(json).toEqual({ code: 'AS100', en: 'declined', ru: 'отказ в авторизации' });
  });

  test('unknown or malformed codes are usage errors (exit 2)', async () => {
    for (const args of [[], ['99'], ['AS777'], ['x'], ['4', 'y'], ['1', '2', '3'], ['AS100', '1']]) {
      const run = await kassa(['assist', 'explain', ...args]);
      expect(run.code, args.join(' ')).toBe(2);
    }
  });
});

describe('kassa explain (either gateway)', () => {
  test('AS-codes and code pairs go to Assist, a single number to Robokassa', async () => {
    expect((await kassa(['explain', 'AS102'])).stdout).toContain('insufficient funds');
    expect((await kassa(['explain', '4', '108'])).stdout).toContain('parameter AMOUNT');
    expect((await kassa(['explain', '4/108', '--json'])).stdout).toContain('"secondCode":108');
    const robokassa = await kassa(['explain', '29']);
    expect(robokassa.code).toBe(0);
    expect(robokassa.stdout).toMatch(/^Robokassa error 29: wrong SignatureValue/);
    expect((await kassa(['robokassa', 'explain', '29'])).stdout).toBe(robokassa.stdout);
    expect((await kassa(['explain', '--help'])).stdout).toContain('kassa assist explain');
  });
});

describe('help', () => {
  test('the top-level help lists both gateways and the sandbox serves both', async () => {
    const run = await kassa(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Robokassa:\n {2}kassa robokassa sign/);
    expect(run.stdout).toMatch(/Assist:\n {2}kassa assist sign/);
    expect(run.stdout).toContain('kassa assist check-notification');
    expect(run.stdout).toContain('kassa assist explain');
    expect(run.stdout).toMatch(/kassa sandbox .*Robokassa and Assist/);
    const group = await kassa(['assist']);
    expect(group.code).toBe(0);
    expect(group.stdout).toContain('kassa assist sign');
    expect(group.stdout).toContain('kassa assist check-notification');
    expect((await kassa(['assist', 'pay'])).code).toBe(2);
  });

  test("the sandbox's own help mentions Assist", async () => {
    const run = await kassa(['sandbox', 'help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Assist');
  });
});
