import { createMemoryNotificationJournal, type Logger, type NotificationJournal } from '@kassa/core';
import { describe, expect, test } from 'vitest';
import { healthView, recordNotification } from '../src/lib/notification-journal';

function capture(): Logger & { lines: Array<[string, string, unknown]> } {
  const lines: Array<[string, string, unknown]> = [];
  return {
    lines,
    info: (code, fields) => lines.push(['info', code, fields]),
    warn: (code, fields) => lines.push(['warn', code, fields]),
    error: (code, fields) => lines.push(['error', code, fields]),
  };
}

describe('recordNotification', () => {
  test('records the kind and the stable code, not the message', async () => {
    const journal = createMemoryNotificationJournal({ now: () => new Date('2026-12-04T10:00:00Z') });
    const log = capture();
    await recordNotification(
      journal,
      'robokassa',
      { kind: 'rejected', code: 'SIGNATURE_MISMATCH', status: 400, message: { SignatureValue: 'x' } },
      log,
    );
    expect(healthView(await journal.health('robokassa'))).toEqual({
      last_received_at: '2026-12-04T10:00:00.000Z',
      last_ok_at: null,
      failures_24h: 1,
    });
    expect(log.lines).toEqual([]);
  });

  test('a journal that fails is logged (no error text) and never throws, so the reply stays the same', async () => {
    const broken: NotificationJournal = {
      record: async () => {
        throw new Error('connection refused by password=hunter2');
      },
      health: async () => ({ lastReceivedAt: null, lastOkAt: null, failures24h: 0 }),
    };
    const log = capture();
    await expect(recordNotification(broken, 'assist', { kind: 'retry', code: 'LEDGER_ERROR' }, log)).resolves.toBe(
      undefined,
    );
    expect(log.lines).toEqual([
      ['warn', 'KASSA_NOTIFICATION_JOURNAL_FAILED', { gateway: 'assist', outcome: 'retry', error: 'Error' }],
    ]);
  });
});
