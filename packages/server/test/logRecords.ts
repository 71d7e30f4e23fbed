import { ROLLUP_SPANS } from '../src/log/rollup';
import type { LogRecord } from '../src/log/types';

/** Every day rollup there is: what "spend to date" reads. */
export const DAY_RANGE_ALL_TIME = [{ span: ROLLUP_SPANS[0], from: 0, to: Number.MAX_SAFE_INTEGER }];

/** A logged chat call, as a store keeps it (the store suites' record). */
export function loggedCall(overrides: Partial<LogRecord> & { id: string }): LogRecord {
  return {
    time: 1_700_000_000_000,
    userId: null,
    projectId: null,
    clientKeyId: null,
    provider: 'openai',
    model: 'openai:gpt-4o-mini',
    status: 'success',
    errorCode: null,
    attempts: 1,
    inputTokens: 10,
    outputTokens: 20,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    totalTokens: 30,
    estimated: false,
    costInput: null,
    costOutput: null,
    costTotal: null,
    latencyMs: 12.5,
    ttftMs: 3.25,
    queueMs: 0,
    attemptDetails: null,
    savedUsd: 0,
    prompt: null,
    response: null,
    metadata: null,
    stepDetails: null,
    toolCallDetails: null,
    cacheWrite1hTokens: null,
    audioInputTokens: null,
    audioOutputTokens: null,
    imageInputTokens: null,
    toolUsePromptTokens: null,
    serverToolRequests: null,
    serviceTier: null,
    costSource: null,
    catalogCost: null,
    costAudio: null,
    costServerTools: null,
    guardrails: null,
    ...overrides,
  };
}
