import type { CostSource, ModelPricing } from '@aiu/core';
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
    return this.find(modelId, warn)?.pricing ?? null;
  }

  /**
   * The price and where it comes from: an override is `override`; a provider's published list
   * (OpenRouter's) and the maintained data are both `catalog` — price lists aiu applies, unlike
   * a charge the provider reports for the call itself (`provider`).
   */
  find(modelId: string, warn = true): { pricing: ModelPricing; source: CostSource } | null {
    const override = this.overrides[modelId];
    if (override) return { pricing: override, source: 'override' };
    const price = this.live.get(modelId) ?? this.fromCatalog(modelId);
    if (price) return { pricing: price, source: 'catalog' };
    if (warn && !this.warned.has(modelId)) {
      this.warned.add(modelId);
      this.logger.warn(`[aiu] No price known for ${modelId}: its cost is logged as unknown (null). Add it with createAiu({ pricing }).`);
    }
    return null;
  }

  /** Once per model and dimension: a call used something its price does not cover, so its cost is null. */
  warnUnpriced(modelId: string, missing: readonly string[]): void {
    for (const dimension of missing) {
      const key = `${modelId}\u0000${dimension}`;
      if (this.warned.has(key)) continue;
      this.warned.add(key);
      this.logger.warn(
        `[aiu] ${modelId} has no price for ${describeDimension(dimension)}: calls that use it are logged with cost unknown (null). Add it with createAiu({ pricing }).`,
      );
    }
  }

  /** A provider's own charge differs from the price data by more than 0.5%: worth knowing which to trust. */
  warnDisagreement(modelId: string, reportedUsd: number, catalogUsd: number): void {
    const key = `${modelId}\u0000disagree`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(
      `[aiu] ${modelId}: the provider charged $${reportedUsd} where the price data gives $${catalogUsd} (${((reportedUsd / catalogUsd - 1) * 100).toFixed(2)}%). The provider's figure is logged as the cost, the price data's beside it.`,
    );
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

const DIMENSIONS: Readonly<Record<string, string>> = {
  cacheWrite1h: 'cache writes kept 1 hour',
  inputAudio: 'audio input tokens',
  outputAudio: 'audio output tokens',
  'serverTools.webSearch': 'web search requests',
  'serverTools.webFetch': 'web fetch requests',
  'serverTools.codeExecution': 'code execution requests',
};

function describeDimension(dimension: string): string {
  if (dimension.startsWith('serviceTier:')) return `the "${dimension.slice('serviceTier:'.length)}" service tier`;
  return DIMENSIONS[dimension] ?? dimension;
}
