import { createUsage, type Usage } from '@aiu/core';

interface OpenAIUsageWire {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  /** DeepSeek reports its cache hits here. */
  prompt_cache_hit_tokens?: number;
}

/**
 * OpenAI counts reasoning inside `completion_tokens`; xAI does not (its total is
 * prompt + completion + reasoning). The total tells which convention the provider used.
 */
export function normalizeOpenAIUsage(wire: unknown): Usage | null {
  if (!wire || typeof wire !== 'object') return null;
  const usage = wire as OpenAIUsageWire;
  if (typeof usage.prompt_tokens !== 'number' && typeof usage.completion_tokens !== 'number') return null;
  const prompt = usage.prompt_tokens ?? 0;
  const completion = usage.completion_tokens ?? 0;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  const cached = usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens ?? 0;
  const reasoningOutsideCompletion =
    reasoning > 0 && usage.total_tokens === prompt + completion + reasoning && completion < reasoning + 1;
  return createUsage({
    inputTokens: prompt,
    outputTokens: reasoningOutsideCompletion ? completion + reasoning : completion,
    cachedInputTokens: cached,
    reasoningTokens: reasoning,
  });
}
