import { createUsage, type Usage } from '@aiu/core';

interface OpenAIUsageWire {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } | null;
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
    cacheWriteTokens: usage.prompt_tokens_details?.cache_write_tokens ?? 0,
    reasoningTokens: reasoning,
  });
}

/** The cost a provider billed for the call itself (OpenRouter's `usage.cost`, USD). */
export function reportedCost(wire: unknown): number | undefined {
  const cost = (wire as { cost?: unknown } | null | undefined)?.cost;
  return typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 ? cost : undefined;
}
