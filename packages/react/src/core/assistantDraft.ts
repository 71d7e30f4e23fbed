import type { ProviderMetadata, ToolCall, ToolResult } from '@aiu/core';
import { errorTextOf, type ToolCallUIPart, type UIMessage, type UIPart } from './uiMessages';

/**
 * The assistant message a reply is writing. Events change it in place; `snapshot()` hands out an
 * immutable copy once per frame. A part that went out in a snapshot is copied before it changes
 * again, so a published message never changes under React and an untouched part keeps its
 * identity (a memoised part does not re-render).
 */
export class AssistantDraft {
  private readonly parts: UIPart[];
  /** Parts made or copied since the last snapshot: the only ones that may change in place. */
  private readonly fresh = new Set<UIPart>();
  private published: UIMessage | null = null;
  private stepEnded: boolean;

  /** `continued`: a reply that carries on this message after its tool calls were answered. */
  constructor(
    readonly id: string,
    continued?: UIMessage,
  ) {
    this.parts = continued ? [...continued.parts] : [];
    this.stepEnded = this.parts.length > 0;
    this.published = continued ?? null;
  }

  get isEmpty(): boolean {
    return this.parts.length === 0;
  }

  text(piece: string): void {
    const last = this.editLast('text');
    if (last) last.text += piece;
    else this.add({ type: 'text', text: piece });
  }

  reasoning(piece: string, providerMetadata: ProviderMetadata | undefined): void {
    const last = this.parts.at(-1);
    // Pieces of one thought join up; a signature closes the thought it came with (as the server keeps them).
    if (last?.type === 'reasoning' && !last.providerMetadata) {
      const part = this.edit(this.parts.length - 1) as typeof last;
      part.text += piece;
      if (providerMetadata) part.providerMetadata = providerMetadata;
    } else if (piece || providerMetadata) this.add({ type: 'reasoning', text: piece, ...(providerMetadata ? { providerMetadata } : {}) });
  }

  toolInputStart(toolCallId: string, toolName: string): void {
    this.add({ type: 'tool-call', toolCallId, toolName, input: undefined, state: 'input-streaming', inputText: '' });
  }

  toolInputDelta(toolCallId: string, delta: string): void {
    const part = this.editCall(toolCallId);
    if (part?.state === 'input-streaming') part.inputText = (part.inputText ?? '') + delta;
  }

  toolCall(call: ToolCall): void {
    const part = this.editCall(call.toolCallId) ?? this.add<ToolCallUIPart>({ type: 'tool-call', toolCallId: call.toolCallId, toolName: call.toolName, input: undefined, state: 'input-streaming' });
    part.toolName = call.toolName;
    part.input = call.input;
    part.state = call.approval === 'required' ? 'approval-requested' : 'input-available';
    delete part.inputText;
    if (call.providerMetadata) part.providerMetadata = call.providerMetadata;
  }

  toolResult(result: ToolResult): void {
    const part = this.editCall(result.toolCallId);
    if (!part) return;
    part.state = result.isError ? 'output-error' : 'output-available';
    part.output = result.output;
    if (result.isError) part.errorText = errorTextOf(result.output);
    else delete part.errorText;
  }

  /** Applies an answer from the app (a tool result or an approval) to one of this message's calls. */
  answer(toolCallId: string, patch: Partial<ToolCallUIPart>): boolean {
    const part = this.editCall(toolCallId);
    if (part) Object.assign(part, patch);
    return part !== undefined;
  }

  endStep(): void {
    this.stepEnded = true;
  }

  snapshot(): UIMessage {
    if (this.published && this.fresh.size === 0) return this.published;
    this.fresh.clear();
    this.published = { id: this.id, role: 'assistant', parts: this.parts.slice() };
    return this.published;
  }

  private add<P extends UIPart>(part: P): P {
    if (this.stepEnded) {
      this.stepEnded = false;
      this.parts.push({ type: 'step-start' });
    }
    this.parts.push(part);
    this.fresh.add(part);
    return part;
  }

  private edit(index: number): UIPart {
    const part = this.parts[index] as UIPart;
    if (this.fresh.has(part)) return part;
    const copy = { ...part };
    this.parts[index] = copy;
    this.fresh.add(copy);
    return copy;
  }

  private editLast(type: 'text'): Extract<UIPart, { type: 'text' }> | undefined {
    return this.parts.at(-1)?.type === type ? (this.edit(this.parts.length - 1) as Extract<UIPart, { type: 'text' }>) : undefined;
  }

  private editCall(toolCallId: string): ToolCallUIPart | undefined {
    const index = this.parts.findLastIndex((part) => part.type === 'tool-call' && part.toolCallId === toolCallId);
    return index < 0 ? undefined : (this.edit(index) as ToolCallUIPart);
  }
}
