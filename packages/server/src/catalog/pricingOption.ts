import { ModelPricingSchema, ServerToolPricingSchema, ServiceTierPricingSchema, PriceTierSchema } from '@aiu/core';
import type { PricingOption } from './priceBook';

/** The fields each part of a price may have, to name the one a misspelled field meant. */
const FIELDS = {
  price: Object.keys(ModelPricingSchema.shape),
  tier: Object.keys(PriceTierSchema.shape),
  serviceTier: Object.keys(ServiceTierPricingSchema.shape),
  serverTools: Object.keys(ServerToolPricingSchema.shape),
};

/**
 * `createAiu({ pricing })` checked at startup: a misspelled field (`cacheWrite1H`) would
 * otherwise be dropped and the call priced without it. Names the path and the nearest field.
 */
export function validatePricing(pricing: PricingOption): PricingOption {
  for (const [model, price] of Object.entries(pricing)) {
    const at = `pricing["${model}"]`;
    rejectUnknown(price, FIELDS.price, at);
    for (const [i, tier] of (price.tiers ?? []).entries()) rejectUnknown(tier, FIELDS.tier, `${at}.tiers[${i}]`);
    for (const [name, tier] of Object.entries(price.serviceTiers ?? {})) rejectUnknown(tier, FIELDS.serviceTier, `${at}.serviceTiers.${name}`);
    if (price.serverTools) rejectUnknown(price.serverTools, FIELDS.serverTools, `${at}.serverTools`);
    const parsed = ModelPricingSchema.safeParse(price);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TypeError(`[aiu] ${at}${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'not a valid price'} (prices are USD per 1M tokens).`);
    }
  }
  return pricing;
}

function rejectUnknown(value: object, known: readonly string[], at: string): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const nearest = nearestOf(key, known);
    throw new TypeError(`[aiu] ${at}.${key} is not a price field${nearest ? ` — did you mean ${nearest}?` : ''} (fields: ${known.join(', ')}).`);
  }
}

/** The known name closest to `name` by edit distance, if it is close enough to be a typo. */
export function nearestOf(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.round(name.length / 2.5)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
