import type { Usage } from './schemas/usage';

export interface UsageParts {
  /** All prompt tokens, cached and cache-write ones included. */
  inputTokens: number;
  /** All generated tokens, reasoning ones included. */
  outputTokens: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

/** Builds a Usage whose total is always input + output, whatever a provider reported. */
export function createUsage(parts: UsageParts): Usage {
  const inputTokens = count(parts.inputTokens);
  const outputTokens = count(parts.outputTokens);
  return {
    inputTokens,
    outputTokens,
    cachedInputTokens: count(parts.cachedInputTokens),
    cacheWriteTokens: count(parts.cacheWriteTokens),
    reasoningTokens: count(parts.reasoningTokens),
    totalTokens: inputTokens + outputTokens,
  };
}

// Both calls marked pure: in the shared build chunk, an unmarked one keeps this (and `createUsage`) in every client bundle.
export const EMPTY_USAGE: Usage = /* @__PURE__ */ Object.freeze(/* @__PURE__ */ createUsage({ inputTokens: 0, outputTokens: 0 }));

function count(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}
