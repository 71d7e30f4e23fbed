import { type ChatEvent, type ChatMessage, type ChatRequest, InvalidRequestError, type ProviderMetadata, type ToolResultPart } from '@aiu/core';
import * as z from 'zod/mini';
import { frame, LastFrame, type Piece, PieceBuilder, piecesBound } from '../../util/pieceBuilder';

/**
 * The body the AI SDK's `useChat` sends through its default transport: the chat's id, its UI
 * messages, why it was sent, and what the app added (`body: { model, … }`). Parts are read by
 * type below; a part aiu cannot carry is refused by name.
 */
const UIPartSchema = z.looseObject({ type: z.string() });
export const UIChatRequestSchema = z.looseObject({
  id: z.optional(z.string()),
  messages: z.array(z.looseObject({ id: z.optional(z.string()), role: z.enum(['system', 'user', 'assistant']), parts: z.array(UIPartSchema), metadata: z.optional(z.unknown()) })).check(z.minLength(1, 'messages must hold at least one message')),
  trigger: z.optional(z.string()),
  messageId: z.optional(z.string()),
  model: z.string().check(z.trim(), z.minLength(1, 'model is required (send it in useChat’s body: { model })')),
  tools: z.optional(z.record(z.string(), z.looseObject({ description: z.optional(z.string()), inputSchema: z.record(z.string(), z.unknown()) }))),
  maxSteps: z.optional(z.int()),
  activeTools: z.optional(z.array(z.string())),
  metadata: z.optional(z.record(z.string(), z.unknown())),
});
export type UIChatRequest = z.infer<typeof UIChatRequestSchema>;

type UIPart = z.infer<typeof UIPartSchema> & Record<string, unknown>;
type AssistantPart = Exclude<Extract<ChatMessage, { role: 'assistant' }>['content'], string>[number];
type UserPart = Exclude<Extract<ChatMessage, { role: 'user' }>['content'], string>[number];

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

function toolNameOf(part: UIPart): string | undefined {
  if (part.type === 'dynamic-tool') return str(part.toolName) || undefined;
  return part.type.startsWith('tool-') ? part.type.slice(5) : undefined;
}

function fileOf(part: UIPart, param: string): UserPart {
  const url = str(part.url);
  const mediaType = str(part.mediaType);
  if (!url || !mediaType) throw new InvalidRequestError(`${param}: a file part needs url and mediaType.`, { details: { param } });
  if (mediaType.startsWith('image/')) return { type: 'image', image: url, mediaType };
  return { type: 'file', data: url, mediaType, ...(typeof part.filename === 'string' ? { filename: part.filename } : {}) };
}

/**
 * One assistant UI message as aiu's turns: each step (split at `step-start`) its own assistant
 * message, followed by the results of the tools it called. Calls without an answer yet are left out.
 */
function assistantTurns(parts: UIPart[]): ChatMessage[] {
  const turns: ChatMessage[] = [];
  let content: AssistantPart[] = [];
  let results: ToolResultPart[] = [];
  const flush = () => {
    if (content.length) turns.push({ role: 'assistant', content });
    if (results.length) turns.push({ role: 'tool', content: results });
    content = [];
    results = [];
  };
  parts.forEach((part) => {
    const toolName = toolNameOf(part);
    if (part.type === 'step-start') flush();
    else if (part.type === 'text') {
      if (str(part.text)) content.push({ type: 'text', text: str(part.text) });
    } else if (part.type === 'reasoning') {
      const providerMetadata = part.providerMetadata as ProviderMetadata | undefined;
      content.push({ type: 'reasoning', text: str(part.text), ...(providerMetadata ? { providerMetadata } : {}) });
    } else if (toolName) {
      const toolCallId = str(part.toolCallId);
      const state = str(part.state);
      if (!toolCallId || (state !== 'output-available' && state !== 'output-error')) return;
      const providerMetadata = part.callProviderMetadata as ProviderMetadata | undefined;
      content.push({ type: 'tool-call', toolCallId, toolName, input: part.input ?? {}, ...(providerMetadata ? { providerMetadata } : {}) });
      results.push(state === 'output-error' ? { type: 'tool-result', toolCallId, toolName, output: { error: str(part.errorText) }, isError: true } : { type: 'tool-result', toolCallId, toolName, output: part.output ?? null });
    }
    // Sources, files the model made and data parts are the UI's own: nothing to send back.
  });
  flush();
  return turns;
}

/** The AI SDK's UI messages as aiu's request. */
export function toChatRequest(body: UIChatRequest): ChatRequest {
  const messages: ChatMessage[] = [];
  body.messages.forEach((message, index) => {
    const parts = message.parts as UIPart[];
    if (message.role === 'assistant') {
      messages.push(...assistantTurns(parts));
      return;
    }
    if (message.role === 'system') {
      messages.push({ role: 'system', content: parts.map((part) => str(part.text)).join('') });
      return;
    }
    const content: UserPart[] = [];
    parts.forEach((part, partIndex) => {
      const param = `messages.${index}.parts.${partIndex}`;
      if (part.type === 'text') content.push({ type: 'text', text: str(part.text) });
      else if (part.type === 'file') content.push(fileOf(part, param));
      else if (!part.type.startsWith('data-')) throw new InvalidRequestError(`${param}: a user message cannot carry a "${part.type}" part.`, { details: { param } });
    });
    messages.push({ role: 'user', content: content.length === 1 && content[0]?.type === 'text' ? content[0].text : content });
  });
  return {
    model: body.model,
    messages,
    stream: true,
    ...(body.tools ? { tools: Object.fromEntries(Object.entries(body.tools).map(([name, tool]) => [name, { ...(tool.description ? { description: tool.description } : {}), inputSchema: tool.inputSchema }])) } : {}),
    ...(body.maxSteps ? { maxSteps: body.maxSteps } : {}),
    ...(body.activeTools ? { activeTools: body.activeTools } : {}),
    ...(body.metadata ? { metadata: body.metadata } : {}),
  };
}

const TEXT_DELTA_TAIL = frame('}\n\n');
/** Around a text piece's JSON string: its head (with a block id such as `text-12`) and tail. */
const TEXT_DELTA_FRAME = 56;

const FINISH_REASONS: Record<string, string> = { stop: 'stop', length: 'length', content_filter: 'content-filter', tool_calls: 'tool-calls', other: 'other' };

/**
 * aiu's events as the AI SDK's UI message stream (protocol v1): `start`, a `start-step` per model
 * step, text and reasoning in blocks with ids, tool input as it streams and tool output for server
 * tools, `finish-step`, and `finish` carrying usage, cost and the answering model as message metadata.
 */
export class UIMessageStreamEncoder {
  private blocks = 0;
  private text: string | undefined;
  private reasoning: string | undefined;
  private inStep = false;
  /** The open text block's `text-delta` frame before its JSON string: made once per block. */
  private readonly textDeltaHead = new LastFrame((id: string) => `data: {"type":"text-delta","id":${JSON.stringify(id)},"delta":`);

  private chunk(value: Record<string, unknown>): string {
    return `data: ${JSON.stringify(value)}\n\n`;
  }

  private closeBlocks(): string {
    let out = '';
    if (this.text) out += this.chunk({ type: 'text-end', id: this.text });
    if (this.reasoning) out += this.chunk({ type: 'reasoning-end', id: this.reasoning });
    this.text = undefined;
    this.reasoning = undefined;
    return out;
  }

  private step(): string {
    if (this.inStep) return '';
    this.inStep = true;
    return this.chunk({ type: 'start-step' });
  }

  encode(events: readonly ChatEvent[]): Piece {
    const out = new PieceBuilder(piecesBound(events, TEXT_DELTA_FRAME));
    for (const event of events) {
      if (event.type !== 'delta') {
        out.text(this.encodeOther(event));
      } else if (event.text) {
        out.framed(this.textDeltaHead.of(this.intoText(out)), event.text, TEXT_DELTA_TAIL);
      }
    }
    return out.take();
  }

  /** The step and the text block a text piece goes in, opened (into `out`) if they are not: the block's id. */
  private intoText(out: PieceBuilder): string {
    out.text(this.step());
    if (!this.text) {
      out.text(this.closeBlocks());
      this.text = `text-${++this.blocks}`;
      out.text(this.chunk({ type: 'text-start', id: this.text }));
    }
    return this.text;
  }

  /** Every event but a text piece, as text: a few per stream. */
  private encodeOther(event: ChatEvent): string {
    let out = '';
    switch (event.type) {
      case 'start':
        out += this.chunk({ type: 'start', messageId: event.requestId, messageMetadata: { requestId: event.requestId, model: event.model } });
        break;
      case 'reasoning':
        out += this.step();
        if (!this.reasoning) {
          out += this.closeBlocks();
          this.reasoning = `reasoning-${++this.blocks}`;
          out += this.chunk({ type: 'reasoning-start', id: this.reasoning });
        }
        if (event.text) out += this.chunk({ type: 'reasoning-delta', id: this.reasoning, delta: event.text });
        // A signature ends its block and must come back on the next turn (the UI keeps it on the part).
        if (event.providerMetadata) {
          out += this.chunk({ type: 'reasoning-end', id: this.reasoning, providerMetadata: event.providerMetadata });
          this.reasoning = undefined;
        }
        break;
      case 'tool-input-start':
        out += this.step() + this.closeBlocks() + this.chunk({ type: 'tool-input-start', toolCallId: event.toolCallId, toolName: event.toolName });
        break;
      case 'tool-input-delta':
        out += this.chunk({ type: 'tool-input-delta', toolCallId: event.toolCallId, inputTextDelta: event.delta });
        break;
      case 'tool-call':
        out +=
          this.step() +
          this.closeBlocks() +
          this.chunk({ type: 'tool-input-available', toolCallId: event.toolCallId, toolName: event.toolName, input: event.input ?? {}, ...(event.providerMetadata ? { providerMetadata: event.providerMetadata } : {}) });
        break;
      case 'tool-result': {
        const error = event.isError ? (event.output as { error?: unknown } | null)?.error : undefined;
        out += event.isError
          ? this.chunk({ type: 'tool-output-error', toolCallId: event.toolCallId, errorText: typeof error === 'string' ? error : JSON.stringify(event.output) })
          : this.chunk({ type: 'tool-output-available', toolCallId: event.toolCallId, output: event.output });
        break;
      }
      case 'step-finish':
        out += this.closeBlocks();
        if (this.inStep) out += this.chunk({ type: 'finish-step' });
        this.inStep = false;
        break;
      case 'finish':
        out += this.closeBlocks();
        if (this.inStep) out += this.chunk({ type: 'finish-step' });
        this.inStep = false;
        out += this.chunk({
          type: 'finish',
          finishReason: FINISH_REASONS[event.finishReason] ?? 'other',
          messageMetadata: { finishReason: event.finishReason, usage: event.usage, cost: event.cost, latencyMs: event.latencyMs, steps: event.steps },
        });
        out += 'data: [DONE]\n\n';
        break;
      case 'error':
        out += this.closeBlocks() + this.chunk({ type: 'error', errorText: event.message }) + 'data: [DONE]\n\n';
        break;
    }
    return out;
  }
}
