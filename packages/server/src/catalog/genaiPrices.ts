import type { ModelPricing, PriceTier } from '@aiu/core';
import { calcPrice, findProvider } from '@pydantic/genai-prices';

/** Our provider ids → genai-prices' ids. Providers without an entry have no catalog prices. */
const GENAI_PROVIDER: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  groq: 'groq',
  mistral: 'mistral',
  deepseek: 'deepseek',
  xai: 'x-ai',
  together: 'together',
  openrouter: 'openrouter',
};

type Tiered = number | { base: number; tiers: Array<{ start: number; price: number }> };
type GenaiModelPrice = Record<string, Tiered | undefined>;

/** genai-prices' token price keys → ours. Their other units (hours, pages, storage) aiu does not bill. */
const TOKEN_FIELDS = {
  input_mtok: 'input',
  output_mtok: 'output',
  cache_read_mtok: 'cacheRead',
  cache_write_mtok: 'cacheWrite',
  cache_write_1h_mtok: 'cacheWrite1h',
  input_audio_mtok: 'inputAudio',
  output_audio_mtok: 'outputAudio',
  input_image_mtok: 'inputImage',
} as const satisfies Record<string, keyof Omit<PriceTier, 'aboveInputTokens'>>;

function baseOf(price: Tiered | undefined): number | undefined {
  return price === undefined ? undefined : typeof price === 'number' ? price : price.base;
}

/** A field's price for a request of more than `threshold` input tokens. */
function priceAt(price: Tiered | undefined, threshold: number): number | undefined {
  if (price === undefined || typeof price === 'number') return price;
  let chosen = price.base;
  for (const tier of price.tiers) if (threshold >= tier.start) chosen = tier.price;
  return chosen;
}

/** Every token price at one threshold (`-1`: the base prices). */
function tokenPricesAt(price: GenaiModelPrice, threshold: number): Partial<Record<keyof Omit<PriceTier, 'aboveInputTokens'>, number>> {
  const prices: Partial<Record<keyof Omit<PriceTier, 'aboveInputTokens'>, number>> = {};
  for (const [key, field] of Object.entries(TOKEN_FIELDS)) {
    const value = threshold < 0 ? baseOf(price[key]) : priceAt(price[key], threshold);
    if (value !== undefined) prices[field] = value;
  }
  return prices;
}

/**
 * genai-prices' per-field tiers → our whole-request tiers. Both bill the whole request at
 * the tier its input size crossed (Gemini, Claude above 200k), so a tier here carries
 * every field's price at that threshold. Web searches are priced per 1,000 (`web_searches_kcount`).
 */
export function toModelPricing(price: GenaiModelPrice, provider?: string): ModelPricing | null {
  const base = tokenPricesAt(price, -1);
  if (base.input === undefined) return null;
  // Gemini's price list gives one input rate for every modality unless it prices audio apart,
  // and the data then omits the audio price; every other provider prices audio apart always,
  // so there a missing audio price is missing data (the call's cost becomes null).
  const unifiedAudio = provider === 'google';
  if (unifiedAudio) base.inputAudio ??= base.input;
  const starts = [
    ...new Set(Object.keys(TOKEN_FIELDS).flatMap((key) => {
      const field = price[key];
      return field && typeof field === 'object' ? field.tiers.map((t) => t.start) : [];
    })),
  ].sort((a, b) => a - b);
  const tiers: PriceTier[] = starts.map((start) => {
    const at = tokenPricesAt(price, start);
    if (unifiedAudio) at.inputAudio ??= at.input;
    return { aboveInputTokens: start, ...at, input: at.input ?? base.input ?? 0, output: at.output ?? 0 };
  });
  const webSearch = baseOf(price.web_searches_kcount);
  return {
    ...base,
    input: base.input,
    // Embedding models have no output price: they generate no tokens.
    output: base.output ?? 0,
    ...(tiers.length ? { tiers } : {}),
    ...(webSearch === undefined ? {} : { serverTools: { webSearch } }),
  };
}

export interface CatalogPrice {
  pricing: ModelPricing;
  name: string | undefined;
  contextWindow: number | undefined;
  deprecated: boolean;
}

/** The price in force now for `model` at `provider`, as genai-prices matches model names (dated ids included). */
export function findCatalogPrice(provider: string, model: string, at = new Date()): CatalogPrice | null {
  const providerId = GENAI_PROVIDER[provider];
  if (!providerId) return null;
  let result: ReturnType<typeof calcPrice> | null;
  try {
    result = calcPrice({ input_tokens: 0 }, model, { providerId, timestamp: at });
  } catch {
    return null;
  }
  if (!result) return null;
  const pricing = toModelPricing(result.model_price, provider);
  if (!pricing) return null;
  return {
    pricing,
    name: result.model.name,
    contextWindow: result.model.context_window,
    deprecated: result.model.deprecated === true,
  };
}

/** Every model genai-prices knows for a provider: its canonical id and the price in force now. */
export function listCatalogModels(provider: string, at = new Date()): Array<CatalogPrice & { id: string }> {
  const providerId = GENAI_PROVIDER[provider];
  if (!providerId) return [];
  const found = findProvider({ providerId });
  if (!found) return [];
  return found.models.flatMap((model) => {
    const price = findCatalogPrice(provider, model.id, at);
    return price ? [{ ...price, id: model.id, name: model.name ?? price.name }] : [];
  });
}
