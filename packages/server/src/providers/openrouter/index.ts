import type { ModelPricing } from '@aiu/core';
import { fetchUpstream, readJsonBody, upstreamRequests } from '../http';
import { createOpenAIProvider } from '../openai';
import type { DiscoveredModel, Provider, ProviderSettings } from '../types';

export interface OpenRouterSettings extends ProviderSettings {
  /** Your app's URL and name, sent as OpenRouter's attribution headers (`HTTP-Referer`, `X-Title`). */
  appUrl?: string;
  appName?: string;
}

interface ModelWire {
  id?: string;
  name?: string;
  context_length?: number | null;
  architecture?: { output_modalities?: string[] };
  top_provider?: { max_completion_tokens?: number | null };
  pricing?: Record<string, string | undefined>;
}

/** OpenRouter quotes USD per token as strings; ours are USD per 1M tokens. */
function perMillion(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const perToken = Number(value);
  return Number.isFinite(perToken) && perToken >= 0 ? Math.round(perToken * 1e6 * 1e9) / 1e9 : undefined;
}

export function toModelPricing(pricing: ModelWire['pricing']): ModelPricing | null {
  const input = perMillion(pricing?.prompt);
  const output = perMillion(pricing?.completion);
  if (input === undefined || output === undefined) return null;
  const cacheRead = perMillion(pricing?.input_cache_read);
  const cacheWrite = perMillion(pricing?.input_cache_write);
  return {
    input,
    output,
    ...(cacheRead === undefined ? {} : { cacheRead }),
    ...(cacheWrite === undefined ? {} : { cacheWrite }),
  };
}

/**
 * OpenRouter speaks the OpenAI wire; it adds attribution headers, reports each call's
 * cost in `usage.cost` (used as the call's cost), and publishes live prices per model.
 */
export function createOpenRouterProvider(settings: OpenRouterSettings = {}): Provider {
  const baseURL = (settings.baseURL ?? 'https://openrouter.ai/api/v1').replace(/\/+$/, '');
  const headers: Record<string, string> = { ...settings.headers };
  if (settings.appUrl) headers['HTTP-Referer'] = settings.appUrl;
  if (settings.appName) headers['X-Title'] = settings.appName;
  const upstream = upstreamRequests('openrouter', baseURL, { ...settings, headers }, (apiKey) => ({ authorization: `Bearer ${apiKey}` }));
  const wire = createOpenAIProvider({
    ...settings,
    id: 'openrouter',
    baseURL,
    headers,
    envKey: 'OPENROUTER_API_KEY',
    // OpenRouter always includes usage now; the old flag is accepted and ignored.
    wire: { streamOptions: false, maxTokensField: 'max_tokens', reasoning: 'openrouter' },
  });

  return {
    ...wire,
    async listModels(context): Promise<DiscoveredModel[]> {
      const body = await readJsonBody<{ data?: ModelWire[] }>(await fetchUpstream(upstream('/models', context)), 'openrouter');
      return (body.data ?? []).flatMap((model) =>
        model.id
          ? [
              {
                id: model.id,
                name: model.name ?? model.id,
                kind: model.architecture?.output_modalities?.includes('embeddings') ? ('embed' as const) : ('chat' as const),
                contextWindow: model.context_length ?? null,
                maxOutput: model.top_provider?.max_completion_tokens ?? null,
                pricing: toModelPricing(model.pricing),
              },
            ]
          : [],
      );
    },
  };
}
