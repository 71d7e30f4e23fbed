import { createUsage, type Usage } from '@aiu/core';

interface OpenAIUsageWire {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number; audio_tokens?: number; image_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number } | null;
  /** DeepSeek reports its cache hits here. */
  prompt_cache_hit_tokens?: number;
}

/**
 * OpenAI counts reasoning inside `completion_tokens`; xAI does not (its total is
 * prompt + completion + reasoning). The total tells which convention the provider used.
 * Audio and image tokens are parts of the prompt and completion counts. The service tier
 * (`flex`, `priority`, …) sits beside `usage` in the body; it changes the price.
 */
export function normalizeOpenAIUsage(wire: unknown, serviceTier?: unknown): Usage | null {
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
    audioInputTokens: usage.prompt_tokens_details?.audio_tokens,
    imageInputTokens: usage.prompt_tokens_details?.image_tokens,
    audioOutputTokens: usage.completion_tokens_details?.audio_tokens,
    serviceTier: typeof serviceTier === 'string' ? serviceTier : undefined,
  });
}

/** xAI bills in ticks of 1e-10 USD. */
const USD_PER_XAI_TICK = 1e-10;

/** The cost a provider billed for the call itself: OpenRouter's `usage.cost` (USD), xAI's `cost_in_usd_ticks`. */
export function reportedCost(wire: unknown): number | undefined {
  const usage = wire as { cost?: unknown; cost_in_usd_ticks?: unknown } | null | undefined;
  const cost = usage?.cost;
  if (typeof cost === 'number' && Number.isFinite(cost) && cost >= 0) return cost;
  const ticks = usage?.cost_in_usd_ticks;
  if (typeof ticks === 'number' && Number.isSafeInteger(ticks) && ticks >= 0) return Math.round(ticks * USD_PER_XAI_TICK * 1e12) / 1e12;
  return undefined;
}
