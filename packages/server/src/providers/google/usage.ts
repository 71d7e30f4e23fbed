import { createUsage, type Usage } from '@aiu/core';

interface ModalityCount {
  modality?: string;
  tokenCount?: number;
}

export interface GeminiUsageWire {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
  promptTokensDetails?: ModalityCount[];
  toolUsePromptTokensDetails?: ModalityCount[];
  candidatesTokensDetails?: ModalityCount[];
}

/** Tokens of one modality across lists; documents are billed as images (as the price data maps them). */
function tokensOf(modalities: ReadonlyArray<string>, ...lists: Array<ModalityCount[] | undefined>): number {
  let tokens = 0;
  for (const list of lists) for (const entry of list ?? []) if (entry.modality && modalities.includes(entry.modality)) tokens += entry.tokenCount ?? 0;
  return tokens;
}

/**
 * Gemini counts thoughts apart from `candidatesTokenCount` (its total adds them up);
 * ours counts them inside output. Cached content is part of `promptTokenCount`; the results
 * of tools Gemini runs (`toolUsePromptTokenCount`) are not, but are billed as input.
 * `webSearches` is how many search queries grounding ran (the unit Gemini 3 bills).
 */
export function normalizeGeminiUsage(wire: GeminiUsageWire | undefined, webSearches = 0): Usage | null {
  if (!wire || typeof wire.promptTokenCount !== 'number') return null;
  const thoughts = wire.thoughtsTokenCount ?? 0;
  const prompts = [wire.promptTokensDetails, wire.toolUsePromptTokensDetails];
  return createUsage({
    inputTokens: wire.promptTokenCount + (wire.toolUsePromptTokenCount ?? 0),
    outputTokens: (wire.candidatesTokenCount ?? 0) + thoughts,
    cachedInputTokens: wire.cachedContentTokenCount ?? 0,
    reasoningTokens: thoughts,
    audioInputTokens: tokensOf(['AUDIO'], ...prompts),
    imageInputTokens: tokensOf(['IMAGE', 'DOCUMENT'], ...prompts),
    audioOutputTokens: tokensOf(['AUDIO'], wire.candidatesTokensDetails),
    toolUsePromptTokens: wire.toolUsePromptTokenCount,
    serverToolRequests: webSearches ? { webSearch: webSearches } : undefined,
  });
}

/** How many web searches a candidate's grounding ran. */
export function webSearchesOf(candidate: { groundingMetadata?: { webSearchQueries?: unknown[] } } | undefined): number {
  return candidate?.groundingMetadata?.webSearchQueries?.length ?? 0;
}
