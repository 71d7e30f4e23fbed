import { InvalidModelError } from './errors';

export interface ModelId {
  provider: string;
  model: string;
}

/**
 * Splits `provider:model` on the first colon only, so
 * `openrouter:meta-llama/llama-3.1-8b-instruct:free` keeps its tail intact.
 */
export function parseModelId(id: string): ModelId {
  const colon = id.indexOf(':');
  const provider = colon === -1 ? '' : id.slice(0, colon).trim();
  const model = colon === -1 ? '' : id.slice(colon + 1).trim();
  if (!provider || !model) {
    throw new InvalidModelError(
      `Model ids look like "provider:model" (for example "openai:gpt-4o-mini"); got ${JSON.stringify(id.slice(0, 100))}.`,
    );
  }
  return { provider, model };
}

export function formatModelId({ provider, model }: ModelId): string {
  return `${provider}:${model}`;
}
