import type { LogListQuery, LogRecord } from '../../log/types';
import { type BillingColumns, billingOf, LOG_COLUMNS } from '../logColumns';

export type Row = BillingColumns & {
  id: string;
  time: number;
  user_id: string | null;
  project_id: string | null;
  provider: string;
  model: string;
  status: LogRecord['status'];
  error_code: string | null;
  attempts: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  estimated: number;
  cost_input: number | null;
  cost_output: number | null;
  cost_total: number | null;
  latency_ms: number;
  ttft_ms: number | null;
  queue_ms: number;
  attempt_details: string | null;
  saved_usd: number;
  prompt: string | null;
  response: string | null;
  metadata: string | null;
  step_details: string | null;
  tool_call_details: string | null;
  client_key_id: string | null;
};

export const COLUMNS = LOG_COLUMNS.join(', ');

/** The SQL (and its named parameters) for a page of the log, newest first. */
export function selectLogs(query: LogListQuery): { sql: string; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: query.limit };
  if (query.id !== undefined) {
    where.push('id = @id');
    params.id = query.id;
  }
  if (query.before) {
    where.push('(time < @beforeTime OR (time = @beforeTime AND id < @beforeId))');
    params.beforeTime = query.before.time;
    params.beforeId = query.before.id;
  }
  if (query.userId !== undefined) {
    where.push(query.userId === null ? 'user_id IS NULL' : 'user_id = @userId');
    params.userId = query.userId;
  }
  if (query.projectId !== undefined) {
    where.push(query.projectId === null ? 'project_id IS NULL' : 'project_id = @projectId');
    params.projectId = query.projectId;
  }
  for (const [key, column] of [
    ['clientKeyId', 'client_key_id'],
    ['provider', 'provider'],
    ['model', 'model'],
    ['status', 'status'],
  ] as const) {
    if (query[key] !== undefined) {
      where.push(`${column} = @${key}`);
      params[key] = query[key];
    }
  }
  if (query.from !== undefined) {
    where.push('time >= @from');
    params.from = query.from;
  }
  if (query.to !== undefined) {
    where.push('time < @to');
    params.to = query.to;
  }
  const sql =
    `SELECT ${COLUMNS} FROM aiu_request_log` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ' ORDER BY time DESC, id DESC LIMIT @limit';
  return { sql, params };
}

export function fromRow(row: Row): LogRecord {
  return {
    id: row.id,
    time: row.time,
    userId: row.user_id,
    projectId: row.project_id,
    provider: row.provider,
    model: row.model,
    status: row.status,
    errorCode: row.error_code,
    attempts: row.attempts,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cachedInputTokens: row.cached_input_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    reasoningTokens: row.reasoning_tokens,
    totalTokens: row.total_tokens,
    estimated: row.estimated === 1,
    costInput: row.cost_input,
    costOutput: row.cost_output,
    costTotal: row.cost_total,
    latencyMs: row.latency_ms,
    ttftMs: row.ttft_ms,
    queueMs: row.queue_ms,
    attemptDetails: row.attempt_details,
    savedUsd: row.saved_usd,
    prompt: row.prompt,
    response: row.response,
    metadata: row.metadata,
    stepDetails: row.step_details,
    toolCallDetails: row.tool_call_details,
    clientKeyId: row.client_key_id,
    ...billingOf(row),
  };
}
