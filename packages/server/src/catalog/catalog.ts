import type { ModelInfo, ModelPricing } from '@aiu/core';
import { findCatalogPrice, listCatalogModels } from './genaiPrices';
import { findMetadata, type ModelMetadata } from './metadata';

/** Local inference has no per-token bill: Ollama's price is a real 0, not an unknown. */
const FREE: ModelPricing = { input: 0, output: 0 };
const FREE_PROVIDERS = new Set(['ollama']);

const EMBEDDING = /embed/i;

/**
 * The maintained catalog: prices from genai-prices (current, tiered, with history),
 * metadata from models.dev. Results are memoised per model id.
 */
export class ModelCatalog {
  private readonly prices = new Map<string, ModelPricing | null>();

  price(provider: string, model: string): ModelPricing | null {
    if (FREE_PROVIDERS.has(provider)) return FREE;
    const id = `${provider}:${model}`;
    let price = this.prices.get(id);
    if (price === undefined) {
      price = findCatalogPrice(provider, model)?.pricing ?? null;
      if (this.prices.size > 5000) this.prices.clear();
      this.prices.set(id, price);
    }
    return price;
  }

  /** Every catalog model of the given providers. */
  list(providers: string[]): ModelInfo[] {
    return providers.flatMap((provider) =>
      listCatalogModels(provider).map((entry) => {
        const info = describe(provider, entry.id, findMetadata(`${provider}:${entry.id}`));
        return {
          ...info,
          name: entry.name ?? info.name,
          contextWindow: entry.contextWindow ?? info.contextWindow,
          pricing: entry.pricing,
          deprecated: entry.deprecated,
        };
      }),
    );
  }

  /** Metadata for a model a provider listed itself (prices are filled in by the caller). */
  describe(provider: string, model: string): ModelInfo {
    return describe(provider, model, findMetadata(`${provider}:${model}`));
  }
}

function describe(provider: string, model: string, meta: ModelMetadata | undefined): ModelInfo {
  const embed = EMBEDDING.test(model) || meta?.modalities.output.includes('embeddings') === true;
  return {
    id: `${provider}:${model}`,
    provider,
    name: meta?.name ?? model,
    kind: embed ? 'embed' : 'chat',
    contextWindow: meta?.contextWindow ?? null,
    maxOutput: meta?.maxOutput ?? null,
    pricing: null,
    capabilities: meta?.capabilities ?? [],
    deprecated: false,
    ...(meta?.modalities ? { modalities: meta.modalities } : {}),
    releaseDate: meta?.releaseDate ?? null,
  };
}
