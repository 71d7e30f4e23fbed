import { ProviderEventStream } from '../eventStream';
import { fetchUpstream, readJsonBody, upstreamRequests } from '../http';
import type { DiscoveredModel, Provider, ProviderResult, ProviderSettings } from '../types';
import { toGeminiBody } from './request';
import { blockedPromptError, type GeminiResponseWire, mapGeminiFinishReason, parseGeminiStream, resultOf } from './stream';
import { normalizeGeminiUsage, webSearchesOf } from './usage';

interface ModelListWire {
  models?: Array<{
    name?: string;
    displayName?: string;
    inputTokenLimit?: number;
    outputTokenLimit?: number;
    supportedGenerationMethods?: string[];
  }>;
}

/** Gemini API. The key goes in `x-goog-api-key`, never in the URL: URLs end up in logs. */
export function createGoogleProvider(settings: ProviderSettings = {}): Provider {
  const upstream = upstreamRequests('google', settings.baseURL ?? 'https://generativelanguage.googleapis.com/v1beta', settings, (apiKey) => ({
    'x-goog-api-key': apiKey,
  }));
  const modelPath = (model: string) => `/models/${encodeURIComponent(model)}`;

  return {
    id: 'google',
    envKey: 'GOOGLE_GENERATIVE_AI_API_KEY',
    requiresKey: true,

    async stream(request, context) {
      const call = upstream(`${modelPath(request.model)}:streamGenerateContent?alt=sse`, context, toGeminiBody(request));
      return new ProviderEventStream(parseGeminiStream(await fetchUpstream(call), call));
    },

    async complete(request, context): Promise<ProviderResult> {
      const response = await readJsonBody<GeminiResponseWire>(
        await fetchUpstream(upstream(`${modelPath(request.model)}:generateContent`, context, toGeminiBody(request))),
        'google',
      );
      const blocked = blockedPromptError(response, 'google');
      if (blocked) throw blocked;
      const { text, reasoning, reasoningParts, toolCalls } = resultOf(response, 'google');
      const finishReason = mapGeminiFinishReason(response.candidates?.[0]?.finishReason);
      return {
        text,
        reasoning,
        ...(reasoningParts.some((part) => part.providerMetadata) ? { reasoningParts } : {}),
        toolCalls,
        finishReason: toolCalls.length && finishReason === 'stop' ? 'tool_calls' : finishReason,
        usage: normalizeGeminiUsage(response.usageMetadata, webSearchesOf(response.candidates?.[0])),
      };
    },

    async listModels(context): Promise<DiscoveredModel[]> {
      const body = await readJsonBody<ModelListWire>(await fetchUpstream(upstream('/models?pageSize=1000', context)), 'google');
      return (body.models ?? []).flatMap((model) => {
        if (!model.name) return [];
        const id = model.name.replace(/^models\//, '');
        const methods = model.supportedGenerationMethods ?? [];
        const kind = methods.some((m) => /embed/i.test(m)) && !methods.includes('generateContent') ? 'embed' : 'chat';
        return [{ id, name: model.displayName ?? id, kind, contextWindow: model.inputTokenLimit ?? null, maxOutput: model.outputTokenLimit ?? null }];
      });
    },

    async embed(request, context) {
      const body = {
        requests: request.input.map((text) => ({ model: `models/${request.model}`, content: { parts: [{ text }] } })),
      };
      const response = await readJsonBody<{ embeddings?: Array<{ values?: number[] }> }>(
        await fetchUpstream(upstream(`${modelPath(request.model)}:batchEmbedContents`, context, body)),
        'google',
      );
      return { embeddings: (response.embeddings ?? []).map((e) => e.values ?? []), usage: null };
    },
  };
}
