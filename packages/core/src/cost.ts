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

/** The tier names providers give their standard rate: priced at the base prices. */
const STANDARD_TIERS: ReadonlySet<string> = new Set(['default', 'standard', 'on_demand', 'auto']);

/** Whether a call's service tier is one priced apart from the base prices (flex, priority, …). */
export function isSpecialServiceTier(tier: string | null | undefined): tier is string {
  return typeof tier === 'string' && tier !== '' && !STANDARD_TIERS.has(tier);
}

type TokenPrices = Omit<PriceTier, 'aboveInputTokens'>;

/** A call's cost, and the billed dimensions that had no price (then `cost` is null). */
export interface PricedUsage {
  cost: Cost | null;
  /** E.g. `cacheWrite1h`, `inputAudio`, `outputAudio`, `serverTools.webSearch`, `serviceTier:flex`. */
  missing: string[];
}

/** The base (or long-context tier) prices at the call's service tier; null when that tier has no price. */
function pricesAt(pricing: ModelPricing, usage: Usage): { prices: TokenPrices; multiplier: number } | null {
  const prices = selectPriceTier(pricing, usage.inputTokens);
  const tier = usage.serviceTier;
  if (!isSpecialServiceTier(tier)) return { prices, multiplier: 1 };
  const special = pricing.serviceTiers?.[tier];
  if (!special) return null;
  const { multiplier = 1, ...changed } = special;
  const merged: TokenPrices = { ...prices };
  for (const field of Object.keys(changed) as Array<keyof typeof changed>) {
    const value = changed[field];
    if (value !== undefined) merged[field] = value;
  }
  return { prices: merged, multiplier };
}

/**
 * Cost of one request, every billed dimension at its own price: uncached text and image input,
 * cache reads, 5-minute and 1-hour cache writes, audio in and out, output (reasoning included),
 * provider-run tool requests, at the call's long-context and service tier. A dimension the
 * call used but the pricing does not price is named in `missing`, and the cost is null — never
 * a standard-rate guess.
 */
export function priceUsage(usage: Usage, pricing: ModelPricing | null | undefined): PricedUsage {
  if (!pricing) return { cost: null, missing: [] };
  const missing: string[] = [];
  const at = pricesAt(pricing, usage);
  if (!at) missing.push(`serviceTier:${usage.serviceTier ?? ''}`);
  const price = at?.prices ?? pricing;
  const multiplier = at?.multiplier ?? 1;
  const nano = (perMillion: number) => nanoPrice(perMillion * multiplier);
  const priced = (tokens: number, perMillion: number | undefined, dimension: string, fallback?: number): bigint => {
    if (tokens === 0) return 0n;
    const rate = perMillion ?? fallback;
    if (rate === undefined) {
      missing.push(dimension);
      return 0n;
    }
    return BigInt(tokens) * nano(rate);
  };

  const cacheRead = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const cacheWrite = Math.min(usage.cacheWriteTokens, usage.inputTokens - cacheRead);
  const cacheWrite1h = Math.min(usage.cacheWrite1hTokens ?? 0, cacheWrite);
  const uncached = usage.inputTokens - cacheRead - cacheWrite;
  const audioIn = Math.min(usage.audioInputTokens ?? 0, uncached);
  const imageIn = Math.min(usage.imageInputTokens ?? 0, uncached - audioIn);
  const audioOut = Math.min(usage.audioOutputTokens ?? 0, usage.outputTokens);

  const audioInput = priced(audioIn, price.inputAudio, 'inputAudio');
  const audioOutput = priced(audioOut, price.outputAudio, 'outputAudio');
  let tools = 0n;
  for (const [kind, requests] of Object.entries(usage.serverToolRequests ?? {})) {
    if (!requests) continue;
    const per1k = pricing.serverTools?.[kind as keyof NonNullable<ModelPricing['serverTools']>];
    if (per1k === undefined) missing.push(`serverTools.${kind}`);
    // USD per 1,000 requests = per 1M tokens × 1,000: same scale as token prices.
    else tools += BigInt(requests) * nanoPrice(per1k) * 1000n;
  }
  const input =
    priced(uncached - audioIn - imageIn, price.input, 'input') +
    priced(imageIn, price.inputImage, 'inputImage', price.input) +
    priced(cacheRead, price.cacheRead, 'cacheRead', price.input) +
    priced(cacheWrite - cacheWrite1h, price.cacheWrite, 'cacheWrite', price.input) +
    priced(cacheWrite1h, price.cacheWrite1h, 'cacheWrite1h') +
    audioInput +
    tools;
  const output = priced(usage.outputTokens - audioOut, price.output, 'output') + audioOutput;
  if (missing.length) return { cost: null, missing };

  const cost: Cost = { input: toUsd(input), output: toUsd(output), total: toUsd(input + output), currency: 'USD' };
  if (audioIn + audioOut > 0) cost.audio = toUsd(audioInput + audioOutput);
  if (tools > 0n) cost.serverTools = toUsd(tools);
  return { cost, missing };
}

/** Cost of one request (see `priceUsage`); null when the model or one of the dimensions it used has no price. */
export function computeCost(usage: Usage, pricing: ModelPricing | null | undefined): Cost | null {
  return priceUsage(usage, pricing).cost;
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
