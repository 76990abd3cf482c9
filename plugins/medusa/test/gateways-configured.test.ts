import { describe, expect, test } from 'vitest';
import RobokassaModuleService, { type KnexLike } from '../src/modules/robokassa/service';

const robokassa = { login: 'shop', password1: 'p1', password2: 'p2' };
const assist = { merchantId: '679471', secretWord: 's', login: 'ws_user_01', password: 'ws-password' };

/** A module built as Medusa builds it; no query runs here, so the pool is never used. */
function plugin(pluginOptions: Record<string, unknown>, providers: Array<{ resolve: string; options: unknown }> = []) {
  const configModule = { modules: { payment: { options: { providers } } } };
  const silent = { info() {}, warn() {}, error() {} } as never;
  return new RobokassaModuleService(
    { __pg_connection__: (() => undefined) as unknown as KnexLike, logger: silent, configModule },
    pluginOptions,
  );
}

/** Which gateways a shop configured decides which reconcile jobs run and where the Assist routes read options. */
describe('gateways a shop configured', () => {
  test('Robokassa only: the plugin options', () => {
    const p = plugin(robokassa);
    expect([p.hasRobokassa(), p.hasAssist()]).toEqual([true, false]);
    expect(p.configuredGateways()).toEqual(['robokassa']);
    expect(p.port('robokassa').settling.settleWaitMs).toBe(1000);
  });

  test('Assist only, in the plugin entry: no Robokassa job, the Assist settings from `assist`', () => {
    const p = plugin({ assist });
    expect([p.hasRobokassa(), p.hasAssist()]).toEqual([false, true]);
    expect(p.assist().settings.assist.merchantId).toBe('679471');
    expect(p.configuredGateways()).toEqual(['assist']);
    expect(p.port('assist').gateway.id).toBe('assist');
  });

  test('both, from the payment providers: the first Assist provider gives the routes their settings', () => {
    const p = plugin({}, [
      { resolve: '@kassa/medusa/providers/robokassa', options: robokassa },
      { resolve: '@kassa/medusa/providers/assist', options: { ...assist, hold: false } },
      { resolve: '@kassa/medusa/providers/assist', options: { ...assist, merchantId: '1', hold: true } },
    ]);
    expect([p.hasRobokassa(), p.hasAssist()]).toEqual([true, true]);
    expect(p.assist().settings.assist.merchantId).toBe('679471');
    expect(p.settings().robokassa.login).toBe('shop');
    expect(p.configuredGateways()).toEqual(['robokassa', 'assist']);
  });

  test('neither', () => {
    const p = plugin({});
    expect([p.hasRobokassa(), p.hasAssist()]).toEqual([false, false]);
    expect(p.configuredGateways()).toEqual([]);
  });
});
