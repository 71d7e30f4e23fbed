import { AiuError, type ModelInfo } from '@aiu/core';
import type { CallRuntime } from '../orchestrator/callRecorder';
import type { ModelCatalog } from './catalog';
import type { DiscoveredModel, Provider } from '../providers/types';

interface Entry {
  at: number;
  models: ModelInfo[];
}

export interface DiscoveryResult {
  models: ModelInfo[];
  warnings: string[];
}

/**
 * Each provider's own model list, cached per provider for `ttlMs`. A failing provider
 * contributes a warning and its last good list, never an error for the whole route.
 * Live prices a provider publishes go to the price book.
 */
export class ModelDiscovery {
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<ModelInfo[]>>();

  constructor(
    private readonly runtime: CallRuntime,
    private readonly catalog: ModelCatalog,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  async list(providers: Provider[], options: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<DiscoveryResult> {
    // Merging reads the catalog's metadata and prices.
    await this.catalog.load();
    const warnings: string[] = [];
    const lists = await Promise.all(
      providers.map(async (provider) => {
        const cached = this.cache.get(provider.id);
        if (cached && !options.refresh && Date.now() - cached.at < this.ttlMs) return cached.models;
        try {
          return await this.fetch(provider);
        } catch (error) {
          warnings.push(`${provider.id}: ${AiuError.isInstance(error) ? error.message : 'model discovery failed'}`);
          return cached?.models ?? [];
        }
      }),
    );
    return { models: lists.flat(), warnings };
  }

  private fetch(provider: Provider): Promise<ModelInfo[]> {
    const running = this.inflight.get(provider.id);
    if (running) return running;
    const task = this.load(provider).finally(() => this.inflight.delete(provider.id));
    this.inflight.set(provider.id, task);
    return task;
  }

  private async load(provider: Provider): Promise<ModelInfo[]> {
    if (!provider.listModels) return [];
    const apiKey = this.runtime.providers.configuredKey(provider, this.runtime.env);
    // Without a key there is nothing to ask; the provider is simply not listed yet.
    if (provider.requiresKey && !apiKey) return [];
    const found = await provider.listModels({ apiKey, signal: AbortSignal.timeout(15_000) });
    const models = found.map((model) => this.toInfo(provider.id, model));
    this.cache.set(provider.id, { at: Date.now(), models });
    return models;
  }

  /** What the provider said, over what the catalog knows about the same model. */
  private toInfo(provider: string, model: DiscoveredModel): ModelInfo {
    const id = `${provider}:${model.id}`;
    if (model.pricing) this.runtime.prices.setLive(id, model.pricing);
    const known = this.catalog.describe(provider, model.id);
    return {
      ...known,
      name: model.name !== model.id ? model.name : known.name,
      kind: model.kind === 'embed' ? 'embed' : known.kind,
      contextWindow: model.contextWindow ?? known.contextWindow,
      maxOutput: model.maxOutput ?? known.maxOutput,
      pricing: model.pricing ?? this.runtime.prices.lookup(id, false),
    };
  }
}
