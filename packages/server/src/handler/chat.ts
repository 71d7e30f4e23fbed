import { AiuError, type ChatEvent, ChatRequestSchema, type ChatRequest } from '@aiu/core';
import { callerGoneOf, type IncomingRequest } from './incoming';
import { ChatCall } from '../orchestrator/chatCall';
import { readJson } from './body';
import type { RouteContext } from './context';
import { errorResponse, json } from './respond';
import type { RouteResult } from './reply';
import { SSE_HEADERS } from './sse';

/** A request that fails validation is still one log entry, like any other failed call. */
const UNPARSED: ChatRequest = { model: 'unknown', messages: [] };

export async function chatRoute(request: IncomingRequest, _params: Record<string, string>, ctx: RouteContext): Promise<RouteResult> {
  let body: ChatRequest;
  try {
    body = await readJson(request, ChatRequestSchema, ctx.maxBodyBytes);
  } catch (error) {
    new ChatCall(ctx.runtime, UNPARSED, ctx.identity, callerGoneOf(request)).fail(error);
    return errorResponse(error);
  }

  const call = new ChatCall(ctx.runtime, body, ctx.identity, callerGoneOf(request));
  if (body.stream === false) {
    try {
      return json(await call.complete());
    } catch (error) {
      return errorResponse(error);
    }
  }

  const events = call.batches();
  // Wait for `start` (the provider accepted the call): until then a failure is a plain
  // HTTP error with its real status, not a 200 stream that carries an error.
  let first: IteratorResult<ChatEvent[]>;
  try {
    first = await events.next();
  } catch (error) {
    return errorResponse(error);
  }
  const start = first.done ? undefined : first.value[0];
  if (!start) return errorResponse(new AiuError('internal_error', 'The chat ended before it started.'));
  return { status: 200, headers: SSE_HEADERS, events: { first: start, rest: events, pingIntervalMs: ctx.pingIntervalMs } };
}
