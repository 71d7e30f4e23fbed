import * as z from 'zod/mini';

export const GranularitySchema = z.enum(['hour', 'day', 'week', 'month']);
export type Granularity = z.infer<typeof GranularitySchema>;
export const GroupBySchema = z.enum(['model', 'provider', 'status', 'user', 'clientKey']);
export type GroupBy = z.infer<typeof GroupBySchema>;

const isoTime = z.string().check(z.iso.datetime({ offset: true }));

export const UsageQuerySchema = z.object({
  from: z.optional(isoTime),
  to: z.optional(isoTime),
  granularity: z.optional(GranularitySchema),
  groupBy: z.optional(GroupBySchema),
  /** IANA time zone for bucket boundaries, e.g. `Europe/Berlin`. Default UTC. */
  tz: z.optional(z.string().check(z.maxLength(64))),
  /** `compare`: one row per model, side by side. */
  view: z.optional(z.enum(['series', 'compare'])),
  provider: z.optional(z.string()),
  model: z.optional(z.string()),
  /** Only calls made with this client key (its id). */
  clientKey: z.optional(z.string().check(z.maxLength(64))),
});
export type UsageQuery = z.infer<typeof UsageQuerySchema>;

/** What a group (or the totals) adds up to. */
export const UsageStatsSchema = z.object({
  requests: z.number(),
  errors: z.number(),
  errorRate: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cachedInputTokens: z.number(),
  cacheWriteTokens: z.number(),
  reasoningTokens: z.number(),
  totalTokens: z.number(),
  /** USD; the part of requests with a known price (see `unpricedRequests`). */
  cost: z.number(),
  unpricedRequests: z.number(),
  /** Share of input tokens read from cache, 0–1. */
  cachedShare: z.number(),
  /** USD the cache saved: cached tokens at the input price minus what they cost. */
  savedByCache: z.number(),
  // Optional for reports from servers before these were kept.
  cacheWrite1hTokens: z.optional(z.number()),
  audioInputTokens: z.optional(z.number()),
  audioOutputTokens: z.optional(z.number()),
  imageInputTokens: z.optional(z.number()),
  /** Requests to provider-run tools (web search, fetch, code execution). */
  serverToolRequests: z.optional(z.number()),
  /** USD of `cost` billed for audio tokens. */
  audioCost: z.optional(z.number()),
  /** USD of `cost` from calls served at a non-standard service tier (flex, priority, …), and how many. */
  tierCost: z.optional(z.number()),
  tierRequests: z.optional(z.number()),
  latencyMeanMs: z.nullable(z.number()),
  latencyP50Ms: z.nullable(z.number()),
  latencyP95Ms: z.nullable(z.number()),
  ttftP50Ms: z.nullable(z.number()),
});
export type UsageStats = z.infer<typeof UsageStatsSchema>;

export const UsageBucketSchema = z.object({
  /** Bucket start, ISO with the zone's offset at that instant. */
  start: z.string(),
  end: z.string(),
  /** Per group key (`model`, …; `all` without groupBy). */
  groups: z.record(z.string(), UsageStatsSchema),
});
export type UsageBucket = z.infer<typeof UsageBucketSchema>;

export const QuotaStatusSchema = z.object({
  period: z.enum(['daily', 'monthly']),
  limitTokens: z.nullable(z.number()),
  usedTokens: z.number(),
  limitCostUsd: z.nullable(z.number()),
  usedCostUsd: z.number(),
  resetAt: z.string(),
});

export const UsageReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  granularity: GranularitySchema,
  groupBy: z.nullable(GroupBySchema),
  tz: z.string(),
  /** Every bucket in the range, empty ones included (gap-filled). */
  buckets: z.array(UsageBucketSchema),
  /** Per group over the whole range. */
  groups: z.record(z.string(), UsageStatsSchema),
  totals: UsageStatsSchema,
  quota: z.optional(z.array(QuotaStatusSchema)),
});
export type UsageReport = z.infer<typeof UsageReportSchema>;

export const ModelComparisonSchema = z.object({
  models: z.array(
    z.object({
      model: z.string(),
      provider: z.string(),
      requests: z.number(),
      meanCost: z.nullable(z.number()),
      latencyP50Ms: z.nullable(z.number()),
      latencyP95Ms: z.nullable(z.number()),
      ttftP50Ms: z.nullable(z.number()),
      errorRate: z.number(),
    }),
  ),
});
export type ModelComparison = z.infer<typeof ModelComparisonSchema>;
