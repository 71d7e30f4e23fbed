import { ContentFilteredError, type FinishReason, StreamTruncatedError } from '@aiu/core';
import { errorFromBody, parseStreamJson, sseEventBatches, type UpstreamRequest } from '../http';
import type { UpstreamResponse } from '../transport';
import type { ProviderEvent } from '../types';
import { type GeminiUsageWire, normalizeGeminiUsage } from './usage';

export interface GeminiResponseWire {
  candidates?: Array<{
    content?: { parts?: Array<{ text?: string; thought?: boolean }> };
    finishReason?: string;
  }>;
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsageWire;
  error?: { code?: number; message?: string };
}

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']);

export function mapGeminiFinishReason(reason: string | undefined): FinishReason {
  if (reason === 'STOP') return 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason && FILTERED.has(reason)) return 'content_filter';
  if (reason === 'MALFORMED_FUNCTION_CALL' || reason === 'UNEXPECTED_TOOL_CALL') return 'tool_calls';
  return 'other';
}

/** A prompt Gemini refused to answer at all is a typed error, not an empty reply. */
export function blockedPromptError(response: GeminiResponseWire, provider: string): ContentFilteredError | undefined {
  const reason = response.promptFeedback?.blockReason;
  return reason ? new ContentFilteredError(`${provider} blocked the prompt (${reason}).`) : undefined;
}

/** Text parts, with thought parts (when thoughts are included) as reasoning. */
export function* partsOf(response: GeminiResponseWire): Generator<ProviderEvent> {
  for (const part of response.candidates?.[0]?.content?.parts ?? []) {
    if (part.text) yield { type: part.thought ? 'reasoning' : 'text', text: part.text };
  }
}

/**
 * `streamGenerateContent?alt=sse` → our events, the events of one network chunk in one array.
 * Usage is repeated in every chunk (latest wins); a stream is complete once a candidate
 * carries a finish reason.
 */
export async function* parseGeminiStream(response: UpstreamResponse, request: UpstreamRequest): AsyncGenerator<ProviderEvent[]> {
  if (!response.body) throw new StreamTruncatedError(`${request.provider} sent an empty stream.`);
  let finishReason: string | undefined;
  yield* sseEventBatches(response.body, request, (data, out) => {
    const chunk = parseStreamJson<GeminiResponseWire>(data, request.provider, 'chunk');
    if (chunk.error) throw errorFromBody(request, typeof chunk.error.code === 'number' ? chunk.error.code : 500, JSON.stringify(chunk));
    const blocked = blockedPromptError(chunk, request.provider);
    if (blocked) throw blocked;
    out.push(...partsOf(chunk));
    const usage = normalizeGeminiUsage(chunk.usageMetadata);
    if (usage) out.push({ type: 'usage', usage });
    finishReason = chunk.candidates?.[0]?.finishReason ?? finishReason;
    return false;
  });
  if (!finishReason) throw new StreamTruncatedError(`${request.provider} closed the stream before it finished.`);
  yield [{ type: 'finish', finishReason: mapGeminiFinishReason(finishReason) }];
}
