import type { ChatMessage, FilePart, ImagePart, ProviderMetadata, ReasoningPart, TextPart, ToolApprovalResponsePart, ToolCallPart, ToolResultPart } from '@aiu/core';

/**
 * Where a tool call stands: its arguments streaming, complete, waiting for the user's approval,
 * or answered (by the server's tool, `onToolCall` or `addToolResult`).
 */
export type ToolCallState = 'input-streaming' | 'input-available' | 'approval-requested' | 'output-available' | 'output-error';

/** A tool call and, once there is one, its result: the wire's tool-call part plus where it stands. */
export interface ToolCallUIPart {
  type: 'tool-call';
  toolCallId: string;
  toolName: string;
  /** The parsed arguments; `undefined` while they stream. */
  input: unknown;
  state: ToolCallState;
  /** The arguments' text so far, while `state` is `input-streaming`. */
  inputText?: string;
  output?: unknown;
  errorText?: string;
  /** The user's answer to a call that asked for approval. */
  approval?: { approved: boolean; reason?: string };
  providerMetadata?: ProviderMetadata;
}

/** Where one model step ends and the next begins, inside one assistant message (after a tool ran). */
export interface StepStartUIPart {
  type: 'step-start';
}

export type UIPart = TextPart | ReasoningPart | ImagePart | FilePart | ToolCallUIPart | StepStartUIPart;

export interface UIMessage {
  id: string;
  role: 'system' | 'user' | 'assistant';
  parts: UIPart[];
}

let counter = 0;

export function createId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `m${Date.now().toString(36)}${(counter++).toString(36)}`;
}

/** A tool call is answered once it has a result or the user's approval decision. */
export function isAnswered(part: ToolCallUIPart): boolean {
  return part.state === 'output-available' || part.state === 'output-error' || part.approval !== undefined;
}

/** The message's text, its text parts joined (steps apart by a blank line). */
export function textOf(message: UIMessage | undefined, type: 'text' | 'reasoning' = 'text'): string {
  if (message?.role !== 'assistant') return '';
  let text = '';
  for (const part of message.parts) if (part.type === type && part.text) text += text ? `\n\n${part.text}` : part.text;
  return text;
}

/** The tool calls of a message's last step. */
export function lastStepCalls(message: UIMessage | undefined): ToolCallUIPart[] {
  if (message?.role !== 'assistant') return [];
  const calls: ToolCallUIPart[] = [];
  for (const part of message.parts) {
    if (part.type === 'step-start') calls.length = 0;
    else if (part.type === 'tool-call') calls.push(part);
  }
  return calls;
}

const meta = (providerMetadata: ProviderMetadata | undefined) => (providerMetadata ? { providerMetadata } : {});

/**
 * The conversation as the server takes it. An assistant message becomes one assistant turn per
 * step, each followed by a tool message with its answers; a call nobody answered is left out
 * (providers refuse a call without a result).
 */
export function toWireMessages(messages: readonly UIMessage[]): ChatMessage[] {
  const wire: ChatMessage[] = [];
  for (const message of messages) {
    if (message.role === 'system') wire.push({ role: 'system', content: message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('') });
    else if (message.role === 'user') {
      const content = message.parts.flatMap((part): Array<TextPart | ImagePart | FilePart> => (part.type === 'text' || part.type === 'image' || part.type === 'file' ? [part] : []));
      wire.push({ role: 'user', content: content.length === 1 && content[0]?.type === 'text' && !content[0].providerMetadata ? content[0].text : content });
    } else {
      let content: Array<TextPart | ReasoningPart | ToolCallPart> = [];
      let answers: Array<ToolResultPart | ToolApprovalResponsePart> = [];
      const endStep = () => {
        if (content.length) {
          const only = content[0];
          wire.push({ role: 'assistant', content: content.length === 1 && only?.type === 'text' && !only.providerMetadata ? only.text : content });
        }
        if (answers.length) wire.push({ role: 'tool', content: answers });
        content = [];
        answers = [];
      };
      for (const part of message.parts) {
        if (part.type === 'step-start') endStep();
        else if (part.type === 'text' || part.type === 'reasoning') {
          if (part.text || part.providerMetadata) content.push({ type: part.type, text: part.text, ...meta(part.providerMetadata) });
        } else if (part.type === 'tool-call' && isAnswered(part)) {
          const { toolCallId, toolName } = part;
          content.push({ type: 'tool-call', toolCallId, toolName, input: part.input ?? {}, ...meta(part.providerMetadata) });
          if (part.approval && part.output === undefined) {
            answers.push({ type: 'tool-approval-response', toolCallId, approved: part.approval.approved, ...(part.approval.reason ? { reason: part.approval.reason } : {}) });
          } else {
            const isError = part.state === 'output-error';
            answers.push({ type: 'tool-result', toolCallId, toolName, output: part.output ?? (isError ? (part.errorText ?? 'The tool failed.') : null), ...(isError ? { isError } : {}) });
          }
        }
      }
      endStep();
    }
  }
  return wire;
}

/** What to show for a failed tool: its message, however the tool put it. */
export function errorTextOf(output: unknown): string {
  if (typeof output === 'string') return output;
  const error = (output as { error?: unknown } | null)?.error;
  return typeof error === 'string' ? error : JSON.stringify(output);
}
