import type { ExecArgs } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, Modules, ProductStatus } from '@medusajs/framework/utils';
import {
  createApiKeysWorkflow,
  createInventoryLevelsWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createShippingOptionsWorkflow,
  createShippingProfilesWorkflow,
  createStockLocationsWorkflow,
  createTaxRegionsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
  linkSalesChannelsToStockLocationWorkflow,
  updateRegionsWorkflow,
  updateStoresWorkflow,
} from '@medusajs/medusa/core-flows';

/** The provider id Medusa registers for `{ resolve: '@kassa/medusa/providers/robokassa', id: 'robokassa' }`. */
export const ROBOKASSA_PROVIDER_ID = 'pp_robokassa_robokassa';

/** The provider id for `{ resolve: '@kassa/medusa/providers/assist', id: 'assist' }`. */
export const ASSIST_PROVIDER_ID = 'pp_assist_assist';

/** The storefront's publishable key (Medusa's own migrations create another one, for its default channel). */
export const STOREFRONT_KEY_TITLE = 'Kassa storefront';

/**
 * A shop in Russia: RUB region with Robokassa and Assist, one product, flat-rate courier shipping, and a publishable key the
 * storefront uses. Idempotent enough for a demo: it does nothing when the region already exists.
 */
export default async function seed({ container }: ExecArgs): Promise<void> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER);
  const query = container.resolve(ContainerRegistrationKeys.QUERY);
  const link = container.resolve(ContainerRegistrationKeys.LINK);

  const { data: regions } = await query.graph({ entity: 'region', fields: ['id'], filters: { currency_code: 'rub' } });
  if (regions.length > 0) {
    // A shop seeded before Assist was offered gets it now; the rest stays as it is.
    await updateRegionsWorkflow(container).run({
      input: {
        selector: { id: regions.map((r: { id: string }) => r.id) },
        update: { payment_providers: [ROBOKASSA_PROVIDER_ID, ASSIST_PROVIDER_ID, 'pp_system_default'] },
      },
    });
    logger.info('seed: a RUB region exists already, its payment providers are brought up to date');
    return;
  }

  const { result: channels } = await createSalesChannelsWorkflow(container).run({
    input: { salesChannelsData: [{ name: 'Web shop' }] },
  });
  const channel = channels[0]!;

  const { data: stores } = await query.graph({ entity: 'store', fields: ['id'] });
  if (stores[0]) {
    await updateStoresWorkflow(container).run({
      input: {
        selector: { id: stores[0].id },
        update: {
          name: 'Kassa demo shop',
          supported_currencies: [{ currency_code: 'rub', is_default: true }],
          default_sales_channel_id: channel.id,
        },
      },
    });
  }

  const { result: keys } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: STOREFRONT_KEY_TITLE, type: 'publishable', created_by: '' }] },
  });
  const key = keys[0]!;
  await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: key.id, add: [channel.id] } });

  const { result: newRegions } = await createRegionsWorkflow(container).run({
    input: {
      regions: [
        {
          name: 'Россия',
          currency_code: 'rub',
          countries: ['ru'],
          automatic_taxes: true,
          payment_providers: [ROBOKASSA_PROVIDER_ID, ASSIST_PROVIDER_ID, 'pp_system_default'],
        },
      ],
    },
  });
  const region = newRegions[0]!;
  await createTaxRegionsWorkflow(container).run({ input: [{ country_code: 'ru', provider_id: 'tp_system' }] });

  const { result: locations } = await createStockLocationsWorkflow(container).run({
    input: { locations: [{ name: 'Склад Москва', address: { city: 'Москва', country_code: 'RU', address_1: '' } }] },
  });
  const location = locations[0]!;
  await link.create({
    [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
    [Modules.FULFILLMENT]: { fulfillment_provider_id: 'manual_manual' },
  });
  await linkSalesChannelsToStockLocationWorkflow(container).run({ input: { id: location.id, add: [channel.id] } });

  const fulfillment = container.resolve(Modules.FULFILLMENT);
  const profiles = await fulfillment.listShippingProfiles({ type: 'default' });
  const profile =
    profiles[0] ??
    (
      await createShippingProfilesWorkflow(container).run({
        input: { data: [{ name: 'Default', type: 'default' }] },
      })
    ).result[0]!;
  const set = await fulfillment.createFulfillmentSets({
    name: 'Доставка по России',
    type: 'shipping',
    service_zones: [{ name: 'Россия', geo_zones: [{ country_code: 'ru', type: 'country' }] }],
  });
  await link.create({
    [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
    [Modules.FULFILLMENT]: { fulfillment_set_id: set.id },
  });
  await createShippingOptionsWorkflow(container).run({
    input: [
      {
        name: 'Курьер',
        price_type: 'flat',
        provider_id: 'manual_manual',
        service_zone_id: set.service_zones[0]!.id,
        shipping_profile_id: profile.id,
        type: { label: 'Курьер', description: '1–3 дня', code: 'courier' },
        prices: [
          { currency_code: 'rub', amount: 300 },
          { region_id: region.id, amount: 300 },
        ],
        rules: [
          { attribute: 'enabled_in_store', value: 'true', operator: 'eq' },
          { attribute: 'is_return', value: 'false', operator: 'eq' },
        ],
      },
    ],
  });

  const { result: products } = await createProductsWorkflow(container).run({
    input: {
      products: [
        {
          title: 'Самовар «Тульский»',
          handle: 'samovar',
          description: 'Электрический самовар, 3 л.',
          status: ProductStatus.PUBLISHED,
          shipping_profile_id: profile.id,
          options: [{ title: 'Объём', values: ['3 л'] }],
          variants: [
            {
              title: '3 л',
              sku: 'SAMOVAR-3L',
              options: { Объём: '3 л' },
              manage_inventory: true,
              prices: [{ currency_code: 'rub', amount: 1234.5 }],
            },
          ],
          sales_channels: [{ id: channel.id }],
        },
      ],
    },
  });
  const { data: items } = await query.graph({
    entity: 'inventory_item',
    fields: ['id'],
    filters: { sku: 'SAMOVAR-3L' },
  });
  await createInventoryLevelsWorkflow(container).run({
    input: {
      inventory_levels: items.map((item: { id: string }) => ({
        inventory_item_id: item.id,
        location_id: location.id,
        stocked_quantity: 1_000_000,
      })),
    },
  });

  logger.info(
    `seed: region ${region.id}, product ${products[0]?.id}, publishable key ${key.token} (sales channel ${channel.id})`,
  );
}
