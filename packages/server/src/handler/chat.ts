import { AiuError, type ChatEvent, ChatRequestSchema, type ChatRequest } from '@aiu/core';
import { joinPieces, pullEvents } from '../http/pull';
import { abortOf } from '../http/requestFacts';
import { PulledResponse, SSE_HEADERS } from '../http/responses';
import { ChatCall } from '../orchestrator/chatCall';
import { readJson } from './body';
import type { Piece } from '../util/pieceBuilder';
import type { RouteContext } from './context';
import { errorResponse, json } from './respond';
import { sseBatch } from './sse';

/** The server tools this caller may use: all, unless `authorize` says otherwise for `tools:use`. */
export async function allowedServerTools(request: Request, ctx: RouteContext): Promise<string[] | undefined> {
  const tools = ctx.runtime.serverTools;
  if (!ctx.authorize || tools.size === 0) return undefined;
  const allowed: string[] = [];
  for (const tool of tools.names()) {
    if (await ctx.authorize({ identity: ctx.identity, action: 'tools:use', resource: { tool }, request })) allowed.push(tool);
  }
  return allowed;
}

/** POST /chat: aiu's own protocol — SSE events, or one JSON result with `stream: false`. */
export async function chatRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  let body: ChatRequest;
  try {
    body = await readJson(request, ChatRequestSchema, ctx.maxChatBodyBytes, 'maxChatBodyBytes');
  } catch (error) {
    return errorResponse(ChatCall.reject(ctx.runtime, ctx.identity, error));
  }

  const call = new ChatCall(ctx.runtime, body, ctx.identity, abortOf(request), await allowedServerTools(request, ctx));
  if (body.stream === false) {
    try {
      return json(await call.complete());
    } catch (error) {
      return errorResponse(error);
    }
  }

  return streamResponse(call, ctx, { headers: SSE_HEADERS, error: errorResponse, encoderFor: () => ({ encode: sseBatch }) });
}

/** How one protocol writes a chat stream: its headers, its error shape, its encoding of events. */
export interface StreamProtocol {
  headers: Readonly<Record<string, string>>;
  error(error: unknown): Response;
  /** Made once `start` is known (the answering model, the request id); `opening` goes first. */
  encoderFor(start: Extract<ChatEvent, { type: 'start' }>): { opening?: string; encode(events: readonly ChatEvent[]): Piece };
}

/**
 * A chat call as a streamed response, in any protocol. It waits for `start` (the provider accepted
 * the call): until then a failure is a plain HTTP error with its real status, not a 200 stream that
 * carries an error. `start` comes with what answered first (results of tools the client approved).
 */
export async function streamResponse(call: ChatCall, ctx: RouteContext, protocol: StreamProtocol): Promise<Response> {
  const batches = call.batches();
  let first: IteratorResult<ChatEvent[]>;
  try {
    first = await batches.next();
  } catch (error) {
    return protocol.error(error);
  }
  const opening = first.done ? undefined : first.value;
  const start = opening?.[0];
  if (!opening || start?.type !== 'start') return protocol.error(new AiuError('internal_error', 'The chat ended before it started.'));
  const { opening: prefix = '', encode } = protocol.encoderFor(start);
  const headers = { ...protocol.headers, 'x-aiu-request-id': start.requestId };
  const head = encode(opening);
  return new PulledResponse(200, headers, pullEvents({ first: prefix ? joinPieces([prefix, head]) : head, batches, encode, pingIntervalMs: ctx.pingIntervalMs }));
}
