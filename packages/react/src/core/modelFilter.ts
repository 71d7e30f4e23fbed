import type { ModelInfo, ModelKind } from '@aiu/core';

export interface ModelFilter {
  kinds?: ModelKind[];
  providers?: string[];
  /** Smallest context window to show (models with an unknown window are hidden too). */
  minContext?: number;
  excludeDeprecated?: boolean;
  /** Models must have every capability listed (`tools`, `vision`, `reasoning`, …). */
  capabilities?: string[];
  filter?: (model: ModelInfo) => boolean;
}

export function applyModelFilter(models: ModelInfo[], filter: ModelFilter): ModelInfo[] {
  const kinds = filter.kinds?.length ? new Set(filter.kinds) : null;
  const providers = filter.providers?.length ? new Set(filter.providers) : null;
  const capabilities = filter.capabilities ?? [];
  return models.filter(
    (model) =>
      (!kinds || kinds.has(model.kind)) &&
      (!providers || providers.has(model.provider)) &&
      (filter.minContext === undefined || (model.contextWindow ?? 0) >= filter.minContext) &&
      (!filter.excludeDeprecated || !model.deprecated) &&
      capabilities.every((capability) => model.capabilities.includes(capability)) &&
      (!filter.filter || filter.filter(model)),
  );
}

/** Lower-cased haystacks, computed once per model list (not per keystroke). */
export function searchIndex(models: ModelInfo[]): string[] {
  return models.map((model) => `${model.id} ${model.name}`.toLowerCase());
}

/** Every whitespace-separated term of the query must occur in the model's id or name. */
export function searchModels(models: ModelInfo[], index: string[], query: string): ModelInfo[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return models;
  const found: ModelInfo[] = [];
  for (let i = 0; i < models.length; i++) {
    const haystack = index[i] as string;
    let all = true;
    for (const term of terms) {
      if (!haystack.includes(term)) {
        all = false;
        break;
      }
    }
    if (all) found.push(models[i] as ModelInfo);
  }
  return found;
}

export interface ModelGroup {
  provider: string;
  /** Each model with its index in the flat filtered list (what the keyboard moves through). */
  items: Array<{ model: ModelInfo; index: number }>;
}

/** Groups by provider, keeping the list's order; indices stay those of the flat list. */
export function groupByProvider(models: ModelInfo[]): ModelGroup[] {
  const groups = new Map<string, ModelGroup>();
  models.forEach((model, index) => {
    let group = groups.get(model.provider);
    if (!group) groups.set(model.provider, (group = { provider: model.provider, items: [] }));
    group.items.push({ model, index });
  });
  return [...groups.values()];
}
