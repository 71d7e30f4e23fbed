import * as z from 'zod/mini';
import { MetadataSchema } from './chat';
import { CostSchema, UsageSchema } from './usage';

const EmbedInput = z.string().check(z.maxLength(100_000));

export const EmbedRequestSchema = z.object({
  model: z.string().check(z.trim(), z.minLength(1, 'model is required'), z.maxLength(256)),
  /** One text or up to 2,048 of them; the result has one vector per text, in order. */
  input: z.union([EmbedInput, z.array(EmbedInput).check(z.minLength(1, 'input must hold at least one text'), z.maxLength(2048))]),
  keyAlias: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  metadata: z.optional(MetadataSchema),
});
export type EmbedRequest = z.infer<typeof EmbedRequestSchema>;
export type EmbedRequestInput = z.input<typeof EmbedRequestSchema>;

export const EmbedResultSchema = z.object({
  requestId: z.string(),
  model: z.string(),
  provider: z.string(),
  embeddings: z.array(z.array(z.number())),
  usage: UsageSchema,
  cost: z.nullable(CostSchema),
});
export type EmbedResult = z.infer<typeof EmbedResultSchema>;
