import { type FinishReason, StreamTruncatedError } from '@aiu/core';
import { errorFromBody, parseStreamJson, sseEventBatches, type UpstreamRequest } from '../http';
import { ToolCallAssembler } from '../toolCalls';
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
  index?: number;
  message?: { usage?: AnthropicUsageWire };
  content_block?: { type?: string; text?: string; thinking?: string; signature?: string; data?: string; id?: string; name?: string };
  delta?: { type?: string; text?: string; thinking?: string; signature?: string; partial_json?: string; stop_reason?: string | null };
  usage?: AnthropicUsageWire;
  error?: { type?: string; message?: string };
}

/**
 * Messages API SSE → our events, the events of one network chunk in one array. Usage arrives
 * in `message_start` and again in `message_delta`; each field's latest value wins. A thinking
 * block's signature (what Anthropic needs back on the next turn) leaves with the block's end; a
 * `tool_use` block is one tool call, its `input_json_delta` pieces its arguments. Only
 * `message_stop` completes a stream.
 */
export function parseAnthropicStream(response: UpstreamResponse, request: UpstreamRequest): AsyncGenerator<ProviderEvent[]> {
  let usage: AnthropicUsageWire = {};
  let finishReason: FinishReason = 'other';
  const calls = new ToolCallAssembler(request.provider);
  const signatures = new Map<number, string>();
  const onMessage = (data: string, out: ProviderEvent[]): boolean => {
    const event = parseStreamJson<StreamEventWire>(data, request.provider, 'event');
    const index = event.index ?? 0;
    switch (event.type) {
      case 'message_start':
        usage = mergeAnthropicUsage(usage, event.message?.usage);
        out.push({ type: 'usage', usage: normalizeAnthropicUsage(usage) });
        return false;
      case 'content_block_start': {
        const block = event.content_block;
        if (block?.type === 'text' && block.text) out.push({ type: 'text', text: block.text });
        else if (block?.type === 'thinking' && block.thinking) out.push({ type: 'reasoning', text: block.thinking });
        else if (block?.type === 'redacted_thinking' && block.data) {
          out.push({ type: 'reasoning', text: '', providerMetadata: { anthropic: { redactedData: block.data } } });
        } else if (block?.type === 'tool_use') calls.start(index, block.id, block.name ?? '', out);
        return false;
      }
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta?.type === 'text_delta' && delta.text) out.push({ type: 'text', text: delta.text });
        else if (delta?.type === 'thinking_delta' && delta.thinking) out.push({ type: 'reasoning', text: delta.thinking });
        else if (delta?.type === 'signature_delta' && delta.signature) signatures.set(index, (signatures.get(index) ?? '') + delta.signature);
        else if (delta?.type === 'input_json_delta') calls.append(index, delta.partial_json ?? '', out);
        return false;
      }
      case 'content_block_stop': {
        const signature = signatures.get(index);
        if (signature !== undefined) {
          signatures.delete(index);
          out.push({ type: 'reasoning', text: '', providerMetadata: { anthropic: { signature } } });
        }
        calls.finish(index, out);
        return false;
      }
      case 'message_delta':
        if (event.delta?.stop_reason) finishReason = mapAnthropicStopReason(event.delta.stop_reason);
        usage = mergeAnthropicUsage(usage, event.usage);
        out.push({ type: 'usage', usage: normalizeAnthropicUsage(usage) });
        return false;
      case 'message_stop':
        calls.finishAll(out);
        out.push({ type: 'finish', finishReason });
        return true;
      case 'error':
        throw errorFromBody(request, anthropicErrorStatus(event.error?.type), JSON.stringify({ error: event.error }));
      default:
        return false; // ping, and event types added later
    }
  };
  return sseEventBatches(response.body, request, onMessage, (stopped) => {
    if (!stopped) throw new StreamTruncatedError(`${request.provider} closed the stream before message_stop.`);
  });
}
