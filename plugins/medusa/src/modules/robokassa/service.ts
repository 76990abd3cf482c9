import {
  GATEWAY_IDS,
  type Gateway,
  type GatewayId,
  type Logger as KassaLogger,
  memoizeSettled,
  type NotificationJournal,
  type PaymentLedger,
  type SqlClient,
  SqlLedger,
  SqlNotificationJournal,
  sqlClientFromKnex,
} from '@kassa/core';
import { AssistGateway } from '@kassa/core/assist';
import { RobokassaGateway } from '@kassa/core/robokassa';
import type { Logger } from '@medusajs/framework/types';
import { InstanceHeartbeat, type InstancesView, type LockingInfo, lockingOf } from '../../lib/instances';
import { kassaLogger } from '../../lib/logger';
import { parsePluginOptions, type RobokassaPluginOptions } from '../../lib/options';
import { type AssistPluginOptions, parseAssistOptions } from '../../lib/options-assist';
import type { SettlingSettings } from '../../lib/options-parse';
import { resolveAssistOptionsFromConfig, resolveOptionsFromConfig } from '../../lib/options-source';

/** The part of knex the ledger calls (Medusa's shared pool, `__pg_connection__`). */
export type KnexLike = Parameters<typeof sqlClientFromKnex>[0];

interface Cradle {
  __pg_connection__: KnexLike;
  logger: Logger;
  configModule: unknown;
}

/** Core's SQL ledger (table `kassa_payment`) over Medusa's shared Postgres pool. */
export function medusaLedger(connection: KnexLike): PaymentLedger {
  return new SqlLedger(sqlClientFromKnex(connection), { dialect: 'postgres' });
}

/**
 * The plugin's own module: the ledger, the validated merchant settings, the Robokassa gateway and the guarded logger
 * for the plugin's routes and job. The payment provider lives in the Payment module's container and builds its own
 * ledger over the same shared Postgres pool, so both see the same rows. The ledger's table is core's, created by
 * this module's migrations (see ./migrations).
 */
export default class RobokassaModuleService {
  readonly ledger: PaymentLedger;
  /**
   * The same ledger for the notification routes, answering copies of an already paid and settled invoice's
   * notification from memory (core's `memoizeSettled`: same replies, no database round trip per copy).
   */
  readonly notificationLedger: PaymentLedger;
  /** Every notification's outcome (table `kassa_notification`), for the Payments page's notification health. */
  readonly notifications: NotificationJournal;
  /** Medusa's shared Postgres pool behind core's SQL client (the settle step's cart lock, lib/cart-lock.ts). */
  readonly sql: SqlClient;
  /** This instance's row in `kassa_instance` (lib/instances.ts), beating from application start to shutdown. */
  readonly heartbeat: InstanceHeartbeat;
  #locking: LockingInfo | undefined;
  readonly #options: unknown;
  readonly #configModule: unknown;
  readonly #medusaLogger: Logger;
  #settings: RobokassaPluginOptions | undefined;
  #gateway: RobokassaGateway | undefined;
  #log: KassaLogger | undefined;
  #assist: { settings: AssistPluginOptions; gateway: AssistGateway; log: KassaLogger } | undefined;

  constructor(cradle: Cradle, options?: Record<string, unknown>) {
    this.ledger = medusaLedger(cradle.__pg_connection__);
    this.sql = sqlClientFromKnex(cradle.__pg_connection__);
    this.heartbeat = new InstanceHeartbeat(this.sql, cradle.logger, () => this.locking());
    this.notificationLedger = memoizeSettled(this.ledger);
    // Batched: a burst of duplicate callbacks costs one insert a second, not one per callback (the Payments page's
    // read writes what is pending first).
    this.notifications = new SqlNotificationJournal(sqlClientFromKnex(cradle.__pg_connection__), {
      dialect: 'postgres',
      batchMs: 1000,
      onBatchError: (error) =>
        cradle.logger.warn(`KASSA_NOTIFICATION_JOURNAL_FAILED ${error instanceof Error ? error.name : 'unknown'}`),
    });
    this.#options = options;
    this.#configModule = cradle.configModule;
    this.#medusaLogger = cradle.logger;
  }

  /**
   * Medusa's module lifecycle: the heartbeat starts once every module is loaded (the locking module included) and
   * stops with the app, deleting this instance's row so a restart is not counted as a second instance.
   */
  readonly __hooks = {
    onApplicationStart: async (): Promise<void> => {
      // The app's container (the module's own holds only its declared dependencies, not the locking module).
      const { container } = await import('@medusajs/framework');
      this.#locking = lockingOf(container);
      await this.heartbeat.start();
    },
    onApplicationShutdown: async (): Promise<void> => {
      await this.heartbeat.stop({ forget: true });
    },
  };

  /** The app's default locking provider, as read at application start (in-memory until then). */
  locking(): LockingInfo {
    return this.#locking ?? { provider: 'in-memory', shared: false };
  }

  /** Instances on this database and whether their locking is shared, for the admin (one cheap query). */
  instances(): Promise<InstancesView> {
    return this.heartbeat.view();
  }

  /**
   * The merchant settings: the options given to the plugin entry in medusa-config, or else the Robokassa payment
   * provider's (so a shop can write them once). Parsed on first use and cached; invalid settings throw CONFIG_INVALID.
   */
  settings(): RobokassaPluginOptions {
    this.#settings ??= parsePluginOptions(resolveOptionsFromConfig(this.#options, this.#configModule));
    return this.#settings;
  }

  /** Robokassa behind core's `Gateway` port (with its method catalog, and the ResultUrl2 certificate if set). */
  gateway(): RobokassaGateway {
    this.#gateway ??= robokassaGatewayFor(this.settings());
    return this.#gateway;
  }

  /** Medusa's logger behind core's guard, with the merchant's passwords masked. */
  log(): KassaLogger {
    this.#log ??= kassaLogger(this.#medusaLogger, this.gateway().secrets);
    return this.#log;
  }

  /** Whether the shop configured Robokassa (plugin options beyond `assist`, or a Robokassa payment provider). */
  hasRobokassa(): boolean {
    const options = resolveOptionsFromConfig(this.#options, this.#configModule);
    return (
      options !== null &&
      typeof options === 'object' &&
      Object.keys(options).some((key) => key !== 'assist' && key !== 'database')
    );
  }

  /** The gateways this shop configured (a shop may run one of them only), in `GATEWAY_IDS` order. */
  configuredGateways(): GatewayId[] {
    return GATEWAY_IDS.filter((id) => (id === 'assist' ? this.hasAssist() : this.hasRobokassa()));
  }

  /** One configured gateway behind core's port, with its guarded logger and its Medusa-side settling settings. */
  port(id: GatewayId): { gateway: Gateway; log: KassaLogger; settling: SettlingSettings } {
    if (id === 'assist') {
      const assist = this.assist();
      return { gateway: assist.gateway, log: assist.log, settling: assist.settings.medusa };
    }
    return { gateway: this.gateway(), log: this.log(), settling: this.settings().medusa };
  }

  /** Whether the shop configured Assist (plugin `assist` options or an Assist payment provider). */
  hasAssist(): boolean {
    return resolveAssistOptionsFromConfig(this.#options, this.#configModule) !== undefined;
  }

  /**
   * Assist for the plugin's routes and job: its settings (see lib/options-source.ts for where they come from), the
   * gateway behind core's port and a logger masking the secret word and the web-service user. Same ledger.
   */
  assist(): { settings: AssistPluginOptions; gateway: AssistGateway; log: KassaLogger } {
    if (!this.#assist) {
      const options = resolveAssistOptionsFromConfig(this.#options, this.#configModule);
      const settings = parseAssistOptions(options ?? {});
      const gateway = new AssistGateway(settings.assist);
      this.#assist = { settings, gateway, log: kassaLogger(this.#medusaLogger, gateway.secrets, 'assist') };
    }
    return this.#assist;
  }
}

export function robokassaGatewayFor(settings: RobokassaPluginOptions): RobokassaGateway {
  const certificate = settings.medusa.resultUrl2Certificate;
  return new RobokassaGateway(settings.robokassa, certificate ? { resultUrl2Certificate: certificate } : {});
}
