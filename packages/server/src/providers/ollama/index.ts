import { createUsage, type FinishReason, StreamTruncatedError, UpstreamError, UpstreamUnreachableError, type Usage } from '@aiu/core';
import { errorFromBody, fetchUpstream, readJsonBody, readJsonLines, type UpstreamRequest, upstreamRequests } from '../http';
import type { UpstreamResponse } from '../transport';
import type { DiscoveredModel, Provider, ProviderChatRequest, ProviderEvent, ProviderResult, ProviderSettings } from '../types';

interface ChatLineWire {
  message?: { content?: string; thinking?: string };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: string;
}

function usageOf(line: ChatLineWire): Usage {
  return createUsage({ inputTokens: line.prompt_eval_count ?? 0, outputTokens: line.eval_count ?? 0 });
}

function finishOf(reason: string | undefined): FinishReason {
  if (reason === 'stop' || reason === undefined) return 'stop';
  if (reason === 'length') return 'length';
  return 'other';
}

/** Our request → `/api/chat`: sampling options live in `options`, max tokens is `num_predict`. */
export function toOllamaBody(request: ProviderChatRequest, stream: boolean): Record<string, unknown> {
  const { options } = request;
  const modelOptions: Record<string, unknown> = {};
  if (options.temperature !== undefined) modelOptions.temperature = options.temperature;
  if (options.topP !== undefined) modelOptions.top_p = options.topP;
  if (options.seed !== undefined) modelOptions.seed = options.seed;
  if (options.maxTokens !== undefined) modelOptions.num_predict = options.maxTokens;
  if (options.stop !== undefined) modelOptions.stop = Array.isArray(options.stop) ? options.stop : [options.stop];
  return {
    model: request.model,
    messages: request.messages.map(({ role, content }) => ({ role, content })),
    stream,
    ...(Object.keys(modelOptions).length ? { options: modelOptions } : {}),
  };
}

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

  async function* parse(response: UpstreamResponse, call: UpstreamRequest): AsyncGenerator<ProviderEvent> {
    if (!response.body) throw new StreamTruncatedError('ollama sent an empty stream.');
    for await (const value of readJsonLines(response.body, call)) {
      const line = value as ChatLineWire;
      if (line.error) throw errorFromBody(call, 500, JSON.stringify({ error: line.error }));
      if (line.message?.thinking) yield { type: 'reasoning', text: line.message.thinking };
      if (line.message?.content) yield { type: 'text', text: line.message.content };
      if (line.done) {
        yield { type: 'usage', usage: usageOf(line) };
        yield { type: 'finish', finishReason: finishOf(line.done_reason) };
        return;
      }
    }
    throw new StreamTruncatedError('ollama closed the stream before it was done.');
  }

  return {
    id: 'ollama',
    envKey: undefined,
    requiresKey: false,

    async stream(request, context) {
      const call = upstream('/api/chat', context, toOllamaBody(request, true));
      return parse(await send(call), call);
    },

    async complete(request, context): Promise<ProviderResult> {
      const line = await readJsonBody<ChatLineWire>(await send(upstream('/api/chat', context, toOllamaBody(request, false))), 'ollama');
      if (line.error) throw new UpstreamError(`ollama: ${line.error}`);
      return {
        text: line.message?.content ?? '',
        reasoning: line.message?.thinking ?? '',
        finishReason: finishOf(line.done_reason),
        usage: usageOf(line),
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
