import { type FinishReason, StreamTruncatedError } from '@aiu/core';
import { errorFromBody, jsonLineBatches, type UpstreamRequest } from '../http';
import type { UpstreamResponse } from '../transport';
import type { ProviderEvent, ProviderToolCall } from '../types';
import { normalizeOllamaUsage, type OllamaCountsWire } from './usage';

export interface ChatLineWire extends OllamaCountsWire {
  message?: { content?: string; thinking?: string; tool_calls?: Array<{ function?: { name?: string; arguments?: unknown } }> };
  done?: boolean;
  done_reason?: string;
  error?: string;
}

/** Ollama sends each tool call whole, its arguments an object, and no id: ids are made up in order. */
export function toolCallsOf(line: ChatLineWire, before: number): ProviderToolCall[] {
  return (line.message?.tool_calls ?? []).map((call, index) => ({ id: `call_${before + index + 1}`, name: call.function?.name ?? '', input: call.function?.arguments ?? {} }));
}

export function mapOllamaDoneReason(reason: string | undefined): FinishReason {
  if (reason === 'stop' || reason === undefined) return 'stop';
  if (reason === 'length') return 'length';
  return 'other';
}

/** `/api/chat` NDJSON → our events, the lines of one network read in one array; only `done: true` completes it. */
export async function* parseOllamaStream(response: UpstreamResponse, request: UpstreamRequest): AsyncGenerator<ProviderEvent[]> {
  if (!response.body) throw new StreamTruncatedError(`${request.provider} sent an empty stream.`);
  let called = 0;
  const done = yield* jsonLineBatches(response.body, request, (value, out) => {
    const line = value as ChatLineWire;
    if (line.error) throw errorFromBody(request, 500, JSON.stringify({ error: line.error }));
    if (line.message?.thinking) out.push({ type: 'reasoning', text: line.message.thinking });
    if (line.message?.content) out.push({ type: 'text', text: line.message.content });
    for (const call of toolCallsOf(line, called)) {
      called += 1;
      out.push({ type: 'tool-input-start', id: call.id, name: call.name }, { type: 'tool-call', ...call });
    }
    if (!line.done) return false;
    out.push({ type: 'usage', usage: normalizeOllamaUsage(line) });
    out.push({ type: 'finish', finishReason: called ? 'tool_calls' : mapOllamaDoneReason(line.done_reason) });
    return true;
  });
  if (!done) throw new StreamTruncatedError(`${request.provider} closed the stream before it was done.`);
}
