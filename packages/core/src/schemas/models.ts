import * as z from 'zod/mini';

export const ModelKindSchema = z.enum(['chat', 'embed']);
export type ModelKind = z.infer<typeof ModelKindSchema>;

/** Prices in USD per 1M tokens. A tier replaces the base prices above a request's input size. */
export const PriceTierSchema = z.object({
  aboveInputTokens: z.int().check(z.nonnegative()),
  input: z.number(),
  output: z.number(),
  cacheRead: z.optional(z.number()),
  cacheWrite: z.optional(z.number()),
});
export const ModelPricingSchema = z.object({
  input: z.number(),
  output: z.number(),
  cacheRead: z.optional(z.number()),
  cacheWrite: z.optional(z.number()),
  tiers: z.optional(z.array(PriceTierSchema)),
});
export type PriceTier = z.infer<typeof PriceTierSchema>;
export type ModelPricing = z.infer<typeof ModelPricingSchema>;

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

export const ModelListSchema = z.object({ models: z.array(ModelInfoSchema) });
export type ModelList = z.infer<typeof ModelListSchema>;
