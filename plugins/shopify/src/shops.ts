/** Shop settings: the gateway and its credentials (encrypted), the `externalHandle` and whether Shopify was told ready. */
import type { Gateway } from '@kassa/core';
import type { KeyRing } from './crypto.js';
import type { Database } from './db.js';
import { createGateway, type GatewaySettings, gatewaySettingsSchema } from './gateways.js';

export interface ShopRow {
  shop: string;
  gateway: GatewaySettings['gateway'];
  settings: GatewaySettings;
  externalHandle: string;
  ready: boolean;
  installed: boolean;
  updatedAt: number;
}

export class Shops {
  readonly #db: Database;
  readonly #keys: KeyRing;
  readonly #gateways = new Map<string, { updatedAt: number; gateway: Gateway }>();

  constructor(db: Database, keys: KeyRing) {
    this.#db = db;
    this.#keys = keys;
  }

  async get(shop: string): Promise<ShopRow | undefined> {
    const [row] = await this.#db.client.query<Record<string, unknown>>(
      'select shop, gateway, settings, external_handle, ready, installed, updated_at from kassa_shopify_shop where shop = ?',
      [shop],
    );
    if (!row) return undefined;
    const settings = gatewaySettingsSchema.parse(JSON.parse(this.#keys.decrypt(String(row.settings), shop)));
    return {
      shop,
      gateway: settings.gateway,
      settings,
      externalHandle: String(row.external_handle),
      ready: Number(row.ready) === 1,
      installed: Number(row.installed) === 1,
      updatedAt: Number(row.updated_at),
    };
  }

  /** The shop's gateway, rebuilt only when its settings changed (another instance may have changed them). */
  async gateway(shop: string): Promise<{ row: ShopRow; gateway: Gateway } | undefined> {
    const row = await this.get(shop);
    if (!row?.installed) return undefined;
    const cached = this.#gateways.get(shop);
    if (cached && cached.updatedAt === row.updatedAt) return { row, gateway: cached.gateway };
    const gateway = createGateway(row.settings);
    this.#gateways.set(shop, { updatedAt: row.updatedAt, gateway });
    return { row, gateway };
  }

  async save(shop: string, settings: GatewaySettings, externalHandle: string, ready: boolean): Promise<void> {
    const envelope = this.#keys.encrypt(JSON.stringify(settings), shop);
    const now = Date.now();
    await this.#db.client.query(
      `insert into kassa_shopify_shop (shop, gateway, settings, external_handle, ready, installed, updated_at)
       values (?, ?, ?, ?, ?, 1, ?)
       on conflict (shop) do update set gateway = excluded.gateway, settings = excluded.settings,
         external_handle = excluded.external_handle, ready = excluded.ready, installed = 1, updated_at = excluded.updated_at`,
      [shop, settings.gateway, envelope, externalHandle, ready ? 1 : 0, now],
    );
  }

  async setReady(shop: string, ready: boolean): Promise<void> {
    await this.#db.client.query('update kassa_shopify_shop set ready = ?, updated_at = ? where shop = ?', [
      ready ? 1 : 0,
      Date.now(),
      shop,
    ]);
  }

  async setInstalled(shop: string, installed: boolean): Promise<void> {
    await this.#db.client.query('update kassa_shopify_shop set installed = ?, updated_at = ? where shop = ?', [
      installed ? 1 : 0,
      Date.now(),
      shop,
    ]);
  }

  async delete(shop: string): Promise<void> {
    await this.#db.client.query('delete from kassa_shopify_shop where shop = ?', [shop]);
    this.#gateways.delete(shop);
  }

  /**
   * Key rotation: re-encrypts every shop's settings with the primary key. Returns how many rows moved. Run it after
   * putting the new key first in `KASSA_SHOPIFY_KEYS`; remove the old key only after it returns.
   */
  async rotate(): Promise<number> {
    const rows = await this.#db.client.query<{ shop: string; settings: string }>(
      'select shop, settings from kassa_shopify_shop',
      [],
    );
    let moved = 0;
    for (const row of rows) {
      if (this.#keys.keyIdOf(row.settings) === this.#keys.primary) continue;
      const plain = this.#keys.decrypt(row.settings, row.shop);
      const updated = await this.#db.client.query(
        'update kassa_shopify_shop set settings = ? where shop = ? and settings = ? returning shop',
        [this.#keys.encrypt(plain, row.shop), row.shop, row.settings],
      );
      moved += updated.length;
    }
    return moved;
  }

  /** The raw stored envelope (tests check nothing readable is at rest). */
  async rawSettings(shop: string): Promise<string | undefined> {
    const [row] = await this.#db.client.query<{ settings: string }>(
      'select settings from kassa_shopify_shop where shop = ?',
      [shop],
    );
    return row?.settings;
  }
}
