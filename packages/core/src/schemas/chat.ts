import * as z from 'zod/mini';
import { CostSchema, UsageSchema } from './usage';

export const ChatRoleSchema = z.enum(['system', 'user', 'assistant']);
export type ChatRole = z.infer<typeof ChatRoleSchema>;

export const ChatMessageSchema = z.object({
  role: ChatRoleSchema,
  content: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const ChatOptionsSchema = z.object({
  temperature: z.optional(z.number().check(z.gte(0), z.lte(2))),
  maxTokens: z.optional(z.int().check(z.positive())),
  topP: z.optional(z.number().check(z.gte(0), z.lte(1))),
  stop: z.optional(z.union([z.string(), z.array(z.string()).check(z.maxLength(16))])),
  seed: z.optional(z.int()),
});
export type ChatOptions = z.infer<typeof ChatOptionsSchema>;

export const METADATA_MAX_BYTES = 8 * 1024;

/** Metadata is the caller's own JSON, stored with the log entry (at most 8 kB of it). */
export const MetadataSchema = z
  .record(z.string(), z.unknown())
  .check(z.refine((value) => JSON.stringify(value).length <= METADATA_MAX_BYTES, `metadata must be at most ${METADATA_MAX_BYTES / 1024} kB of JSON`));

const ModelIdSchema = z.string().check(z.trim(), z.minLength(1, 'model is required'), z.maxLength(256));

export const ChatRequestSchema = z.object({
  /** A model id, a list tried in order (fallback), or the name of a route from `createAiu({ routes })`. */
  model: z.union([ModelIdSchema, z.array(ModelIdSchema).check(z.minLength(1, 'model must name at least one model'), z.maxLength(8))]),
  messages: z
    .array(ChatMessageSchema)
    .check(z.minLength(1, 'messages must hold at least one message'), z.maxLength(10_000)),
  options: z.optional(ChatOptionsSchema),
  keyAlias: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  metadata: z.optional(MetadataSchema),
  stream: z.optional(z.boolean()),
});
export type ChatRequest = z.infer<typeof ChatRequestSchema>;
/** What callers may pass: everything optional that the server defaults. */
export type ChatRequestInput = z.input<typeof ChatRequestSchema>;

export const FinishReasonSchema = z.enum(['stop', 'length', 'content_filter', 'tool_calls', 'other']);
export type FinishReason = z.infer<typeof FinishReasonSchema>;

/** The body of `POST /chat` with `stream: false`. */
export const ChatResultSchema = z.object({
  requestId: z.string(),
  model: z.string(),
  provider: z.string(),
  text: z.string(),
  reasoning: z.optional(z.string()),
  finishReason: FinishReasonSchema,
  usage: UsageSchema,
  cost: z.nullable(CostSchema),
  latencyMs: z.number(),
  ttftMs: z.nullable(z.number()),
  warnings: z.optional(z.array(z.string())),
});
export type ChatResult = z.infer<typeof ChatResultSchema>;
