import { createMethodCatalog, type MethodCatalog } from '@kassa/core';
import type { Logger } from '@medusajs/framework/types';
import { MedusaService } from '@medusajs/framework/utils';
import { parsePluginOptions, type RobokassaPluginOptions } from '../../lib/options';
import { resolveOptionsFromConfig } from '../../lib/options-source';
import { PostgresPaymentLedger } from './ledger/postgres-ledger';
import { type KnexLike, sqlClientFromKnex } from './ledger/sql';
import { RobokassaPayment } from './models/robokassa-payment';

interface Cradle {
  __pg_connection__: KnexLike;
  logger: Logger;
  configModule: unknown;
}

/**
 * The plugin's own module: the ledger (InvId ↔ payment session, amount, state) and the validated merchant settings
 * for the plugin's routes and job. The payment provider lives in the Payment module's container and builds its own
 * ledger over the same shared Postgres pool, so both see the same rows.
 */
export default class RobokassaModuleService extends MedusaService({ RobokassaPayment }) {
  readonly ledger: PostgresPaymentLedger;
  readonly #options: unknown;
  readonly #configModule: unknown;
  #settings: RobokassaPluginOptions | undefined;
  #catalog: MethodCatalog | undefined;

  constructor(cradle: Cradle, options?: Record<string, unknown>) {
    super(cradle);
    this.ledger = new PostgresPaymentLedger(sqlClientFromKnex(cradle.__pg_connection__));
    this.#options = options;
    this.#configModule = cradle.configModule;
  }

  /**
   * The merchant settings: the options given to the plugin entry in medusa-config, or else the Robokassa payment
   * provider's (so a shop can write them once). Parsed on first use and cached; invalid settings throw CONFIG_INVALID.
   */
  settings(): RobokassaPluginOptions {
    this.#settings ??= parsePluginOptions(resolveOptionsFromConfig(this.#options, this.#configModule));
    return this.#settings;
  }

  /** The payment-method catalog (GetCurrencies, cached with a TTL, never blocking a checkout for long). */
  catalog(): MethodCatalog {
    this.#catalog ??= createMethodCatalog({ config: this.settings().robokassa });
    return this.#catalog;
  }
}
