import type { MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, Modules, ProductStatus } from '@medusajs/framework/utils';
import {
  createApiKeysWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createShippingOptionsWorkflow,
  createShippingProfilesWorkflow,
  createStockLocationsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
  linkSalesChannelsToStockLocationWorkflow,
} from '@medusajs/medusa/core-flows';
import { PROVIDERS } from './merchant';

export interface SeededShop {
  regionId: string;
  variantId: string;
  shippingOptionId: string;
  publishableKey: string;
}

/**
 * A RUB region offering the four Robokassa providers, a product at 1234.50 ₽ (no inventory management) and a
 * 300 ₽ courier: 2 × 1234.50 + 300 = 2769.00 ₽ carts with kopecks in the line prices.
 */
export async function seedShop(container: MedusaContainer): Promise<SeededShop> {
  const link = container.resolve(ContainerRegistrationKeys.LINK);
  const { result: channels } = await createSalesChannelsWorkflow(container).run({
    input: { salesChannelsData: [{ name: 'Web' }] },
  });
  const channel = channels[0]!;
  const { result: keys } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: 'store', type: 'publishable', created_by: '' }] },
  });
  const key = keys[0]!;
  await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: key.id, add: [channel.id] } });
  const { result: regions } = await createRegionsWorkflow(container).run({
    input: {
      regions: [
        {
          name: 'Россия',
          currency_code: 'rub',
          countries: ['ru'],
          payment_providers: [PROVIDERS.capture, PROVIDERS.hold, PROVIDERS.holdResult2, PROVIDERS.test],
        },
      ],
    },
  });
  const region = regions[0]!;
  const { result: locations } = await createStockLocationsWorkflow(container).run({
    input: { locations: [{ name: 'Склад' }] },
  });
  const location = locations[0]!;
  await link.create({
    [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
    [Modules.FULFILLMENT]: { fulfillment_provider_id: 'manual_manual' },
  });
  await linkSalesChannelsToStockLocationWorkflow(container).run({ input: { id: location.id, add: [channel.id] } });
  const fulfillment = container.resolve(Modules.FULFILLMENT);
  const {
    result: [profile],
  } = await createShippingProfilesWorkflow(container).run({ input: { data: [{ name: 'Default', type: 'default' }] } });
  const set = await fulfillment.createFulfillmentSets({
    name: 'Россия',
    type: 'shipping',
    service_zones: [{ name: 'Россия', geo_zones: [{ country_code: 'ru', type: 'country' }] }],
  });
  await link.create({
    [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
    [Modules.FULFILLMENT]: { fulfillment_set_id: set.id },
  });
  const { result: options } = await createShippingOptionsWorkflow(container).run({
    input: [
      {
        name: 'Курьер',
        price_type: 'flat',
        provider_id: 'manual_manual',
        service_zone_id: set.service_zones[0]!.id,
        shipping_profile_id: profile!.id,
        type: { label: 'Курьер', description: '1–3 дня', code: 'courier' },
        prices: [{ currency_code: 'rub', amount: 300 }],
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
          title: 'Самовар',
          status: ProductStatus.PUBLISHED,
          shipping_profile_id: profile!.id,
          options: [{ title: 'Объём', values: ['3 л'] }],
          variants: [
            {
              title: '3 л',
              options: { Объём: '3 л' },
              manage_inventory: false,
              prices: [{ currency_code: 'rub', amount: 1234.5 }],
            },
          ],
          sales_channels: [{ id: channel.id }],
        },
      ],
    },
  });
  return {
    regionId: region.id,
    variantId: products[0]!.variants[0]!.id,
    shippingOptionId: options[0]!.id,
    publishableKey: key.token,
  };
}
