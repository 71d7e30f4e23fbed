import type { ModelPricing } from '@aiu/core';
import { describeTarget } from '../util/modelId';
import type { ModelCatalog } from './catalog';

export type PricingOption = Record<string, ModelPricing>;

export interface Logger {
  warn(message: string): void;
}

/**
 * Prices by full model id: `createAiu({ pricing })` first, then live prices a provider
 * publishes (OpenRouter), then the maintained catalog. An unknown model warns once and
 * prices as null — never 0.
 */
export class PriceBook {
  private readonly warned = new Set<string>();
  private readonly live = new Map<string, ModelPricing>();

  constructor(
    private readonly overrides: PricingOption,
    private readonly logger: Logger,
    private readonly catalog?: ModelCatalog,
  ) {}

  /** Loads the catalog; every path that prices a call awaits this first. */
  ready(): Promise<void> {
    return this.catalog ? this.catalog.load() : Promise.resolve();
  }

  setLive(modelId: string, pricing: ModelPricing): void {
    this.live.set(modelId, pricing);
  }

  /** `warn: false` when a missing price does not matter (the provider reported the cost). */
  lookup(modelId: string, warn = true): ModelPricing | null {
    const price = this.overrides[modelId] ?? this.live.get(modelId) ?? this.fromCatalog(modelId);
    if (price) return price;
    if (warn && !this.warned.has(modelId)) {
      this.warned.add(modelId);
      this.logger.warn(`[aiu] No price known for ${modelId}: its cost is logged as unknown (null). Add it with createAiu({ pricing }).`);
    }
    return null;
  }

  private fromCatalog(modelId: string): ModelPricing | null {
    const id = describeTarget(modelId);
    if (!id || !this.catalog) return null;
    if (!this.catalog.loaded) {
      // A path that forgot ready(): say so rather than throw while a call is being logged.
      this.logger.warn(`[aiu] The price catalog was not loaded before pricing ${modelId}.`);
      return null;
    }
    return this.catalog.price(id.provider, id.name);
  }
}
