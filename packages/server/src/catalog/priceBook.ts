import type { ModelPricing } from '@aiu/core';

export type PricingOption = Record<string, ModelPricing>;

export interface Logger {
  warn(message: string): void;
}

/**
 * Prices by full model id: `createAiu({ pricing })` first, then live prices a provider
 * publishes (OpenRouter). An unknown model warns once and prices as null.
 */
export class PriceBook {
  private readonly warned = new Set<string>();
  private readonly live = new Map<string, ModelPricing>();

  constructor(
    private readonly overrides: PricingOption,
    private readonly logger: Logger,
  ) {}

  setLive(modelId: string, pricing: ModelPricing): void {
    this.live.set(modelId, pricing);
  }

  /** `warn: false` when a missing price does not matter (the provider reported the cost). */
  lookup(modelId: string, warn = true): ModelPricing | null {
    const price = this.overrides[modelId] ?? this.live.get(modelId);
    if (price) return price;
    if (warn && !this.warned.has(modelId)) {
      this.warned.add(modelId);
      this.logger.warn(`[aiu] No price known for ${modelId}: its cost is logged as unknown (null). Add it with createAiu({ pricing }).`);
    }
    return null;
  }
}
