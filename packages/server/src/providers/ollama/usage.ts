import { createUsage, type Usage } from '@aiu/core';

export interface OllamaCountsWire {
  prompt_eval_count?: number;
  eval_count?: number;
}

/** Ollama counts the prompt and what it generated; nothing is cached or billed apart. */
export function normalizeOllamaUsage(wire: OllamaCountsWire): Usage {
  return createUsage({ inputTokens: wire.prompt_eval_count ?? 0, outputTokens: wire.eval_count ?? 0 });
}
