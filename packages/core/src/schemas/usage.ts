import * as z from 'zod/mini';

const tokenCount = z.int().check(z.nonnegative());

/**
 * Normalised token usage. `inputTokens` includes cached and cache-write tokens,
 * `outputTokens` includes reasoning tokens, and `totalTokens = inputTokens + outputTokens`.
 */
export const UsageSchema = z.object({
  inputTokens: tokenCount,
  outputTokens: tokenCount,
  cachedInputTokens: tokenCount,
  cacheWriteTokens: tokenCount,
  reasoningTokens: tokenCount,
  totalTokens: tokenCount,
});
export type Usage = z.infer<typeof UsageSchema>;

/** Cost in USD. `null` wherever a price is unknown — never a silent 0. */
export const CostSchema = z.object({
  input: z.number(),
  output: z.number(),
  total: z.number(),
  currency: z.literal('USD'),
});
export type Cost = z.infer<typeof CostSchema>;
