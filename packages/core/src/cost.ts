import type { ModelPricing, PriceTier } from './schemas/models';
import type { Cost, Usage } from './schemas/usage';

/**
 * Prices are USD per 1M tokens. Each is turned into an integer count of 1e-9 USD
 * (per 1M tokens), multiplied by integer token counts and summed as BigInt, so a cost
 * is exact until the single division at the end: no floating-point drift across sums.
 */
const NANO = 1e9;
// 1M tokens × 1e9 nano-USD, written out: a product would be kept by bundlers as a possible side effect.
const SCALE = 1_000_000_000_000_000n;

function nanoPrice(perMillion: number): bigint {
  return BigInt(Math.round(perMillion * NANO));
}

/** The tier that applies to a request of `inputTokens` prompt tokens (the highest one crossed). */
export function selectPriceTier(pricing: ModelPricing, inputTokens: number): ModelPricing | PriceTier {
  let chosen: ModelPricing | PriceTier = pricing;
  let threshold = -1;
  for (const tier of pricing.tiers ?? []) {
    if (inputTokens > tier.aboveInputTokens && tier.aboveInputTokens > threshold) {
      chosen = tier;
      threshold = tier.aboveInputTokens;
    }
  }
  return chosen;
}

/**
 * Cost of one request. Uncached input, cache reads and cache writes are each billed at
 * their own price (a missing cache price falls back to the input price); reasoning is
 * billed as output. Returns `null` when no price is known — never 0.
 */
export function computeCost(usage: Usage, pricing: ModelPricing | null | undefined): Cost | null {
  if (!pricing) return null;
  const price = selectPriceTier(pricing, usage.inputTokens);
  const cacheRead = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const cacheWrite = Math.min(usage.cacheWriteTokens, usage.inputTokens - cacheRead);
  const uncached = usage.inputTokens - cacheRead - cacheWrite;

  const input =
    BigInt(uncached) * nanoPrice(price.input) +
    BigInt(cacheRead) * nanoPrice(price.cacheRead ?? price.input) +
    BigInt(cacheWrite) * nanoPrice(price.cacheWrite ?? price.input);
  const output = BigInt(usage.outputTokens) * nanoPrice(price.output);

  return {
    input: toUsd(input),
    output: toUsd(output),
    total: toUsd(input + output),
    currency: 'USD',
  };
}

function toUsd(scaled: bigint): number {
  // Split before converting so the integer part never loses precision.
  const whole = scaled / SCALE;
  const fraction = scaled % SCALE;
  return Number(whole) + Number(fraction) / Number(SCALE);
}

/**
 * Cost when the provider billed the call itself (OpenRouter's `usage.cost`): the total
 * is the provider's. The split follows our own prices when known, else the token shares.
 */
export function costFromReportedTotal(totalUsd: number, usage: Usage, pricing: ModelPricing | null | undefined): Cost {
  const computed = computeCost(usage, pricing);
  const inputShare =
    computed && computed.total > 0
      ? computed.input / computed.total
      : usage.totalTokens > 0
        ? usage.inputTokens / usage.totalTokens
        : 0;
  const input = Math.round(totalUsd * inputShare * 1e12) / 1e12;
  return { input, output: Math.round((totalUsd - input) * 1e12) / 1e12, total: totalUsd, currency: 'USD' };
}
