import type { LogRecord } from '../log/types';

/** The request log's columns, in the order `logParams` binds them (both SQL stores). */
export const LOG_COLUMNS = [
  'id', 'time', 'user_id', 'project_id', 'provider', 'model', 'status', 'error_code', 'attempts', 'input_tokens',
  'output_tokens', 'cached_input_tokens', 'cache_write_tokens', 'reasoning_tokens', 'total_tokens', 'estimated',
  'cost_input', 'cost_output', 'cost_total', 'latency_ms', 'ttft_ms', 'queue_ms', 'attempt_details', 'saved_usd', 'prompt', 'response', 'metadata',
  'step_details', 'tool_call_details', 'client_key_id', 'cache_write_1h_tokens', 'audio_input_tokens', 'audio_output_tokens',
  'image_input_tokens', 'tool_use_prompt_tokens', 'server_tool_requests', 'service_tier', 'cost_source', 'catalog_cost', 'cost_audio',
  'cost_server_tools', 'guardrails',
] as const;

/**
 * A record's values in `LOG_COLUMNS` order. Positional, not named: better-sqlite3 binds an array
 * of values in less than half the time it takes to bind an object by names, and it is what
 * PostgreSQL's `$n` parameters want anyway. SQLite has no boolean: `estimated` becomes 0 or 1 there.
 */
export function logParams(record: LogRecord, booleans: 'native' | 'integer'): unknown[] {
  return [
    record.id, record.time, record.userId, record.projectId, record.provider, record.model, record.status, record.errorCode,
    record.attempts, record.inputTokens, record.outputTokens, record.cachedInputTokens, record.cacheWriteTokens,
    record.reasoningTokens, record.totalTokens, booleans === 'integer' ? (record.estimated ? 1 : 0) : record.estimated,
    record.costInput, record.costOutput, record.costTotal, record.latencyMs, record.ttftMs, record.queueMs,
    record.attemptDetails, record.savedUsd, record.prompt, record.response, record.metadata, record.stepDetails ?? null, record.toolCallDetails ?? null,
    record.clientKeyId ?? null, record.cacheWrite1hTokens ?? null, record.audioInputTokens ?? null, record.audioOutputTokens ?? null,
    record.imageInputTokens ?? null, record.toolUsePromptTokens ?? null, record.serverToolRequests ?? null, record.serviceTier ?? null,
    record.costSource ?? null, record.catalogCost ?? null, record.costAudio ?? null, record.costServerTools ?? null, record.guardrails ?? null,
  ];
}

/** The billing columns as a SQL row names them, for both stores' row readers. */
export interface BillingColumns {
  cache_write_1h_tokens: number | null;
  audio_input_tokens: number | null;
  audio_output_tokens: number | null;
  image_input_tokens: number | null;
  tool_use_prompt_tokens: number | null;
  server_tool_requests: string | null;
  service_tier: string | null;
  cost_source: string | null;
  catalog_cost: number | null;
  cost_audio: number | null;
  cost_server_tools: number | null;
  guardrails: string | null;
}

const COST_SOURCES = new Set(['catalog', 'provider', 'override']);

/** A SQL row's billing columns as LogRecord fields. */
export function billingOf(row: BillingColumns): Pick<LogRecord, 'cacheWrite1hTokens' | 'audioInputTokens' | 'audioOutputTokens' | 'imageInputTokens' | 'toolUsePromptTokens' | 'serverToolRequests' | 'serviceTier' | 'costSource' | 'catalogCost' | 'costAudio' | 'costServerTools' | 'guardrails'> {
  return {
    cacheWrite1hTokens: row.cache_write_1h_tokens,
    audioInputTokens: row.audio_input_tokens,
    audioOutputTokens: row.audio_output_tokens,
    imageInputTokens: row.image_input_tokens,
    toolUsePromptTokens: row.tool_use_prompt_tokens,
    serverToolRequests: row.server_tool_requests,
    serviceTier: row.service_tier,
    costSource: row.cost_source !== null && COST_SOURCES.has(row.cost_source) ? (row.cost_source as LogRecord['costSource']) : null,
    catalogCost: row.catalog_cost,
    costAudio: row.cost_audio,
    costServerTools: row.cost_server_tools,
    guardrails: row.guardrails,
  };
}
