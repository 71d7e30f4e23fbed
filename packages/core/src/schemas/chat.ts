import * as z from 'zod/mini';
import { CostSchema, UsageSchema } from './usage';

export const ChatRoleSchema = z.enum(['system', 'user', 'assistant', 'tool']);
export type ChatRole = z.infer<typeof ChatRoleSchema>;

/** Opaque data a provider needs back on the next turn (Gemini's `thoughtSignature`, Anthropic's signed thinking). */
export const ProviderMetadataSchema = z.record(z.string(), z.record(z.string(), z.unknown()));
export type ProviderMetadata = z.infer<typeof ProviderMetadataSchema>;

const providerMetadata = z.optional(ProviderMetadataSchema);
/** Images and files travel as data: URLs or base64 (or an https URL for images); 20 MiB is the most any provider takes. */
const inlineData = z.string().check(z.minLength(1), z.maxLength(28 * 1024 * 1024));
const MediaTypeSchema = z.string().check(z.regex(/^[\w.+-]+\/[\w.+-]+$/, 'mediaType must look like "type/subtype"'), z.maxLength(128));
const toolName = z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'tool names are 1–64 letters, digits, "_", "." or "-"'));
const toolCallId = z.string().check(z.minLength(1), z.maxLength(256));

export const TextPartSchema = z.strictObject({ type: z.literal('text'), text: z.string(), providerMetadata });
export const ImagePartSchema = z.strictObject({ type: z.literal('image'), image: inlineData, mediaType: z.optional(MediaTypeSchema), providerMetadata });
export const FilePartSchema = z.strictObject({
  type: z.literal('file'),
  data: inlineData,
  mediaType: MediaTypeSchema,
  filename: z.optional(z.string().check(z.maxLength(256))),
  providerMetadata,
});
export const ReasoningPartSchema = z.strictObject({ type: z.literal('reasoning'), text: z.string(), providerMetadata });
export const ToolCallPartSchema = z.strictObject({ type: z.literal('tool-call'), toolCallId, toolName, input: z.unknown(), providerMetadata });
export const ToolResultPartSchema = z.strictObject({
  type: z.literal('tool-result'),
  toolCallId,
  toolName,
  output: z.unknown(),
  isError: z.optional(z.boolean()),
  providerMetadata,
});
export const ToolApprovalResponsePartSchema = z.strictObject({
  type: z.literal('tool-approval-response'),
  toolCallId,
  approved: z.boolean(),
  reason: z.optional(z.string().check(z.maxLength(2000))),
  providerMetadata,
});

export type TextPart = z.infer<typeof TextPartSchema>;
export type ImagePart = z.infer<typeof ImagePartSchema>;
export type FilePart = z.infer<typeof FilePartSchema>;
export type ReasoningPart = z.infer<typeof ReasoningPartSchema>;
export type ToolCallPart = z.infer<typeof ToolCallPartSchema>;
export type ToolResultPart = z.infer<typeof ToolResultPartSchema>;
export type ToolApprovalResponsePart = z.infer<typeof ToolApprovalResponsePartSchema>;

const parts = <T extends z.ZodMiniType>(part: T) => z.array(part).check(z.maxLength(1000));

export const SystemMessageSchema = z.strictObject({ role: z.literal('system'), content: z.string() });
export const UserMessageSchema = z.strictObject({
  role: z.literal('user'),
  content: z.union([z.string(), parts(z.discriminatedUnion('type', [TextPartSchema, ImagePartSchema, FilePartSchema]))]),
});
export const AssistantMessageSchema = z.strictObject({
  role: z.literal('assistant'),
  content: z.union([z.string(), parts(z.discriminatedUnion('type', [TextPartSchema, ReasoningPartSchema, ToolCallPartSchema]))]),
});
export const ToolMessageSchema = z.strictObject({
  role: z.literal('tool'),
  content: parts(z.discriminatedUnion('type', [ToolResultPartSchema, ToolApprovalResponsePartSchema])),
});

export type SystemMessage = z.infer<typeof SystemMessageSchema>;
export type UserMessage = z.infer<typeof UserMessageSchema>;
export type AssistantMessage = z.infer<typeof AssistantMessageSchema>;
export type ToolMessage = z.infer<typeof ToolMessageSchema>;
export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** The parts each role may hold (`null`: text only, as a string). */
const PARTS_OF_ROLE: Record<ChatRole, readonly string[] | null> = {
  system: null,
  user: ['text', 'image', 'file'],
  assistant: ['text', 'reasoning', 'tool-call'],
  tool: ['tool-result', 'tool-approval-response'],
};

/**
 * A message is read as one shape — a role, and content that is text or parts — and then checked
 * for the parts its role may hold. Read as a union over roles, a bad role would hide every other
 * problem of the message; this way each is reported at its own path.
 */
export const ChatMessageSchema = z
  .strictObject({
    role: ChatRoleSchema,
    content: z.union([
      z.string(),
      parts(z.discriminatedUnion('type', [TextPartSchema, ImagePartSchema, FilePartSchema, ReasoningPartSchema, ToolCallPartSchema, ToolResultPartSchema, ToolApprovalResponsePartSchema])),
    ]),
  })
  .check(
    z.superRefine((message, ctx) => {
      const allowed = PARTS_OF_ROLE[message.role];
      if (typeof message.content === 'string') {
        if (message.role === 'tool') ctx.addIssue({ code: 'custom', path: ['content'], message: 'tool messages hold tool-result or tool-approval-response parts, not text' });
        return;
      }
      if (!allowed) {
        ctx.addIssue({ code: 'custom', path: ['content'], message: `${message.role} messages hold text (a string), not parts` });
        return;
      }
      message.content.forEach((part, index) => {
        if (!allowed.includes(part.type)) ctx.addIssue({ code: 'custom', path: ['content', index, 'type'], message: `a ${message.role} message cannot hold a ${part.type} part (only ${allowed.join(', ')})` });
      });
    }),
  ) as unknown as z.ZodMiniType<ChatMessage>;

export type ChatPart = TextPart | ImagePart | FilePart | ReasoningPart | ToolCallPart | ToolResultPart | ToolApprovalResponsePart;

export const ReasoningOptionsSchema = z.strictObject({
  effort: z.optional(z.enum(['low', 'medium', 'high'])),
  budgetTokens: z.optional(z.int().check(z.gte(0), z.lte(1_000_000))),
});
export type ReasoningOptions = z.infer<typeof ReasoningOptionsSchema>;

export const ChatOptionsSchema = z.strictObject({
  temperature: z.optional(z.number().check(z.gte(0), z.lte(2))),
  maxTokens: z.optional(z.int().check(z.positive())),
  topP: z.optional(z.number().check(z.gte(0), z.lte(1))),
  stop: z.optional(z.union([z.string(), z.array(z.string()).check(z.maxLength(16))])),
  seed: z.optional(z.int()),
  reasoning: z.optional(ReasoningOptionsSchema),
});
export type ChatOptions = z.infer<typeof ChatOptionsSchema>;

export const METADATA_MAX_BYTES = 8 * 1024;

/** Metadata is the caller's own JSON, stored with the log entry (at most 8 kB of it). */
export const MetadataSchema = z
  .record(z.string(), z.unknown())
  .check(z.refine((value) => metadataSize(value) <= METADATA_MAX_BYTES, `metadata must be at most ${METADATA_MAX_BYTES / 1024} kB of JSON`));

/** Its JSON's length; Infinity for a value JSON cannot hold (a cycle, or nesting deep enough to exhaust the stack). */
function metadataSize(value: unknown): number {
  try {
    return JSON.stringify(value).length;
  } catch {
    return Infinity;
  }
}

/** A JSON Schema, as an object (its content is the provider's to judge). */
export const JsonSchemaSchema = z.record(z.string(), z.unknown());
export type JsonSchema = z.infer<typeof JsonSchemaSchema>;

export const ToolDefinitionSchema = z.strictObject({
  description: z.optional(z.string().check(z.maxLength(10_000))),
  inputSchema: JsonSchemaSchema,
});
export type ToolDefinition = z.infer<typeof ToolDefinitionSchema>;

export const ToolChoiceSchema = z.union([z.enum(['auto', 'none', 'required']), z.strictObject({ type: z.literal('tool'), toolName })]);
export type ToolChoice = z.infer<typeof ToolChoiceSchema>;

export const ResponseFormatSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({
    type: z.literal('json'),
    schema: z.optional(JsonSchemaSchema),
    name: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'name is 1–64 letters, digits, "_" or "-"'))),
    description: z.optional(z.string().check(z.maxLength(2000))),
  }),
]);
export type ResponseFormat = z.infer<typeof ResponseFormatSchema>;

const ModelIdSchema = z.string().check(z.trim(), z.minLength(1, 'model is required'), z.maxLength(256));

export const MAX_STEPS_LIMIT = 20;

export const ChatRequestSchema = z.strictObject({
  /** A model id, a list tried in order (fallback), or the name of a route from `createAiu({ routes })`. */
  model: z.union([ModelIdSchema, z.array(ModelIdSchema).check(z.minLength(1, 'model must name at least one model'), z.maxLength(8))]),
  messages: z.array(ChatMessageSchema).check(z.minLength(1, 'messages must hold at least one message'), z.maxLength(10_000)),
  options: z.optional(ChatOptionsSchema),
  keyAlias: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  metadata: z.optional(MetadataSchema),
  stream: z.optional(z.boolean()),
  /** Tools the client runs: the model may call them; the call ends with `finishReason: "tool_calls"`. */
  tools: z.optional(z.record(toolName, ToolDefinitionSchema).check(z.refine((tools) => Object.keys(tools).length <= 128, 'at most 128 tools'))),
  toolChoice: z.optional(ToolChoiceSchema),
  /** Server tools (`createAiu({ tools })`) this call may use; default: all the caller is allowed. */
  activeTools: z.optional(z.array(toolName).check(z.maxLength(128))),
  /** Model ↔ server-tool round trips in one call (default 5; 1 = no loop). */
  maxSteps: z.optional(z.int().check(z.gte(1), z.lte(MAX_STEPS_LIMIT))),
  responseFormat: z.optional(ResponseFormatSchema),
  /** `{ [providerId]: { … } }`: merged verbatim into that provider's request body. */
  providerOptions: z.optional(z.record(z.string(), z.record(z.string(), z.unknown()))),
});
export type ChatRequest = z.infer<typeof ChatRequestSchema>;
/** What callers may pass: everything optional that the server defaults. */
export type ChatRequestInput = z.input<typeof ChatRequestSchema>;

export const FinishReasonSchema = z.enum(['stop', 'length', 'content_filter', 'tool_calls', 'other']);
export type FinishReason = z.infer<typeof FinishReasonSchema>;

/** A tool call as the stream's `tool-call` event and a JSON answer's `toolCalls` have it. */
export const ToolCallSchema = z.object({
  toolCallId: z.string(),
  toolName: z.string(),
  input: z.unknown(),
  providerMetadata,
  /** `required`: a server tool that waits for the client's `tool-approval-response`. */
  approval: z.optional(z.literal('required')),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

/** A server tool's result, as the `tool-result` event and a JSON answer's `toolResults` have it. */
export const ToolResultSchema = z.object({
  toolCallId: z.string(),
  toolName: z.string(),
  output: z.unknown(),
  isError: z.optional(z.boolean()),
});
export type ToolResult = z.infer<typeof ToolResultSchema>;

/** What one model step did, as `step-finish` says it. */
export const StepSummarySchema = z.object({
  step: z.int(),
  finishReason: FinishReasonSchema,
  usage: UsageSchema,
  cost: z.nullable(CostSchema),
});
export type StepSummary = z.infer<typeof StepSummarySchema>;

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
  toolCalls: z.optional(z.array(ToolCallSchema)),
  toolResults: z.optional(z.array(ToolResultSchema)),
  steps: z.optional(z.array(StepSummarySchema)),
  /** With a JSON `responseFormat`: the answer parsed. */
  object: z.optional(z.unknown()),
  /** Reasoning parts with what the provider needs back on the next turn (signatures). */
  reasoningParts: z.optional(z.array(z.object({ text: z.string(), providerMetadata }))),
});
export type ChatResult = z.infer<typeof ChatResultSchema>;
