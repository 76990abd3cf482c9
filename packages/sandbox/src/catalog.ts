/**
 * The payment-method catalog, shaped like GetCurrencies (§3.2): groups with a `Code` and a `Description`,
 * each holding currencies with `Label`, `Alias`, `Name` and optional `MinValue` / `MaxValue` in roubles.
 * The payment page, GetCurrencies, GetPaymentMethods, GetRates and CalcOutSumm all read this one structure.
 */
export interface PaymentMethod {
  label: string;
  alias: string;
  name: string;
  nameEn?: string | undefined;
  minValue?: number | undefined;
  maxValue?: number | undefined;
  /** Overrides the merchant's commission for this method (what `Fee` and CalcOutSumm use). */
  commissionPercent?: number | undefined;
}

export interface PaymentMethodGroup {
  code: string;
  description: string;
  descriptionEn?: string | undefined;
  methods: PaymentMethod[];
}

/**
 * A realistic default: the groups and labels of the live GetCurrencies sample in the protocol notes (§3.2),
 * minus the long-closed wallets, plus SBP and Mir Pay.
 */
export function defaultCatalog(): PaymentMethodGroup[] {
  return [
    {
      code: 'BankCard',
      description: 'Банковской картой',
      descriptionEn: 'Bank card',
      methods: [
        { label: 'BankCardPSR', alias: 'BankCard', name: 'Банковская карта', nameEn: 'Bank card' },
        { label: 'YandexPayPSR', alias: 'YandexPay', name: 'Яндекс Pay', nameEn: 'Yandex Pay', maxValue: 40000 },
        { label: 'MirPayPSR', alias: 'MirPay', name: 'Mir Pay', nameEn: 'Mir Pay', maxValue: 40000 },
      ],
    },
    {
      code: 'SBP',
      description: 'Система быстрых платежей',
      descriptionEn: 'Faster Payments System',
      methods: [{ label: 'SBPPSR', alias: 'SBP', name: 'СБП', nameEn: 'SBP', minValue: 1, maxValue: 1000000 }],
    },
    {
      code: 'EMoney',
      description: 'Электронным кошельком',
      descriptionEn: 'E-wallet',
      methods: [
        { label: 'YandexMerchantPS5R', alias: 'YandexMoney', name: 'ЮMoney', nameEn: 'YooMoney', maxValue: 15000 },
        { label: 'WMR20PM', alias: 'WMR', name: 'WMR', nameEn: 'WMR' },
      ],
    },
    {
      code: 'Mobile',
      description: 'Сотовые операторы',
      descriptionEn: 'Mobile operators',
      methods: [
        { label: 'RuRuBeelinePSR', alias: 'PhoneBeeline', name: 'Билайн', nameEn: 'Beeline', maxValue: 14354 },
        { label: 'MixplatMTSRIBR', alias: 'PhoneMTS', name: 'МТС', nameEn: 'MTS', minValue: 10, maxValue: 15000 },
        {
          label: 'MixplatMegafonRIBR',
          alias: 'PhoneMegafon',
          name: 'МегаФон',
          nameEn: 'MegaFon',
          minValue: 10,
          maxValue: 15000,
        },
        {
          label: 'MixplatTele2RIBR',
          alias: 'PhoneTele2',
          name: 'Tele2',
          nameEn: 'Tele2',
          minValue: 10,
          maxValue: 15000,
        },
      ],
    },
    {
      code: 'Terminals',
      description: 'В терминале',
      descriptionEn: 'Payment terminals',
      methods: [
        {
          label: 'TerminalsElecsnetOceanR',
          alias: 'TerminalsElecsnet',
          name: 'Элекснет',
          nameEn: 'Elecsnet',
          maxValue: 15000,
        },
      ],
    },
  ];
}

export interface CatalogEntry {
  group: PaymentMethodGroup;
  method: PaymentMethod;
}

/** Whether an amount (minor units) is within a method's MinValue/MaxValue, both in major units. */
export function methodAllows(method: PaymentMethod, amountMinor: number): boolean {
  if (method.minValue !== undefined && amountMinor < Math.round(method.minValue * 100)) return false;
  if (method.maxValue !== undefined && amountMinor > Math.round(method.maxValue * 100)) return false;
  return true;
}

/**
 * The methods a buyer may pick on the payment page: within the amount limits and, when the shop sent
 * `PaymentMethods=…`, in one of those groups (a value may name a group code or a method alias).
 */
export function availableGroups(
  catalog: readonly PaymentMethodGroup[],
  amountMinor: number,
  restrictTo: readonly string[],
): PaymentMethodGroup[] {
  const wanted = new Set(restrictTo.map((v) => v.toLowerCase()));
  const groups: PaymentMethodGroup[] = [];
  for (const group of catalog) {
    const methods = group.methods.filter(
      (m) =>
        methodAllows(m, amountMinor) &&
        (wanted.size === 0 || wanted.has(group.code.toLowerCase()) || wanted.has(m.alias.toLowerCase())),
    );
    if (methods.length > 0) groups.push({ ...group, methods });
  }
  return groups;
}

export function findMethod(catalog: readonly PaymentMethodGroup[], label: string): CatalogEntry | undefined {
  for (const group of catalog) {
    for (const method of group.methods) if (method.label === label) return { group, method };
  }
  return undefined;
}
