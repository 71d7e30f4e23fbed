import * as z from 'zod/mini';
import { FinishReasonSchema } from './chat';
import { CostSchema, UsageSchema } from './usage';

/** `data` of each SSE event of `POST /chat`; the SSE `event:` field names the type. */
export const StartEventSchema = z.object({
  requestId: z.string(),
  model: z.string(),
  provider: z.string(),
  warnings: z.optional(z.array(z.string())),
});
export const DeltaEventSchema = z.object({ text: z.string() });
export const ReasoningEventSchema = z.object({ text: z.string() });
export const FinishEventSchema = z.object({
  finishReason: FinishReasonSchema,
  usage: UsageSchema,
  cost: z.nullable(CostSchema),
  latencyMs: z.number(),
  ttftMs: z.nullable(z.number()),
});
export const ErrorEventSchema = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
});

export type StartEvent = z.infer<typeof StartEventSchema>;
export type DeltaEvent = z.infer<typeof DeltaEventSchema>;
export type ReasoningEvent = z.infer<typeof ReasoningEventSchema>;
export type FinishEvent = z.infer<typeof FinishEventSchema>;
export type ErrorEvent = z.infer<typeof ErrorEventSchema>;

export const chatEventSchemas = {
  start: StartEventSchema,
  delta: DeltaEventSchema,
  reasoning: ReasoningEventSchema,
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
  | ({ type: 'finish' } & FinishEvent)
  | ({ type: 'error' } & ErrorEvent);

export function isChatEventType(value: string): value is ChatEventType {
  return Object.hasOwn(chatEventSchemas, value);
}
