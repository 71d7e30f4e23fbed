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
interface GenaiModelPrice {
  input_mtok?: Tiered;
  output_mtok?: Tiered;
  cache_read_mtok?: Tiered;
  cache_write_mtok?: Tiered;
}

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

/**
 * genai-prices' per-field tiers → our whole-request tiers. Both bill the whole request at
 * the tier its input size crossed (Gemini, Claude above 200k), so a tier here carries
 * every field's price at that threshold.
 */
export function toModelPricing(price: GenaiModelPrice): ModelPricing | null {
  const input = baseOf(price.input_mtok);
  const output = baseOf(price.output_mtok);
  if (input === undefined) return null;
  const fields = [price.input_mtok, price.output_mtok, price.cache_read_mtok, price.cache_write_mtok];
  const starts = [...new Set(fields.flatMap((f) => (f && typeof f === 'object' ? f.tiers.map((t) => t.start) : [])))].sort((a, b) => a - b);
  const cacheRead = baseOf(price.cache_read_mtok);
  const cacheWrite = baseOf(price.cache_write_mtok);
  const tiers: PriceTier[] = starts.map((start) => {
    const tierRead = priceAt(price.cache_read_mtok, start);
    const tierWrite = priceAt(price.cache_write_mtok, start);
    return {
      aboveInputTokens: start,
      input: priceAt(price.input_mtok, start) as number,
      output: priceAt(price.output_mtok, start) ?? 0,
      ...(tierRead === undefined ? {} : { cacheRead: tierRead }),
      ...(tierWrite === undefined ? {} : { cacheWrite: tierWrite }),
    };
  });
  return {
    input,
    // Embedding models have no output price: they generate no tokens.
    output: output ?? 0,
    ...(cacheRead === undefined ? {} : { cacheRead }),
    ...(cacheWrite === undefined ? {} : { cacheWrite }),
    ...(tiers.length ? { tiers } : {}),
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
  const pricing = toModelPricing(result.model_price);
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
