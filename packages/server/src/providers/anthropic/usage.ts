import { createUsage, type Usage } from '@aiu/core';

export interface AnthropicUsageWire {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
  server_tool_use?: { web_search_requests?: number | null; web_fetch_requests?: number | null; code_execution_requests?: number | null } | null;
  service_tier?: string | null;
  inference_geo?: string | null;
}

const COUNTS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const;

/** Merges a newer usage report into what is known: the latest value of each field wins. */
export function mergeAnthropicUsage(known: AnthropicUsageWire, next: AnthropicUsageWire | undefined): AnthropicUsageWire {
  if (!next) return known;
  const merged: AnthropicUsageWire = { ...known };
  for (const key of COUNTS) {
    const value = next[key];
    if (typeof value === 'number') merged[key] = value;
  }
  // Each detail block is merged field by field: a later report may carry only some of them.
  if (next.cache_creation) merged.cache_creation = { ...known.cache_creation, ...next.cache_creation };
  if (next.output_tokens_details) merged.output_tokens_details = { ...known.output_tokens_details, ...next.output_tokens_details };
  if (next.server_tool_use) merged.server_tool_use = { ...known.server_tool_use, ...next.server_tool_use };
  if (typeof next.service_tier === 'string') merged.service_tier = next.service_tier;
  if (typeof next.inference_geo === 'string') merged.inference_geo = next.inference_geo;
  return merged;
}

/** Geography values that carry no surcharge: the default routing. */
const UNPRICED_GEO = new Set(['not_available', 'global']);

/**
 * Anthropic's `input_tokens` excludes cache reads and cache writes; ours includes both. Writes
 * are split by how long they are kept (1 hour costs more than 5 minutes). Thinking is billed
 * inside `output_tokens`; newer answers say how much of it in `output_tokens_details`. A call
 * pinned to a region (`inference_geo: "us"`) is priced apart: its tier reads `standard:us`.
 */
export function normalizeAnthropicUsage(wire: AnthropicUsageWire): Usage {
  const cacheRead = wire.cache_read_input_tokens ?? 0;
  const cacheWrite = wire.cache_creation_input_tokens ?? 0;
  const hour = wire.cache_creation?.ephemeral_1h_input_tokens;
  const tools = wire.server_tool_use;
  const geo = wire.inference_geo;
  const tier = wire.service_tier ?? undefined;
  return createUsage({
    inputTokens: (wire.input_tokens ?? 0) + cacheRead + cacheWrite,
    outputTokens: wire.output_tokens ?? 0,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: wire.output_tokens_details?.thinking_tokens ?? 0,
    cacheWrite1hTokens: typeof hour === 'number' ? hour : undefined,
    serverToolRequests: tools
      ? { webSearch: tools.web_search_requests ?? 0, webFetch: tools.web_fetch_requests ?? 0, codeExecution: tools.code_execution_requests ?? 0 }
      : undefined,
    serviceTier: tier && geo && !UNPRICED_GEO.has(geo) ? `${tier}:${geo}` : tier,
  });
}
