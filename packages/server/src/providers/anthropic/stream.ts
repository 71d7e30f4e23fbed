import { type FinishReason, StreamTruncatedError } from '@aiu/core';
import { errorFromBody, parseStreamJson, sseEventBatches, type UpstreamRequest } from '../http';
import type { UpstreamResponse } from '../transport';
import type { ProviderEvent } from '../types';
import { type AnthropicUsageWire, mergeAnthropicUsage, normalizeAnthropicUsage } from './usage';

export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

/** Anthropic's error types → the HTTP status it uses for them, so one mapping serves both. */
const ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

export function anthropicErrorStatus(type: unknown): number {
  return (typeof type === 'string' && ERROR_STATUS[type]) || 500;
}

interface StreamEventWire {
  type?: string;
  message?: { usage?: AnthropicUsageWire };
  content_block?: { type?: string; text?: string; thinking?: string };
  delta?: { type?: string; text?: string; thinking?: string; stop_reason?: string | null };
  usage?: AnthropicUsageWire;
  error?: { type?: string; message?: string };
}

/**
 * Messages API SSE → our events, the events of one network chunk in one array. Usage arrives
 * in `message_start` and again in `message_delta`; each field's latest value wins. Only
 * `message_stop` completes a stream.
 */
export async function* parseAnthropicStream(response: UpstreamResponse, request: UpstreamRequest): AsyncGenerator<ProviderEvent[]> {
  if (!response.body) throw new StreamTruncatedError(`${request.provider} sent an empty stream.`);
  let usage: AnthropicUsageWire = {};
  let finishReason: FinishReason = 'other';
  const stopped = yield* sseEventBatches(response.body, request, (data, out) => {
    const event = parseStreamJson<StreamEventWire>(data, request.provider, 'event');
    switch (event.type) {
      case 'message_start':
        usage = mergeAnthropicUsage(usage, event.message?.usage);
        out.push({ type: 'usage', usage: normalizeAnthropicUsage(usage) });
        return false;
      case 'content_block_start':
        if (event.content_block?.type === 'text' && event.content_block.text) out.push({ type: 'text', text: event.content_block.text });
        if (event.content_block?.type === 'thinking' && event.content_block.thinking) {
          out.push({ type: 'reasoning', text: event.content_block.thinking });
        }
        return false;
      case 'content_block_delta':
        if (event.delta?.type === 'text_delta' && event.delta.text) out.push({ type: 'text', text: event.delta.text });
        if (event.delta?.type === 'thinking_delta' && event.delta.thinking) out.push({ type: 'reasoning', text: event.delta.thinking });
        return false;
      case 'message_delta':
        if (event.delta?.stop_reason) finishReason = mapAnthropicStopReason(event.delta.stop_reason);
        usage = mergeAnthropicUsage(usage, event.usage);
        out.push({ type: 'usage', usage: normalizeAnthropicUsage(usage) });
        return false;
      case 'message_stop':
        out.push({ type: 'finish', finishReason });
        return true;
      case 'error':
        throw errorFromBody(request, anthropicErrorStatus(event.error?.type), JSON.stringify({ error: event.error }));
      default:
        return false; // ping, content_block_stop and event types added later
    }
  });
  if (!stopped) throw new StreamTruncatedError(`${request.provider} closed the stream before message_stop.`);
}
