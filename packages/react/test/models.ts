import type { ModelInfo } from '@aiu/core';

const PROVIDERS = ['anthropic', 'google', 'openai', 'openrouter'];
const CAPABILITIES = [['tools'], ['tools', 'vision'], ['reasoning'], []];

/** A deterministic list of `count` models across four providers. */
export function makeModels(count: number): ModelInfo[] {
  return Array.from({ length: count }, (_, i) => {
    const provider = PROVIDERS[i % PROVIDERS.length] as string;
    return {
      id: `${provider}:model-${String(i).padStart(4, '0')}`,
      provider,
      name: `Model ${String(i).padStart(4, '0')}`,
      kind: i % 10 === 9 ? 'embed' : 'chat',
      contextWindow: 8_000 * ((i % 8) + 1),
      maxOutput: 4096,
      pricing: { input: 1, output: 2 },
      capabilities: CAPABILITIES[i % CAPABILITIES.length] as string[],
      deprecated: i % 7 === 6,
    } satisfies ModelInfo;
  });
}

export const SMALL: ModelInfo[] = [
  { id: 'openai:gpt-4o-mini', provider: 'openai', name: 'GPT-4o mini', kind: 'chat', contextWindow: 128000, maxOutput: 16384, pricing: { input: 0.15, output: 0.6 }, capabilities: ['tools', 'vision'], deprecated: false },
  { id: 'openai:gpt-4.1-nano', provider: 'openai', name: 'GPT-4.1 nano', kind: 'chat', contextWindow: 1047576, maxOutput: 32768, pricing: { input: 0.1, output: 0.4 }, capabilities: ['tools'], deprecated: false },
  { id: 'openai:text-embedding-3-small', provider: 'openai', name: 'text-embedding-3-small', kind: 'embed', contextWindow: 8192, maxOutput: null, pricing: { input: 0.02, output: 0 }, capabilities: [], deprecated: false },
  { id: 'anthropic:claude-sonnet-4-5', provider: 'anthropic', name: 'Claude Sonnet 4.5', kind: 'chat', contextWindow: 200000, maxOutput: 64000, pricing: { input: 3, output: 15 }, capabilities: ['tools', 'reasoning', 'vision'], deprecated: false },
  { id: 'anthropic:claude-3-haiku', provider: 'anthropic', name: 'Claude 3 Haiku', kind: 'chat', contextWindow: 200000, maxOutput: 4096, pricing: { input: 0.25, output: 1.25 }, capabilities: ['tools'], deprecated: true },
  { id: 'ollama:llama3.2', provider: 'ollama', name: 'llama3.2', kind: 'chat', contextWindow: null, maxOutput: null, pricing: { input: 0, output: 0 }, capabilities: [], deprecated: false },
];
