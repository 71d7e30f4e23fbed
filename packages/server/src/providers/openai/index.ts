import { createUsage, UpstreamError } from '@aiu/core';
import { ProviderEventStream } from '../eventStream';
import { fetchUpstream, readJsonBody, upstreamRequests } from '../http';
import type {
  Capability,
  DiscoveredModel,
  Provider,
  ProviderCallContext,
  ProviderChatRequest,
  ProviderEvent,
  ProviderResult,
  ProviderSettings,
} from '../types';
import { toOpenAIBody, type OpenAIWireOptions } from './request';
import { parseToolArguments } from '../toolCalls';
import { type ContentWire, contentEvents, mapFinishReason, parseOpenAIStream } from './stream';
import { normalizeOpenAIUsage, reportedCost } from './usage';

export interface OpenAIProviderConfig extends ProviderSettings {
  id: string;
  baseURL: string;
  envKey: string | undefined;
  requiresKey?: boolean;
  wire?: Partial<OpenAIWireOptions>;
  /** What this service's API cannot do at all (DeepSeek: images, files, JSON schemas). */
  unsupported?: ReadonlyArray<Capability>;
}

interface CompletionWire {
  choices?: Array<{
    message?: {
      content?: ContentWire;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: string | Record<string, unknown> } }> | null;
    };
    finish_reason?: string | null;
  }>;
  usage?: unknown;
  service_tier?: unknown;
}

/** Chat Completions — OpenAI itself and every server that speaks its wire format. */
export function createOpenAIProvider(config: OpenAIProviderConfig): Provider {
  const wire: OpenAIWireOptions = {
    maxTokensField: config.wire?.maxTokensField ?? 'max_tokens',
    streamOptions: config.wire?.streamOptions ?? true,
    reasoning: config.wire?.reasoning ?? 'effort',
  };
  const upstream = upstreamRequests(config.id, config.baseURL, config, (apiKey) => ({ authorization: `Bearer ${apiKey}` }));

  return {
    id: config.id,
    envKey: config.envKey,
    requiresKey: config.requiresKey ?? true,
    ...(config.unsupported ? { unsupported: config.unsupported } : {}),

    async stream(request: ProviderChatRequest, context: ProviderCallContext) {
      const call = upstream('/chat/completions', context, toOpenAIBody(request, true, wire));
      const response = await fetchUpstream(call);
      return new ProviderEventStream(parseOpenAIStream(response, call));
    },

    async complete(request: ProviderChatRequest, context: ProviderCallContext): Promise<ProviderResult> {
      const call = upstream('/chat/completions', context, toOpenAIBody(request, false, wire));
      const response = await fetchUpstream(call);
      const body = await readJsonBody<CompletionWire>(response, config.id);
      const choice = body.choices?.[0];
      if (!choice) throw new UpstreamError(`${config.id} sent a response without choices.`);
      const costUsd = reportedCost(body.usage);
      const content: ProviderEvent[] = [];
      contentEvents(choice.message?.content, content);
      const toolCalls = (choice.message?.tool_calls ?? []).map((call, index) => {
        const name = call.function?.name ?? '';
        const args = call.function?.arguments;
        // Some compatible servers send the arguments as an object rather than JSON text.
        const input = typeof args === 'string' || args === undefined ? parseToolArguments(args ?? '', name, config.id) : args;
        return { id: call.id || `call_${index + 1}`, name, input };
      });
      const finishReason = mapFinishReason(choice.finish_reason);
      return {
        text: content.map((event) => (event.type === 'text' ? event.text : '')).join(''),
        reasoning: choice.message?.reasoning_content ?? choice.message?.reasoning ?? content.map((event) => (event.type === 'reasoning' ? event.text : '')).join(''),
        toolCalls,
        finishReason: toolCalls.length && finishReason === 'stop' ? 'tool_calls' : finishReason,
        usage: normalizeOpenAIUsage(body.usage, body.service_tier),
        ...(costUsd === undefined ? {} : { costUsd }),
      };
    },

    async listModels(context: ProviderCallContext): Promise<DiscoveredModel[]> {
      const body = await readJsonBody<{ data?: Array<{ id?: unknown }> }>(await fetchUpstream(upstream('/models', context)), config.id);
      return (body.data ?? [])
        .map((entry) => entry.id)
        .filter((id): id is string => typeof id === 'string')
        .map((id) => ({ id, name: id, kind: /embed/i.test(id) ? 'embed' : 'chat' }));
    },

    async embed(request, context) {
      const body = await readJsonBody<{ data?: Array<{ index?: number; embedding?: number[] }>; usage?: { prompt_tokens?: number } }>(
        await fetchUpstream(upstream('/embeddings', context, { model: request.model, input: request.input })),
        config.id,
      );
      const rows = [...(body.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      return {
        embeddings: rows.map((row) => row.embedding ?? []),
        usage: typeof body.usage?.prompt_tokens === 'number' ? createUsage({ inputTokens: body.usage.prompt_tokens, outputTokens: 0 }) : null,
      };
    },
  };
}
