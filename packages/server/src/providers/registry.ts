import { UnknownProviderError } from '@aiu/core';
import { createAnthropicProvider } from './anthropic';
import { createGoogleProvider } from './google';
import { createOllamaProvider } from './ollama';
import { createOpenAIProvider } from './openai';
import { createOpenRouterProvider, type OpenRouterSettings } from './openrouter';
import type { Capability, OpenAICompatibleSettings, Provider, ProviderSettings } from './types';

export type ProviderEntry = ProviderSettings | OpenRouterSettings | OpenAICompatibleSettings;
export type ProvidersOption = Record<string, ProviderEntry>;

interface Preset {
  baseURL: string;
  envKey: string;
  streamOptions?: boolean;
  maxTokensField?: 'max_completion_tokens' | 'max_tokens';
  reasoning?: 'effort' | 'none';
  /** What the service's API cannot take at all; per model, the catalog says more. */
  unsupported?: ReadonlyArray<Capability>;
}

/** OpenAI-compatible services: their base URL and key variable, and what their APIs lack. */
export const OPENAI_COMPATIBLE_PRESETS: Readonly<Record<string, Preset>> = {
  groq: { baseURL: 'https://api.groq.com/openai/v1', envKey: 'GROQ_API_KEY', unsupported: ['files'] },
  // Mistral rejects unknown fields (422) and sends stream usage without being asked.
  mistral: { baseURL: 'https://api.mistral.ai/v1', envKey: 'MISTRAL_API_KEY', streamOptions: false, reasoning: 'none', unsupported: ['files'] },
  // DeepSeek takes text only, and JSON mode but not a schema.
  deepseek: { baseURL: 'https://api.deepseek.com/v1', envKey: 'DEEPSEEK_API_KEY', reasoning: 'none', unsupported: ['images', 'files', 'json-schema'] },
  xai: { baseURL: 'https://api.x.ai/v1', envKey: 'XAI_API_KEY', unsupported: ['files'] },
  together: { baseURL: 'https://api.together.xyz/v1', envKey: 'TOGETHER_API_KEY', unsupported: ['files'] },
};

const BUILT_IN: Record<string, (entry: ProviderEntry) => Provider> = {
  openai: (entry) =>
    createOpenAIProvider({
      ...entry,
      id: 'openai',
      baseURL: entry.baseURL ?? 'https://api.openai.com/v1',
      envKey: 'OPENAI_API_KEY',
      wire: { maxTokensField: 'max_completion_tokens' },
    }),
  anthropic: (entry) => createAnthropicProvider(entry),
  google: (entry) => createGoogleProvider(entry),
  ollama: (entry) => createOllamaProvider(entry),
  openrouter: (entry) => createOpenRouterProvider(entry),
  ...Object.fromEntries(
    Object.entries(OPENAI_COMPATIBLE_PRESETS).map(([id, preset]) => [
      id,
      (entry: ProviderEntry) =>
        createOpenAIProvider({
          ...entry,
          id,
          baseURL: entry.baseURL ?? preset.baseURL,
          envKey: preset.envKey,
          wire: {
            ...(preset.streamOptions === undefined ? {} : { streamOptions: preset.streamOptions }),
            ...(preset.maxTokensField === undefined ? {} : { maxTokensField: preset.maxTokensField }),
            ...(preset.reasoning === undefined ? {} : { reasoning: preset.reasoning }),
          },
          ...(preset.unsupported ? { unsupported: preset.unsupported } : {}),
        }),
    ]),
  ),
};

export const BUILT_IN_PROVIDER_IDS = Object.keys(BUILT_IN);

const PROVIDER_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export class ProviderRegistry {
  private readonly providers = new Map<string, Provider>();
  private readonly entries = new Map<string, ProviderEntry>();

  constructor(option: ProvidersOption | undefined) {
    const entries = option ?? Object.fromEntries(BUILT_IN_PROVIDER_IDS.map((id) => [id, {}]));
    for (const [id, entry] of Object.entries(entries)) {
      if (!PROVIDER_ID.test(id)) throw new TypeError(`Provider id "${id}" must be lowercase letters, digits, - or _.`);
      this.providers.set(id, this.create(id, entry));
      this.entries.set(id, entry);
    }
  }

  private create(id: string, entry: ProviderEntry): Provider {
    if ('type' in entry && entry.type === 'openai-compatible') {
      if (!entry.baseURL) throw new TypeError(`Provider "${id}" is openai-compatible and needs a baseURL.`);
      return createOpenAIProvider({ ...entry, id, envKey: entry.envKey, requiresKey: false });
    }
    const factory = BUILT_IN[id];
    if (!factory) {
      throw new TypeError(
        `Unknown provider "${id}". Built-in ids: ${BUILT_IN_PROVIDER_IDS.join(', ')}; ` +
          `any other id needs { type: 'openai-compatible', baseURL }.`,
      );
    }
    return factory(entry);
  }

  get(id: string): Provider {
    const provider = this.providers.get(id);
    if (!provider) {
      throw new UnknownProviderError(
        `Provider "${id}" is not configured. Configured providers: ${[...this.providers.keys()].join(', ') || 'none'}.`,
      );
    }
    return provider;
  }

  /** The key configured for a provider in code, else the one in its env var. */
  /** Whether a configured provider speaks OpenAI's Chat Completions wire (OpenAI, its presets, custom compatible ones). */
  speaksOpenAI(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    return id === 'openai' || id in OPENAI_COMPATIBLE_PRESETS || ('type' in entry && entry.type === 'openai-compatible');
  }

  configuredKey(provider: Provider, env: Record<string, string | undefined>): string | undefined {
    return this.entries.get(provider.id)?.apiKey || (provider.envKey ? env[provider.envKey] : undefined) || undefined;
  }

  list(): Provider[] {
    return [...this.providers.values()];
  }
}
