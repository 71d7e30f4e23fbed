import { type ChatRequest, ChatRequestSchema } from '@aiu/core';
import { toChatRequest, UIChatRequestSchema, UIMessageStreamEncoder } from '../compat/aisdk/uiChat';
import { abortOf } from '../http/requestFacts';
import { SSE_HEADERS } from '../http/responses';
import { ChatCall } from '../orchestrator/chatCall';
import { parseOrThrow, readJson } from './body';
import { allowedServerTools, streamResponse } from './chat';
import type { RouteContext } from './context';
import { resolveModel } from './resolveModel';
import { errorResponse } from './respond';

const UI_STREAM_HEADERS = { ...SSE_HEADERS, 'x-vercel-ai-ui-message-stream': 'v1', 'x-accel-buffering': 'no' };

/**
 * POST /ui/chat: the body `@ai-sdk/react`'s `useChat` sends (with `model` in its extra body),
 * answered in the AI SDK's UI message stream, so apps on the AI SDK or assistant-ui keep their UI.
 */
export async function uiChatRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  let body: ChatRequest;
  try {
    const wire = await readJson(request, UIChatRequestSchema, ctx.maxChatBodyBytes, 'maxChatBodyBytes');
    body = parseOrThrow(ChatRequestSchema, { ...toChatRequest(wire), model: await resolveModel(wire.model, ctx, 'chat') }, 'request');
  } catch (error) {
    return errorResponse(ChatCall.reject(ctx.runtime, ctx.identity, error));
  }
  const call = new ChatCall(ctx.runtime, body, ctx.identity, abortOf(request), await allowedServerTools(request, ctx));
  return streamResponse(call, ctx, {
    headers: UI_STREAM_HEADERS,
    error: errorResponse,
    encoderFor: () => {
      const encoder = new UIMessageStreamEncoder();
      return { encode: (events) => encoder.encode(events) };
    },
  });
}
