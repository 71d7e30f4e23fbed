import { AiuError, type ChatEvent, type ChatRequest, ChatRequestSchema } from '@aiu/core';
import { toChatRequest, UIChatRequestSchema, UIMessageStreamEncoder } from '../compat/aisdk/uiChat';
import { pullEvents } from '../http/pull';
import { abortOf } from '../http/requestFacts';
import { PulledResponse, SSE_HEADERS } from '../http/responses';
import { ChatCall } from '../orchestrator/chatCall';
import { parseOrThrow, readJson } from './body';
import { allowedServerTools } from './chat';
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
  const batches = call.batches();
  let first: IteratorResult<ChatEvent[]>;
  try {
    first = await batches.next();
  } catch (error) {
    return errorResponse(error);
  }
  const opening = first.done ? undefined : first.value;
  if (opening?.[0]?.type !== 'start') return errorResponse(new AiuError('internal_error', 'The chat ended before it started.'));
  const encoder = new UIMessageStreamEncoder();
  const encode = (events: readonly ChatEvent[]) => encoder.encode(events);
  return new PulledResponse(200, { ...UI_STREAM_HEADERS, 'x-aiu-request-id': opening[0].requestId }, pullEvents({ first: encode(opening), batches, encode, pingIntervalMs: ctx.pingIntervalMs }));
}
