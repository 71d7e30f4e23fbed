import { type ChatRequest, ChatRequestSchema } from '@aiu/core';
import { anthropicErrorResponse } from '../compat/anthropic/errors';
import { MessageEventEncoder, toMessage } from '../compat/anthropic/response';
import { AnthropicMessagesRequestSchema } from '../compat/anthropic/schema';
import { toChatRequest } from '../compat/anthropic/toChatRequest';
import { abortOf } from '../http/requestFacts';
import { SSE_HEADERS } from '../http/responses';
import { ChatCall } from '../orchestrator/chatCall';
import { parseOrThrow, readJson } from './body';
import { allowedServerTools, streamResponse } from './chat';
import type { RouteContext } from './context';
import { resolveModel } from './resolveModel';
import { json } from './respond';

/** POST /v1/messages: Anthropic's Messages API, streamed and not, onto the same chat call. */
export async function anthropicMessagesRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  let body: ChatRequest;
  try {
    const wire = await readJson(request, AnthropicMessagesRequestSchema, ctx.maxChatBodyBytes, 'maxChatBodyBytes');
    body = parseOrThrow(ChatRequestSchema, toChatRequest(wire, await resolveModel(wire.model, ctx, 'chat')), 'request');
  } catch (error) {
    return anthropicErrorResponse(ChatCall.reject(ctx.runtime, ctx.identity, error));
  }
  const clientTools = new Set(Object.keys(body.tools ?? {}));
  const call = new ChatCall(ctx.runtime, body, ctx.identity, abortOf(request), await allowedServerTools(request, ctx));
  if (!body.stream) {
    // A failure reaches Anthropic's error shape through the route's `errors` option.
    const result = await call.complete();
    return json(toMessage(result, clientTools), { headers: { 'x-aiu-request-id': result.requestId, 'request-id': result.requestId } });
  }
  return streamResponse(call, ctx, {
    headers: SSE_HEADERS,
    error: anthropicErrorResponse,
    encoderFor: (start) => {
      const encoder = new MessageEventEncoder(start.requestId, start.model, clientTools);
      return { opening: encoder.opening(), encode: (events) => encoder.encode(events) };
    },
  });
}
