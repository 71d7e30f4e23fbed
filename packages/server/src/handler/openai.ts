import { type ChatRequest, ChatRequestSchema, EmbedRequestSchema, type ModelInfo, NotFoundError, UnsupportedError } from '@aiu/core';
import { openAIErrorResponse } from '../compat/openai/errors';
import { ChunkEncoder, toCompletion } from '../compat/openai/response';
import { OpenAIChatRequestSchema, OpenAIEmbeddingsRequestSchema } from '../compat/openai/schema';
import { toChatRequest } from '../compat/openai/toChatRequest';
import { abortOf } from '../http/requestFacts';
import { SSE_HEADERS } from '../http/responses';
import { ChatCall } from '../orchestrator/chatCall';
import { runEmbed } from '../orchestrator/embedCall';
import { parseOrThrow, readJson } from './body';
import { allowedServerTools, streamResponse } from './chat';
import type { RouteContext } from './context';
import { listModels } from './models';
import { resolveModel } from './resolveModel';
import { json } from './respond';

/** POST /v1/chat/completions: OpenAI's Chat Completions, streamed and not, onto the same chat call. */
export async function openAIChatRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  let body: ChatRequest;
  let includeUsage: boolean;
  try {
    const wire = await readJson(request, OpenAIChatRequestSchema, ctx.maxChatBodyBytes, 'maxChatBodyBytes');
    includeUsage = wire.stream_options?.include_usage === true;
    const model = await resolveModel(wire.model, ctx, 'chat');
    body = parseOrThrow(ChatRequestSchema, toChatRequest(wire, model, (id) => ctx.runtime.providers.speaksOpenAI(id)), 'request');
  } catch (error) {
    return openAIErrorResponse(ChatCall.reject(ctx.runtime, ctx.identity, error));
  }
  const clientTools = new Set(Object.keys(body.tools ?? {}));
  const call = new ChatCall(ctx.runtime, body, ctx.identity, abortOf(request), await allowedServerTools(request, ctx));
  if (!body.stream) {
    // A failure reaches OpenAI's error shape through the route's `errors` option.
    const result = await call.complete();
    return json(toCompletion(result, clientTools), { headers: { 'x-aiu-request-id': result.requestId } });
  }
  return streamResponse(call, ctx, {
    headers: SSE_HEADERS,
    error: openAIErrorResponse,
    encoderFor: (start) => {
      const encoder = new ChunkEncoder(start.requestId, start.model, clientTools, includeUsage);
      return { opening: encoder.opening(), encode: (events) => encoder.encode(events) };
    },
  });
}

/** Float32 little-endian, base64: what `encoding_format: "base64"` (the OpenAI SDK's default) means. */
function base64Vector(vector: number[]): string {
  const floats = Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}

/** POST /v1/embeddings. Failures reach OpenAI's error shape through the route's `errors` option. */
export async function openAIEmbeddingsRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const wire = await readJson(request, OpenAIEmbeddingsRequestSchema, ctx.maxBodyBytes);
  if (wire.dimensions !== undefined) throw new UnsupportedError('dimensions is not supported: the model answers in its own size.', { details: { param: 'dimensions' } });
  const input = wire.input;
  if (Array.isArray(input) && input.some((item) => typeof item !== 'string')) throw new UnsupportedError('input as token arrays is not supported: send text.', { details: { param: 'input' } });
  const model = await resolveModel(wire.model, ctx, 'embed');
  const body = parseOrThrow(EmbedRequestSchema, { model, input }, 'request');
  const result = await runEmbed(ctx.runtime, body, ctx.identity, abortOf(request));
  const base64 = wire.encoding_format === 'base64';
  return json(
    {
      object: 'list',
      data: result.embeddings.map((embedding, index) => ({ object: 'embedding', index, embedding: base64 ? base64Vector(embedding) : embedding })),
      model: result.model,
      usage: { prompt_tokens: result.usage.inputTokens, total_tokens: result.usage.totalTokens, cost: result.cost?.total ?? null },
    },
    { headers: { 'x-aiu-request-id': result.requestId } },
  );
}

function openAIModel(model: ModelInfo): Record<string, unknown> {
  return { id: model.id, object: 'model', created: 0, owned_by: model.provider };
}

/** GET /v1/models: every model of the configured providers, in OpenAI's list shape. */
export async function openAIModelsRoute(_request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const { models } = await listModels(ctx, {});
  return json({ object: 'list', data: models.map(openAIModel) });
}

/** GET /v1/models/:id (ids with a slash, as OpenRouter's, arrive as two segments). */
export async function openAIModelRoute(_request: Request, params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const id = params.rest ? `${params.id}/${params.rest}` : (params.id ?? '');
  const { models } = await listModels(ctx, {});
  const model = models.find((candidate) => candidate.id === id);
  if (!model) throw new NotFoundError(`The model "${id}" does not exist here (GET /v1/models lists them).`, { details: { param: 'model' } });
  return json(openAIModel(model));
}

