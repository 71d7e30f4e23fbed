import { createUsage, type Usage } from '@aiu/core';

export interface AnthropicUsageWire {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

/** Merges a newer usage report into what is known: the latest value of each field wins. */
export function mergeAnthropicUsage(known: AnthropicUsageWire, next: AnthropicUsageWire | undefined): AnthropicUsageWire {
  if (!next) return known;
  const merged: AnthropicUsageWire = { ...known };
  for (const key of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
    const value = next[key];
    if (typeof value === 'number') merged[key] = value;
  }
  return merged;
}

/**
 * Anthropic's `input_tokens` excludes cache reads and cache writes; ours includes both.
 * Thinking is billed inside `output_tokens` and not reported apart.
 */
export function normalizeAnthropicUsage(wire: AnthropicUsageWire): Usage {
  const cacheRead = wire.cache_read_input_tokens ?? 0;
  const cacheWrite = wire.cache_creation_input_tokens ?? 0;
  return createUsage({
    inputTokens: (wire.input_tokens ?? 0) + cacheRead + cacheWrite,
    outputTokens: wire.output_tokens ?? 0,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  });
}
