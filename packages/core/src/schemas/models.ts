import * as z from 'zod/mini';

export const ModelKindSchema = z.enum(['chat', 'embed']);
export type ModelKind = z.infer<typeof ModelKindSchema>;

/**
 * Token prices in USD per 1M tokens. Only `input` and `output` are required: a missing cache
 * price (5-minute writes, reads) or image price is billed at `input`, as the price data means
 * it (it lists those only where they differ). 1-hour cache writes and audio are priced apart
 * by every provider that reports them: without their price a call that has them costs `null`.
 */
const tokenPrices = {
  input: z.number(),
  output: z.number(),
  cacheRead: z.optional(z.number()),
  /** Cache writes kept 5 minutes (and writes whose duration the provider does not say). */
  cacheWrite: z.optional(z.number()),
  cacheWrite1h: z.optional(z.number()),
  inputAudio: z.optional(z.number()),
  outputAudio: z.optional(z.number()),
  inputImage: z.optional(z.number()),
};

/** A long-context tier replaces the base prices above a request's input size. */
export const PriceTierSchema = z.object({
  aboveInputTokens: z.int().check(z.nonnegative()),
  ...tokenPrices,
});

/**
 * A service tier's prices (`flex`, `priority`, …): the token prices it changes, and/or a
 * multiplier on every token price (Gemini's priority is 1.8×, flex 0.5×).
 */
export const ServiceTierPricingSchema = z.object({
  multiplier: z.optional(z.number().check(z.nonnegative())),
  ...z.partial(z.object(tokenPrices)).shape,
});

/** USD per 1,000 requests to a tool the provider runs. */
export const ServerToolPricingSchema = z.object({
  webSearch: z.optional(z.number()),
  webFetch: z.optional(z.number()),
  codeExecution: z.optional(z.number()),
});

export const ModelPricingSchema = z.object({
  ...tokenPrices,
  tiers: z.optional(z.array(PriceTierSchema)),
  serverTools: z.optional(ServerToolPricingSchema),
  /** Prices at service tiers other than the standard one, by the provider's tier name. */
  serviceTiers: z.optional(z.record(z.string(), ServiceTierPricingSchema)),
});
export type PriceTier = z.infer<typeof PriceTierSchema>;
export type ModelPricing = z.infer<typeof ModelPricingSchema>;
export type ServiceTierPricing = z.infer<typeof ServiceTierPricingSchema>;
export type ServerToolPricing = z.infer<typeof ServerToolPricingSchema>;

export const ModelInfoSchema = z.object({
  id: z.string(),
  provider: z.string(),
  name: z.string(),
  kind: ModelKindSchema,
  contextWindow: z.nullable(z.number()),
  maxOutput: z.nullable(z.number()),
  pricing: z.nullable(ModelPricingSchema),
  capabilities: z.array(z.string()),
  deprecated: z.boolean(),
  modalities: z.optional(z.object({ input: z.array(z.string()), output: z.array(z.string()) })),
  releaseDate: z.optional(z.nullable(z.string())),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

/** Which release of the price data the server prices calls with. */
export const PriceDataSchema = z.object({
  /** The package the prices come from (`@pydantic/genai-prices`). */
  source: z.string(),
  version: z.string(),
  /** When that release was published (ISO date), if known. */
  releasedAt: z.nullable(z.string()),
});
export type PriceData = z.infer<typeof PriceDataSchema>;

export const ModelListSchema = z.object({
  models: z.array(ModelInfoSchema),
  /** Optional for servers from before it was reported. */
  priceData: z.optional(PriceDataSchema),
});
export type ModelList = z.infer<typeof ModelListSchema>;
