import { ProviderEventStream } from '../eventStream';
import type { ProviderMetadata } from '@aiu/core';
import { fetchUpstream, readJsonBody, upstreamRequests } from '../http';
import type { DiscoveredModel, Provider, ProviderResult, ProviderSettings } from '../types';
import { toAnthropicBody } from './request';
import { mapAnthropicStopReason, parseAnthropicStream } from './stream';
import { type AnthropicUsageWire, normalizeAnthropicUsage } from './usage';

export const ANTHROPIC_VERSION = '2023-06-01';

interface MessageWire {
  content?: Array<{ type?: string; text?: string; thinking?: string; signature?: string; data?: string; id?: string; name?: string; input?: unknown }>;
  stop_reason?: string | null;
  usage?: AnthropicUsageWire;
}

/** Anthropic's Messages API. */
export function createAnthropicProvider(settings: ProviderSettings = {}): Provider {
  const upstream = upstreamRequests(
    'anthropic',
    settings.baseURL ?? 'https://api.anthropic.com/v1',
    settings,
    (apiKey) => ({ 'x-api-key': apiKey }),
    { 'anthropic-version': ANTHROPIC_VERSION },
  );

  return {
    id: 'anthropic',
    envKey: 'ANTHROPIC_API_KEY',
    requiresKey: true,
    unsupportedOptions: ['seed'],

    async stream(request, context) {
      const call = upstream('/messages', context, toAnthropicBody(request, true));
      return new ProviderEventStream(parseAnthropicStream(await fetchUpstream(call), call));
    },

    async complete(request, context): Promise<ProviderResult> {
      const message = await readJsonBody<MessageWire>(
        await fetchUpstream(upstream('/messages', context, toAnthropicBody(request, false))),
        'anthropic',
      );
      const blocks = message.content ?? [];
      const reasoningParts = blocks.flatMap((b): Array<{ text: string; providerMetadata?: ProviderMetadata }> =>
        b.type === 'thinking'
          ? [{ text: b.thinking ?? '', ...(b.signature ? { providerMetadata: { anthropic: { signature: b.signature } } } : {}) }]
          : b.type === 'redacted_thinking' && b.data
            ? [{ text: '', providerMetadata: { anthropic: { redactedData: b.data } } }]
            : [],
      );
      return {
        text: blocks.filter((b) => b.type === 'text').map((b) => b.text ?? '').join(''),
        reasoning: reasoningParts.map((part) => part.text).join(''),
        ...(reasoningParts.length ? { reasoningParts } : {}),
        toolCalls: blocks.flatMap((b) => (b.type === 'tool_use' && b.id && b.name ? [{ id: b.id, name: b.name, input: b.input ?? {} }] : [])),
        finishReason: mapAnthropicStopReason(message.stop_reason),
        usage: message.usage ? normalizeAnthropicUsage(message.usage) : null,
      };
    },

    async listModels(context): Promise<DiscoveredModel[]> {
      const body = await readJsonBody<{ data?: Array<{ id?: unknown; display_name?: unknown }> }>(
        await fetchUpstream(upstream('/models?limit=1000', context)),
        'anthropic',
      );
      return (body.data ?? []).flatMap((model) =>
        typeof model.id === 'string'
          ? [{ id: model.id, name: typeof model.display_name === 'string' ? model.display_name : model.id, kind: 'chat' as const }]
          : [],
      );
    },
  };
}
