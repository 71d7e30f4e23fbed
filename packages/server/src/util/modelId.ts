import { type ModelId, parseModelId } from '@aiu/core';

/** What a target id names — its provider, the provider's own model name, the full id — or null when it names none. Never throws. */
export function describeTarget(modelId: string): { provider: string; name: string; model: string } | null {
  let id: ModelId;
  try {
    id = parseModelId(modelId);
  } catch {
    return null;
  }
  return { provider: id.provider, name: id.model, model: `${id.provider}:${id.model}` };
}
