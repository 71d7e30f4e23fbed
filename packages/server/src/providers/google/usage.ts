import { createUsage, type Usage } from '@aiu/core';

export interface GeminiUsageWire {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

/**
 * Gemini counts thoughts apart from `candidatesTokenCount` (its total adds them up);
 * ours counts them inside output. Cached content is part of `promptTokenCount`.
 */
export function normalizeGeminiUsage(wire: GeminiUsageWire | undefined): Usage | null {
  if (!wire || typeof wire.promptTokenCount !== 'number') return null;
  const thoughts = wire.thoughtsTokenCount ?? 0;
  return createUsage({
    inputTokens: wire.promptTokenCount + (wire.toolUsePromptTokenCount ?? 0),
    outputTokens: (wire.candidatesTokenCount ?? 0) + thoughts,
    cachedInputTokens: wire.cachedContentTokenCount ?? 0,
    reasoningTokens: thoughts,
  });
}
