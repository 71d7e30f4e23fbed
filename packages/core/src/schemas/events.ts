import * as z from 'zod/mini';
import { FinishReasonSchema, ProviderMetadataSchema, StepSummarySchema, ToolCallSchema, ToolResultSchema } from './chat';
import { CostSchema, UsageSchema } from './usage';

/** `data` of each SSE event of `POST /chat`; the SSE `event:` field names the type. */
export const StartEventSchema = z.object({
  requestId: z.string(),
  model: z.string(),
  provider: z.string(),
  warnings: z.optional(z.array(z.string())),
});
export const DeltaEventSchema = z.object({ text: z.string() });
export const ReasoningEventSchema = z.object({ text: z.string(), providerMetadata: z.optional(ProviderMetadataSchema) });
export const ToolInputStartEventSchema = z.object({ toolCallId: z.string(), toolName: z.string() });
export const ToolInputDeltaEventSchema = z.object({ toolCallId: z.string(), delta: z.string() });
export const ToolCallEventSchema = ToolCallSchema;
export const ToolResultEventSchema = ToolResultSchema;
export const StepFinishEventSchema = StepSummarySchema;
export const FinishEventSchema = z.object({
  finishReason: FinishReasonSchema,
  /** All steps together. */
  usage: UsageSchema,
  cost: z.nullable(CostSchema),
  latencyMs: z.number(),
  ttftMs: z.nullable(z.number()),
  /** How many model steps the call took. */
  steps: z.optional(z.int()),
});
export const ErrorEventSchema = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
});

export type StartEvent = z.infer<typeof StartEventSchema>;
export type DeltaEvent = z.infer<typeof DeltaEventSchema>;
export type ReasoningEvent = z.infer<typeof ReasoningEventSchema>;
export type ToolInputStartEvent = z.infer<typeof ToolInputStartEventSchema>;
export type ToolInputDeltaEvent = z.infer<typeof ToolInputDeltaEventSchema>;
export type ToolCallEvent = z.infer<typeof ToolCallEventSchema>;
export type ToolResultEvent = z.infer<typeof ToolResultEventSchema>;
export type StepFinishEvent = z.infer<typeof StepFinishEventSchema>;
export type FinishEvent = z.infer<typeof FinishEventSchema>;
export type ErrorEvent = z.infer<typeof ErrorEventSchema>;

export const chatEventSchemas = {
  start: StartEventSchema,
  delta: DeltaEventSchema,
  reasoning: ReasoningEventSchema,
  'tool-input-start': ToolInputStartEventSchema,
  'tool-input-delta': ToolInputDeltaEventSchema,
  'tool-call': ToolCallEventSchema,
  'tool-result': ToolResultEventSchema,
  'step-finish': StepFinishEventSchema,
  finish: FinishEventSchema,
  error: ErrorEventSchema,
} as const;

export type ChatEventType = keyof typeof chatEventSchemas;
export const CHAT_EVENT_TYPES = Object.keys(chatEventSchemas) as ChatEventType[];

/** One chat stream event as a tagged union (what `aiu.chat()` yields). */
export type ChatEvent =
  | ({ type: 'start' } & StartEvent)
  | ({ type: 'delta' } & DeltaEvent)
  | ({ type: 'reasoning' } & ReasoningEvent)
  | ({ type: 'tool-input-start' } & ToolInputStartEvent)
  | ({ type: 'tool-input-delta' } & ToolInputDeltaEvent)
  | ({ type: 'tool-call' } & ToolCallEvent)
  | ({ type: 'tool-result' } & ToolResultEvent)
  | ({ type: 'step-finish' } & StepFinishEvent)
  | ({ type: 'finish' } & FinishEvent)
  | ({ type: 'error' } & ErrorEvent);

export function isChatEventType(value: string): value is ChatEventType {
  return Object.hasOwn(chatEventSchemas, value);
}
