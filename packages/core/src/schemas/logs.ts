import * as z from 'zod/mini';
import { CostSchema, CostSourceSchema, ServerToolRequestsSchema } from './usage';

/** `interrupted`: the process died mid-call; the entry was made on the next start from what was known before the call left. */
export const RequestStatusSchema = z.enum(['success', 'error', 'aborted', 'interrupted']);
export type RequestStatus = z.infer<typeof RequestStatusSchema>;

/** One request-log entry as the routes return it. */
export const AttemptSchema = z.object({
  model: z.string(),
  outcome: z.enum(['success', 'error', 'skipped']),
  code: z.nullable(z.string()),
  latencyMs: z.number(),
});
export type Attempt = z.infer<typeof AttemptSchema>;

export const LogStepSchema = z.object({
  step: z.int(),
  model: z.string(),
  finishReason: z.string(),
  inputTokens: z.int(),
  outputTokens: z.int(),
  costUsd: z.nullable(z.number()),
  latencyMs: z.number(),
});
export type LogStep = z.infer<typeof LogStepSchema>;

/** A tool call in a log entry: where it ran (`server`: aiu ran it; `client`: the caller does) and how it ended. */
export const LogToolCallSchema = z.object({
  step: z.int(),
  toolCallId: z.string(),
  toolName: z.string(),
  runs: z.enum(['server', 'client']),
  outcome: z.enum(['success', 'error', 'denied', 'approval-required', 'handed-to-client', 'aborted']),
  durationMs: z.nullable(z.number()),
});
export type LogToolCall = z.infer<typeof LogToolCallSchema>;

/** What a guardrail did about a call (never the matched text): see `createAiu({ guardrails })`. */
export const LogGuardrailDecisionSchema = z.object({
  rule: z.string(),
  action: z.enum(['block', 'redact', 'flag']),
  where: z.enum(['prompt', 'answer']),
  /** The message it was found in; null for the answer. */
  message: z.nullable(z.int()),
});
export type LogGuardrailDecision = z.infer<typeof LogGuardrailDecisionSchema>;

export const LogEntrySchema = z.object({
  id: z.string(),
  time: z.string(),
  userId: z.nullable(z.string()),
  projectId: z.nullable(z.string()),
  /** The client key the call came with (`POST /client-keys`); null for calls without one. Optional for entries from servers before client keys. */
  clientKeyId: z.optional(z.nullable(z.string())),
  provider: z.string(),
  model: z.string(),
  status: RequestStatusSchema,
  errorCode: z.nullable(z.string()),
  attempts: z.int(),
  inputTokens: z.int(),
  outputTokens: z.int(),
  cachedInputTokens: z.int(),
  cacheWriteTokens: z.int(),
  reasoningTokens: z.int(),
  totalTokens: z.int(),
  // Present where the provider reported them (see `Usage`).
  cacheWrite5mTokens: z.optional(z.int()),
  cacheWrite1hTokens: z.optional(z.int()),
  audioInputTokens: z.optional(z.int()),
  audioOutputTokens: z.optional(z.int()),
  imageInputTokens: z.optional(z.int()),
  toolUsePromptTokens: z.optional(z.int()),
  serverToolRequests: z.optional(ServerToolRequestsSchema),
  serviceTier: z.optional(z.string()),
  estimated: z.boolean(),
  cost: z.nullable(CostSchema),
  /** Where `cost` came from; null when it is unknown. Optional for entries from older servers. */
  costSource: z.optional(z.nullable(CostSourceSchema)),
  /** With `costSource: 'provider'`: the price data's figure for the same call, kept beside the provider's. */
  catalogCost: z.optional(z.number()),
  latencyMs: z.number(),
  ttftMs: z.nullable(z.number()),
  /** Time spent waiting for rate-limit capacity or a concurrency slot. */
  queueMs: z.number(),
  /** Every attempt, retries and fallbacks included, in order. */
  attemptDetails: z.array(AttemptSchema),
  /** USD the prompt cache saved on this call (0 when nothing was cached or the price is unknown). */
  savedByCache: z.number(),
  /** Prompt and reply text, only with `createAiu({ logBodies })`, redacted. */
  prompt: z.optional(z.nullable(z.string())),
  response: z.optional(z.nullable(z.string())),
  metadata: z.nullable(z.record(z.string(), z.unknown())),
  /** Each model step of a multi-step (tool) call; empty for a call of one step. Always sent; optional for entries from servers before tools. */
  steps: z.optional(z.array(LogStepSchema)),
  /** Every tool call the model made, in order. Always sent; optional as `steps` is. */
  toolCalls: z.optional(z.array(LogToolCallSchema)),
  /** Every guardrail decision on the prompt and the answer. Always sent; optional for entries from older servers. */
  guardrails: z.optional(z.array(LogGuardrailDecisionSchema)),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;

export const LogPageSchema = z.object({
  entries: z.array(LogEntrySchema),
  nextCursor: z.nullable(z.string()),
});
export type LogPage = z.infer<typeof LogPageSchema>;

const isoTime = z.string().check(z.iso.datetime({ offset: true }));

export const LogQuerySchema = z.object({
  cursor: z.optional(z.string().check(z.maxLength(512))),
  limit: z.optional(z.pipe(z.coerce.number(), z.int().check(z.gte(1), z.lte(500)))),
  provider: z.optional(z.string()),
  model: z.optional(z.string()),
  status: z.optional(RequestStatusSchema),
  /** Only calls made with this client key (its id). */
  clientKey: z.optional(z.string().check(z.maxLength(64))),
  from: z.optional(isoTime),
  to: z.optional(isoTime),
});
export type LogQuery = z.infer<typeof LogQuerySchema>;
