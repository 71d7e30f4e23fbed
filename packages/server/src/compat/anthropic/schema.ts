import * as z from 'zod/mini';

/**
 * Anthropic's Messages request, as far as aiu carries it. Not strict, as OpenAI's: fields that do
 * not change the answer are dropped; those that would and cannot be honoured are refused by name.
 */
const TextBlock = z.object({ type: z.literal('text'), text: z.string() });
const ImageBlock = z.object({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string().check(z.minLength(1)) }),
    z.object({ type: z.literal('url'), url: z.string().check(z.minLength(1)) }),
  ]),
});
const DocumentBlock = z.object({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string().check(z.minLength(1)) }),
    z.object({ type: z.literal('text'), media_type: z.optional(z.string()), data: z.string() }),
    z.object({ type: z.literal('url'), url: z.string() }),
  ]),
  title: z.optional(z.nullable(z.string())),
});
const ToolUseBlock = z.object({ type: z.literal('tool_use'), id: z.string().check(z.minLength(1)), name: z.string(), input: z.unknown() });
const ToolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().check(z.minLength(1)),
  content: z.optional(z.union([z.string(), z.array(z.union([TextBlock, ImageBlock]))])),
  is_error: z.optional(z.boolean()),
});
const ThinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.optional(z.string()) });
const RedactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() });

const Block = z.discriminatedUnion('type', [TextBlock, ImageBlock, DocumentBlock, ToolUseBlock, ToolResultBlock, ThinkingBlock, RedactedThinkingBlock]);
export type AnthropicBlock = z.infer<typeof Block>;

export const AnthropicMessageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(Block)]),
});
export type AnthropicMessage = z.infer<typeof AnthropicMessageSchema>;

export const AnthropicMessagesRequestSchema = z.object({
  model: z.string().check(z.trim(), z.minLength(1, 'model is required')),
  max_tokens: z.int().check(z.positive()),
  messages: z.array(AnthropicMessageSchema).check(z.minLength(1, 'messages must hold at least one message')),
  system: z.optional(z.union([z.string(), z.array(TextBlock)])),
  stream: z.optional(z.boolean()),
  temperature: z.optional(z.number()),
  top_p: z.optional(z.number()),
  top_k: z.optional(z.int()),
  stop_sequences: z.optional(z.array(z.string())),
  tools: z.optional(z.array(z.object({ name: z.string(), description: z.optional(z.string()), input_schema: z.record(z.string(), z.unknown()), type: z.optional(z.string()) }))),
  tool_choice: z.optional(
    z.discriminatedUnion('type', [
      z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.optional(z.boolean()) }),
      z.object({ type: z.literal('any'), disable_parallel_tool_use: z.optional(z.boolean()) }),
      z.object({ type: z.literal('none') }),
      z.object({ type: z.literal('tool'), name: z.string(), disable_parallel_tool_use: z.optional(z.boolean()) }),
    ]),
  ),
  thinking: z.optional(z.discriminatedUnion('type', [z.object({ type: z.literal('enabled'), budget_tokens: z.int().check(z.positive()) }), z.object({ type: z.literal('disabled') })])),
  metadata: z.optional(z.object({ user_id: z.optional(z.nullable(z.string())) })),
  service_tier: z.optional(z.string()),
});
export type AnthropicMessagesRequest = z.infer<typeof AnthropicMessagesRequestSchema>;
