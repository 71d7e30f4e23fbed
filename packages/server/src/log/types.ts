import type { Cost, CostSource, LogEntry, LogGuardrailDecision, LogStep, LogToolCall, RequestStatus, ServerToolRequests } from '@aiu/core';

/** A request-log row as stores keep it: flat, times as epoch milliseconds. */
export interface LogRecord {
  id: string;
  time: number;
  userId: string | null;
  projectId: string | null;
  /** The client key the call came with; null (or absent, in rows written before client keys) without one. */
  clientKeyId?: string | null;
  provider: string;
  model: string;
  status: RequestStatus;
  errorCode: string | null;
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  estimated: boolean;
  costInput: number | null;
  costOutput: number | null;
  costTotal: number | null;
  latencyMs: number;
  ttftMs: number | null;
  queueMs: number;
  /** JSON array of attempts (model, outcome, code, latencyMs). */
  attemptDetails: string | null;
  /** USD the prompt cache saved (0 when nothing was cached or no price is known). */
  savedUsd: number;
  /** Only with `logBodies`: the redacted prompt (JSON messages) and reply. */
  prompt: string | null;
  response: string | null;
  /** The caller's metadata, serialised. */
  metadata: string | null;
  /** JSON array of the call's model steps (model, finish reason, usage, cost, latency); null for a single-step call. */
  stepDetails?: string | null;
  /** JSON array of every tool call (id, name, step, where it ran, outcome, duration); null when none. */
  toolCallDetails?: string | null;
  // What the bill needs beyond the flat counts; null (or absent, in older rows) where the provider did not report it.
  /** Of `cacheWriteTokens`, those kept one hour; null when the provider did not split writes by duration. */
  cacheWrite1hTokens?: number | null;
  audioInputTokens?: number | null;
  audioOutputTokens?: number | null;
  imageInputTokens?: number | null;
  toolUsePromptTokens?: number | null;
  /** JSON `{ webSearch?, webFetch?, codeExecution? }`. */
  serverToolRequests?: string | null;
  serviceTier?: string | null;
  costSource?: CostSource | null;
  /** With `costSource: 'provider'`: what the price data gives for the same call (null when it has no price). */
  catalogCost?: number | null;
  /** The audio and provider-run tool parts of `costTotal`. */
  costAudio?: number | null;
  costServerTools?: number | null;
  /** JSON array of guardrail decisions (`{ rule, action, where, message }`); null when none. */
  guardrails?: string | null;
}

export interface LogListQuery {
  limit: number;
  /** One entry by its request id. */
  id?: string | undefined;
  /** Entries strictly older than this (time, id) position. */
  before?: { time: number; id: string } | undefined;
  userId?: string | null | undefined;
  /** With `userId`, the tenant: null = entries without a project. */
  projectId?: string | null | undefined;
  clientKeyId?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
  status?: RequestStatus | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

/** What an export or a page of the log is filtered by (everything but the position). */
export type LogFilter = Omit<LogListQuery, 'limit' | 'before'>;

/** Stored metadata as the API shows it: text that does not parse (a hand-edited row) shows as null. */
export function parseMetadata(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function toLogEntry(record: LogRecord): LogEntry {
  let cost: Cost | null = null;
  if (record.costTotal !== null) {
    cost = { input: record.costInput ?? 0, output: record.costOutput ?? 0, total: record.costTotal, currency: 'USD' };
    if (typeof record.costAudio === 'number') cost.audio = record.costAudio;
    if (typeof record.costServerTools === 'number') cost.serverTools = record.costServerTools;
  }
  const metadata = parseMetadata(record.metadata);
  return {
    id: record.id,
    time: new Date(record.time).toISOString(),
    userId: record.userId,
    projectId: record.projectId,
    clientKeyId: record.clientKeyId ?? null,
    provider: record.provider,
    model: record.model,
    status: record.status,
    errorCode: record.errorCode,
    attempts: record.attempts,
    inputTokens: record.inputTokens,
    outputTokens: record.outputTokens,
    cachedInputTokens: record.cachedInputTokens,
    cacheWriteTokens: record.cacheWriteTokens,
    reasoningTokens: record.reasoningTokens,
    totalTokens: record.totalTokens,
    ...usageDetailsOf(record),
    estimated: record.estimated,
    cost,
    costSource: record.costSource ?? null,
    ...(typeof record.catalogCost === 'number' ? { catalogCost: record.catalogCost } : {}),
    latencyMs: record.latencyMs,
    ttftMs: record.ttftMs,
    queueMs: record.queueMs,
    attemptDetails: parseAttempts(record.attemptDetails),
    savedByCache: record.savedUsd,
    ...(record.prompt !== null || record.response !== null ? { prompt: record.prompt, response: record.response } : {}),
    metadata,
    steps: parseList<LogStep>(record.stepDetails ?? null),
    toolCalls: parseList<LogToolCall>(record.toolCallDetails ?? null),
    guardrails: parseList<LogGuardrailDecision>(record.guardrails ?? null),
  };
}

type UsageDetails = Pick<LogEntry, 'cacheWrite5mTokens' | 'cacheWrite1hTokens' | 'audioInputTokens' | 'audioOutputTokens' | 'imageInputTokens' | 'toolUsePromptTokens' | 'serverToolRequests' | 'serviceTier'>;

/** The optional usage dimensions a record has, as the entry shows them (absent when not reported). */
function usageDetailsOf(record: LogRecord): UsageDetails {
  const details: UsageDetails = {};
  if (typeof record.cacheWrite1hTokens === 'number') {
    details.cacheWrite5mTokens = record.cacheWriteTokens - record.cacheWrite1hTokens;
    details.cacheWrite1hTokens = record.cacheWrite1hTokens;
  }
  if (typeof record.audioInputTokens === 'number') details.audioInputTokens = record.audioInputTokens;
  if (typeof record.audioOutputTokens === 'number') details.audioOutputTokens = record.audioOutputTokens;
  if (typeof record.imageInputTokens === 'number') details.imageInputTokens = record.imageInputTokens;
  if (typeof record.toolUsePromptTokens === 'number') details.toolUsePromptTokens = record.toolUsePromptTokens;
  const tools = record.serverToolRequests ? parseObject<ServerToolRequests>(record.serverToolRequests) : null;
  if (tools) details.serverToolRequests = tools;
  if (record.serviceTier) details.serviceTier = record.serviceTier;
  return details;
}

function parseObject<T>(json: string): T | null {
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as T) : null;
  } catch {
    return null;
  }
}

function parseAttempts(json: string | null): LogEntry['attemptDetails'] {
  return parseList<LogEntry['attemptDetails'][number]>(json);
}

/** A stored JSON list; text that does not parse (a hand-edited row) shows as empty. */
function parseList<T>(json: string | null): T[] {
  if (!json) return [];
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? (value as T[]) : [];
  } catch {
    return [];
  }
}
