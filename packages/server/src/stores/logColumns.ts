import type { LogRecord } from '../log/types';

/** The request log's columns, in the order `logParams` binds them (both SQL stores). */
export const LOG_COLUMNS = [
  'id', 'time', 'user_id', 'project_id', 'provider', 'model', 'status', 'error_code', 'attempts', 'input_tokens',
  'output_tokens', 'cached_input_tokens', 'cache_write_tokens', 'reasoning_tokens', 'total_tokens', 'estimated',
  'cost_input', 'cost_output', 'cost_total', 'latency_ms', 'ttft_ms', 'queue_ms', 'attempt_details', 'saved_usd', 'prompt', 'response', 'metadata',
  'step_details', 'tool_call_details', 'client_key_id',
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
    record.clientKeyId ?? null,
  ];
}
