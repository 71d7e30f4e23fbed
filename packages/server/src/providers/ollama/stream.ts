import { type FinishReason, StreamTruncatedError } from '@aiu/core';
import { errorFromBody, jsonLineBatches, type UpstreamRequest } from '../http';
import type { UpstreamResponse } from '../transport';
import type { ProviderEvent } from '../types';
import { normalizeOllamaUsage, type OllamaCountsWire } from './usage';

export interface ChatLineWire extends OllamaCountsWire {
  message?: { content?: string; thinking?: string };
  done?: boolean;
  done_reason?: string;
  error?: string;
}

export function mapOllamaDoneReason(reason: string | undefined): FinishReason {
  if (reason === 'stop' || reason === undefined) return 'stop';
  if (reason === 'length') return 'length';
  return 'other';
}

/** `/api/chat` NDJSON → our events, the lines of one network read in one array; only `done: true` completes it. */
export async function* parseOllamaStream(response: UpstreamResponse, request: UpstreamRequest): AsyncGenerator<ProviderEvent[]> {
  if (!response.body) throw new StreamTruncatedError(`${request.provider} sent an empty stream.`);
  const done = yield* jsonLineBatches(response.body, request, (value, out) => {
    const line = value as ChatLineWire;
    if (line.error) throw errorFromBody(request, 500, JSON.stringify({ error: line.error }));
    if (line.message?.thinking) out.push({ type: 'reasoning', text: line.message.thinking });
    if (line.message?.content) out.push({ type: 'text', text: line.message.content });
    if (!line.done) return false;
    out.push({ type: 'usage', usage: normalizeOllamaUsage(line) });
    out.push({ type: 'finish', finishReason: mapOllamaDoneReason(line.done_reason) });
    return true;
  });
  if (!done) throw new StreamTruncatedError(`${request.provider} closed the stream before it was done.`);
}
