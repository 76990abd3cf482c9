import { KassaError } from '@kassa/core';
import { z } from 'zod';

/**
 * The Medusa settings every gateway's provider has, with the same meaning: when the reconcile job asks the gateway
 * about a pending payment, how long a notification waits for the order, when an unknown invoice is given up.
 */
export const settlingFields = {
  /** Payments still pending after this many minutes are checked with the gateway's status call by the reconcile job. */
  reconcileAfterMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(10),
  /**
   * How long a notification waits for Medusa to complete the order before the gateway gets its answer (ms). The
   * payment is already recorded durably when the wait starts; past it the gateway is answered and the settle outbox
   * finishes the order in the background (and the reconcile job after a crash), so a slow cart completion never
   * makes the gateway wait or retry. 0 answers at once.
   */
  settleWaitMs: z.number().int().min(0).max(60_000).default(1000),
  /** Pending payments the gateway still does not know after this many hours are marked failed. */
  expireAfterHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(48),
};

/** The settling settings as parsed (both gateways' `medusa` settings include them). */
export type SettlingSettings = z.output<z.ZodObject<typeof settlingFields>>;

/** One wrong or missing option: its key path and what is wrong with it (never its value). */
export interface OptionIssue {
  key: string;
  problem: string;
}

/** One entry per offending key: zod reports unknown keys as one issue on their parent, so it is split here. */
function issuesOf(error: z.ZodError): OptionIssue[] {
  return error.issues.flatMap((i) => {
    const at = i.path.map(String);
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((key) => ({ key: [...at, key].join('.'), problem: 'unknown key' }));
    }
    return [{ key: at.join('.') || '(root)', problem: i.message }];
  });
}

export interface OptionsSpec<Core extends z.ZodType, Medusa extends z.ZodType> {
  /** The gateway's name in the message (`Robokassa`, `Assist`). */
  gateway: string;
  /** Keys owned by core's merchant schema; every other key belongs to the Medusa schema. */
  coreKeys: readonly string[];
  /** Keys that are not the merchant's (Medusa adds `database` to module and provider options): dropped. */
  ignoredKeys: readonly string[];
  coreSchema: Core;
  medusaSchema: Medusa;
  /** Rules across both parts, checked once both parse. */
  check?: ((core: z.output<Core>, medusa: z.output<Medusa>) => OptionIssue[]) | undefined;
}

/**
 * A gateway's provider options, validated by one call: the gateway's own settings (core's schema) plus what is
 * specific to Medusa, every wrong or missing key named in a single CONFIG_INVALID, never a value. `coreInput` is the
 * gateway's part as given (core's `create…Config` takes it).
 */
export function parseGatewayOptions<Core extends z.ZodType, Medusa extends z.ZodType>(
  spec: OptionsSpec<Core, Medusa>,
  input: unknown,
): { coreInput: Record<string, unknown>; core: z.output<Core>; medusa: z.output<Medusa> } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new KassaError('CONFIG_INVALID', `${spec.gateway} options must be an object (see @kassa/medusa README)`, {
      details: { issues: [{ key: '(root)', problem: 'not an object' }] },
    });
  }
  const coreInput: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (spec.ignoredKeys.includes(key)) continue;
    if (spec.coreKeys.includes(key)) coreInput[key] = value;
    else rest[key] = value;
  }
  const issues: OptionIssue[] = [];
  const core = spec.coreSchema.safeParse(coreInput);
  if (!core.success) issues.push(...issuesOf(core.error));
  const medusa = spec.medusaSchema.safeParse(rest);
  if (!medusa.success) issues.push(...issuesOf(medusa.error));
  if (core.success && medusa.success && spec.check) issues.push(...spec.check(core.data, medusa.data));
  if (issues.length > 0 || !core.success || !medusa.success) {
    throw new KassaError(
      'CONFIG_INVALID',
      `Invalid ${spec.gateway} options: ${[...new Set(issues.map((i) => `${i.key} (${i.problem})`))].join('; ')}`,
      { details: { issues } },
    );
  }
  return { coreInput, core: core.data, medusa: medusa.data };
}
