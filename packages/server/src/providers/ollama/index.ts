import { createUsage, UpstreamError, UpstreamUnreachableError } from '@aiu/core';
import { ProviderEventStream } from '../eventStream';
import { fetchUpstream, readJsonBody, type UpstreamRequest, upstreamRequests } from '../http';
import type { UpstreamResponse } from '../transport';
import type { DiscoveredModel, Provider, ProviderResult, ProviderSettings } from '../types';
import { toOllamaBody } from './request';
import { type ChatLineWire, mapOllamaDoneReason, parseOllamaStream, toolCallsOf } from './stream';
import { normalizeOllamaUsage } from './usage';

/** A local Ollama server: no key; NDJSON streaming. */
export function createOllamaProvider(settings: ProviderSettings = {}): Provider {
  const upstream = upstreamRequests('ollama', settings.baseURL ?? 'http://localhost:11434', settings, (apiKey) => ({ authorization: `Bearer ${apiKey}` }));

  async function send(call: UpstreamRequest): Promise<UpstreamResponse> {
    try {
      return await fetchUpstream(call);
    } catch (error) {
      if (UpstreamUnreachableError.isInstance(error)) {
        throw new UpstreamUnreachableError(`${error.message} Is Ollama running? Start it with \`ollama serve\`, or set providers.ollama.baseURL.`);
      }
      throw error;
    }
  }

  return {
    id: 'ollama',
    envKey: undefined,
    requiresKey: false,

    async stream(request, context) {
      const call = upstream('/api/chat', context, toOllamaBody(request, true));
      return new ProviderEventStream(parseOllamaStream(await send(call), call));
    },

    async complete(request, context): Promise<ProviderResult> {
      const line = await readJsonBody<ChatLineWire>(await send(upstream('/api/chat', context, toOllamaBody(request, false))), 'ollama');
      if (line.error) throw new UpstreamError(`ollama: ${line.error}`);
      const toolCalls = toolCallsOf(line, 0);
      return {
        text: line.message?.content ?? '',
        reasoning: line.message?.thinking ?? '',
        toolCalls,
        finishReason: toolCalls.length ? 'tool_calls' : mapOllamaDoneReason(line.done_reason),
        usage: normalizeOllamaUsage(line),
      };
    },

    async listModels(context): Promise<DiscoveredModel[]> {
      const body = await readJsonBody<{ models?: Array<{ name?: string; model?: string; details?: { family?: string } }> }>(
        await send(upstream('/api/tags', context)),
        'ollama',
      );
      return (body.models ?? []).flatMap((model) => {
        const id = model.name ?? model.model;
        if (!id) return [];
        const embed = /embed|minilm|bge|nomic-bert/i.test(`${id} ${model.details?.family ?? ''}`);
        return [{ id, name: id, kind: embed ? ('embed' as const) : ('chat' as const) }];
      });
    },

    async embed(request, context) {
      const body = await readJsonBody<{ embeddings?: number[][]; prompt_eval_count?: number }>(
        await send(upstream('/api/embed', context, { model: request.model, input: request.input })),
        'ollama',
      );
      return {
        embeddings: body.embeddings ?? [],
        usage: createUsage({ inputTokens: body.prompt_eval_count ?? 0, outputTokens: 0 }),
      };
    },
  };
}
