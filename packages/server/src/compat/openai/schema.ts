import * as z from 'zod/mini';

/**
 * OpenAI's Chat Completions request, as far as aiu carries it. Objects are not strict: clients
 * (the SDKs, LangChain, editors) send fields of their own, and a field that does not change the
 * answer is dropped. Fields that would change it and aiu cannot honour are refused by name
 * (`refusedFields`), never dropped quietly.
 */
const TextContentPart = z.object({ type: z.literal('text'), text: z.string() });
const ImageContentPart = z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string().check(z.minLength(1)), detail: z.optional(z.string()) }) });
const FileContentPart = z.object({
  type: z.literal('file'),
  file: z.object({ file_data: z.optional(z.string()), file_id: z.optional(z.string()), filename: z.optional(z.string()) }),
});
const AudioContentPart = z.object({ type: z.literal('input_audio'), input_audio: z.unknown() });
const RefusalContentPart = z.object({ type: z.literal('refusal'), refusal: z.string() });

const textContent = z.union([z.string(), z.array(TextContentPart)]);

export const OpenAIToolCallSchema = z.object({
  id: z.string().check(z.minLength(1)),
  type: z.optional(z.literal('function')),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

export const OpenAIMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: textContent }),
  z.object({ role: z.literal('developer'), content: textContent }),
  z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(z.discriminatedUnion('type', [TextContentPart, ImageContentPart, FileContentPart, AudioContentPart]))]) }),
  z.object({
    role: z.literal('assistant'),
    content: z.optional(z.nullable(z.union([z.string(), z.array(z.discriminatedUnion('type', [TextContentPart, RefusalContentPart]))]))),
    tool_calls: z.optional(z.array(OpenAIToolCallSchema)),
    function_call: z.optional(z.unknown()),
  }),
  z.object({ role: z.literal('tool'), tool_call_id: z.string().check(z.minLength(1)), content: textContent }),
  z.object({ role: z.literal('function'), content: z.unknown() }),
]);
export type OpenAIMessage = z.infer<typeof OpenAIMessageSchema>;

export const OpenAIToolSchema = z.object({
  type: z.literal('function'),
  function: z.object({ name: z.string(), description: z.optional(z.string()), parameters: z.optional(z.record(z.string(), z.unknown())), strict: z.optional(z.nullable(z.boolean())) }),
});

export const OpenAIChatRequestSchema = z.object({
  model: z.string().check(z.trim(), z.minLength(1, 'model is required')),
  messages: z.array(OpenAIMessageSchema).check(z.minLength(1, 'messages must hold at least one message')),
  stream: z.optional(z.nullable(z.boolean())),
  stream_options: z.optional(z.nullable(z.object({ include_usage: z.optional(z.boolean()) }))),
  tools: z.optional(z.array(OpenAIToolSchema)),
  tool_choice: z.optional(z.union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })])),
  parallel_tool_calls: z.optional(z.boolean()),
  response_format: z.optional(
    z.discriminatedUnion('type', [
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_object') }),
      z.object({
        type: z.literal('json_schema'),
        json_schema: z.object({ name: z.string(), description: z.optional(z.string()), schema: z.optional(z.record(z.string(), z.unknown())), strict: z.optional(z.nullable(z.boolean())) }),
      }),
    ]),
  ),
  temperature: z.optional(z.nullable(z.number())),
  top_p: z.optional(z.nullable(z.number())),
  max_tokens: z.optional(z.nullable(z.int())),
  max_completion_tokens: z.optional(z.nullable(z.int())),
  stop: z.optional(z.nullable(z.union([z.string(), z.array(z.string())]))),
  seed: z.optional(z.nullable(z.int())),
  reasoning_effort: z.optional(z.nullable(z.enum(['minimal', 'low', 'medium', 'high']))),
  n: z.optional(z.nullable(z.int())),
  logprobs: z.optional(z.nullable(z.boolean())),
  top_logprobs: z.optional(z.nullable(z.int())),
  modalities: z.optional(z.nullable(z.array(z.string()))),
  audio: z.optional(z.unknown()),
  prediction: z.optional(z.unknown()),
  functions: z.optional(z.unknown()),
  user: z.optional(z.string()),
  metadata: z.optional(z.nullable(z.record(z.string(), z.string()))),
});
export type OpenAIChatRequest = z.infer<typeof OpenAIChatRequestSchema>;

export const OpenAIEmbeddingsRequestSchema = z.object({
  model: z.string().check(z.trim(), z.minLength(1, 'model is required')),
  input: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
  encoding_format: z.optional(z.enum(['float', 'base64'])),
  dimensions: z.optional(z.int()),
  user: z.optional(z.string()),
});
export type OpenAIEmbeddingsRequest = z.infer<typeof OpenAIEmbeddingsRequestSchema>;
