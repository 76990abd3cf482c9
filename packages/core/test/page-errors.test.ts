import { describe, expect, test } from 'vitest';
import { explainRobokassaError, ROBOKASSA_PAGE_ERROR_CODES } from '../src/robokassa/page-errors.js';

describe('explainRobokassaError', () => {
  test('error 29 names the five usual reasons', () => {
    const e = explainRobokassaError(29);
    expect(e?.meaning).toBe('wrong SignatureValue');
    expect(e?.causes).toHaveLength(5);
    expect(e?.causes.join(' ')).toMatch(/test Password #1.*shop identifier.*algorithm.*Shp_.*OutSum/s);
  });

  test('covers every code of the protocol notes §1.6 and nothing else', () => {
    expect(ROBOKASSA_PAGE_ERROR_CODES).toEqual([
      20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 40, 41, 43, 51, 52, 53, 64, 65, 500,
    ]);
    for (const code of ROBOKASSA_PAGE_ERROR_CODES) {
      const e = explainRobokassaError(code);
      expect(e?.code).toBe(code);
      expect(e?.causes.length).toBeGreaterThan(0);
    }
    expect(explainRobokassaError(99)).toBeUndefined();
  });
});
