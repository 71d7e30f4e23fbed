import * as z from 'zod/mini';

const tokenCount = z.int().check(z.nonnegative());

/** Requests to tools the provider runs and bills per use. */
export const ServerToolRequestsSchema = z.object({
  webSearch: z.optional(tokenCount),
  webFetch: z.optional(tokenCount),
  codeExecution: z.optional(tokenCount),
});
export type ServerToolRequests = z.infer<typeof ServerToolRequestsSchema>;
export type ServerToolKind = keyof ServerToolRequests;

/**
 * Normalised token usage. `inputTokens` includes cached and cache-write tokens (and every
 * modality), `outputTokens` includes reasoning and audio tokens, and
 * `totalTokens = inputTokens + outputTokens`. The optional fields are present only where the
 * provider reports them; each is a part of `inputTokens`/`outputTokens`, never an addition.
 */
export const UsageSchema = z.object({
  inputTokens: tokenCount,
  outputTokens: tokenCount,
  cachedInputTokens: tokenCount,
  cacheWriteTokens: tokenCount,
  reasoningTokens: tokenCount,
  totalTokens: tokenCount,
  /** Cache writes kept 5 minutes and 1 hour (Anthropic); they sum to `cacheWriteTokens`. */
  cacheWrite5mTokens: z.optional(tokenCount),
  cacheWrite1hTokens: z.optional(tokenCount),
  audioInputTokens: z.optional(tokenCount),
  audioOutputTokens: z.optional(tokenCount),
  imageInputTokens: z.optional(tokenCount),
  /** Prompt tokens of a provider-run tool's results (Gemini's `toolUsePromptTokenCount`). */
  toolUsePromptTokens: z.optional(tokenCount),
  serverToolRequests: z.optional(ServerToolRequestsSchema),
  /** The tier the provider served the call at (`default`, `standard`, `flex`, `priority`, …). */
  serviceTier: z.optional(z.string()),
});
export type Usage = z.infer<typeof UsageSchema>;

/** Cost in USD. `null` wherever a price is unknown — never a silent 0. */
export const CostSchema = z.object({
  input: z.number(),
  output: z.number(),
  total: z.number(),
  currency: z.literal('USD'),
  /** The part of `total` billed for audio tokens (in and out), when there were any. */
  audio: z.optional(z.number()),
  /** The part of `total` billed for provider-run tools (per request), when there were any. */
  serverTools: z.optional(z.number()),
});
export type Cost = z.infer<typeof CostSchema>;

/** Where a call's cost came from: the price data, the provider's own charge, or `createAiu({ pricing })`. */
export const CostSourceSchema = z.enum(['catalog', 'provider', 'override']);
export type CostSource = z.infer<typeof CostSourceSchema>;
