import type { ServerToolRequests, Usage } from './schemas/usage';

export interface UsageParts {
  /** All prompt tokens, cached and cache-write ones included. */
  inputTokens: number;
  /** All generated tokens, reasoning ones included. */
  outputTokens: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
  /** Of `cacheWriteTokens`, those kept one hour; the rest were kept five minutes. */
  cacheWrite1hTokens?: number | undefined;
  audioInputTokens?: number | undefined;
  audioOutputTokens?: number | undefined;
  imageInputTokens?: number | undefined;
  toolUsePromptTokens?: number | undefined;
  serverToolRequests?: ServerToolRequests | undefined;
  serviceTier?: string | null | undefined;
}

/** The optional dimensions `createUsage` copies when non-zero (a zero says nothing a missing field does not). */
const DETAIL_COUNTS = ['audioInputTokens', 'audioOutputTokens', 'imageInputTokens', 'toolUsePromptTokens'] as const;
const SERVER_TOOLS = ['webSearch', 'webFetch', 'codeExecution'] as const;

/** Builds a Usage whose total is always input + output, whatever a provider reported. */
export function createUsage(parts: UsageParts): Usage {
  const inputTokens = count(parts.inputTokens);
  const outputTokens = count(parts.outputTokens);
  const cacheWriteTokens = count(parts.cacheWriteTokens);
  const usage: Usage = {
    inputTokens,
    outputTokens,
    cachedInputTokens: count(parts.cachedInputTokens),
    cacheWriteTokens,
    reasoningTokens: count(parts.reasoningTokens),
    totalTokens: inputTokens + outputTokens,
  };
  if (parts.cacheWrite1hTokens !== undefined && cacheWriteTokens > 0) {
    const hour = Math.min(count(parts.cacheWrite1hTokens), cacheWriteTokens);
    usage.cacheWrite5mTokens = cacheWriteTokens - hour;
    usage.cacheWrite1hTokens = hour;
  }
  for (const field of DETAIL_COUNTS) {
    const value = count(parts[field]);
    if (value > 0) usage[field] = value;
  }
  if (parts.serverToolRequests) {
    const requests: ServerToolRequests = {};
    for (const kind of SERVER_TOOLS) {
      const value = count(parts.serverToolRequests[kind]);
      if (value > 0) requests[kind] = value;
    }
    if (Object.keys(requests).length) usage.serverToolRequests = requests;
  }
  if (typeof parts.serviceTier === 'string' && parts.serviceTier) usage.serviceTier = parts.serviceTier;
  return usage;
}

/**
 * Several steps' usage as one: every count summed; the service tier kept when all steps share
 * it (each step was already priced at its own).
 */
export function sumUsage(usages: readonly Usage[]): Usage {
  const parts: Required<Omit<UsageParts, 'serverToolRequests' | 'serviceTier'>> & { serverToolRequests: ServerToolRequests; serviceTier: string | undefined } = {
    inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0,
    cacheWrite1hTokens: 0, audioInputTokens: 0, audioOutputTokens: 0, imageInputTokens: 0, toolUsePromptTokens: 0,
    serverToolRequests: {}, serviceTier: usages[0]?.serviceTier,
  };
  let splitsWrites = false;
  for (const usage of usages) {
    parts.inputTokens += usage.inputTokens;
    parts.outputTokens += usage.outputTokens;
    parts.cachedInputTokens += usage.cachedInputTokens;
    parts.cacheWriteTokens += usage.cacheWriteTokens;
    parts.reasoningTokens += usage.reasoningTokens;
    if (usage.cacheWrite1hTokens !== undefined) splitsWrites = true;
    parts.cacheWrite1hTokens += usage.cacheWrite1hTokens ?? 0;
    for (const field of DETAIL_COUNTS) parts[field] += usage[field] ?? 0;
    for (const kind of SERVER_TOOLS) {
      const value = usage.serverToolRequests?.[kind];
      if (value) parts.serverToolRequests[kind] = (parts.serverToolRequests[kind] ?? 0) + value;
    }
    if (usage.serviceTier !== parts.serviceTier) parts.serviceTier = undefined;
  }
  return createUsage({ ...parts, cacheWrite1hTokens: splitsWrites ? parts.cacheWrite1hTokens : undefined });
}

// Both calls marked pure: in the shared build chunk, an unmarked one keeps this (and `createUsage`) in every client bundle.
export const EMPTY_USAGE: Usage = /* @__PURE__ */ Object.freeze(/* @__PURE__ */ createUsage({ inputTokens: 0, outputTokens: 0 }));

function count(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}
