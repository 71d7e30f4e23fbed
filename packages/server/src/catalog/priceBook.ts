import type { ModelPricing } from '@aiu/core';

export type PricingOption = Record<string, ModelPricing>;

export interface Logger {
  warn(message: string): void;
}

/** Prices by full model id. An unknown model warns once and prices as null. */
export class PriceBook {
  private readonly warned = new Set<string>();

  constructor(
    private readonly overrides: PricingOption,
    private readonly logger: Logger,
  ) {}

  lookup(modelId: string): ModelPricing | null {
    const price = this.overrides[modelId];
    if (price) return price;
    if (!this.warned.has(modelId)) {
      this.warned.add(modelId);
      this.logger.warn(`[aiu] No price known for ${modelId}: its cost is logged as unknown (null). Add it with createAiu({ pricing }).`);
    }
    return null;
  }
}
