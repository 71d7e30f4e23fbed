import type { ProviderMetadata } from '@aiu/core';
import type { ToolCallUIPart, UIMessage, UIPart } from './uiMessages';

type CallPatch = Partial<ToolCallUIPart> | ((part: ToolCallUIPart) => Partial<ToolCallUIPart>);

/**
 * The assistant message a reply is writing. A part is replaced, never changed in place: a
 * published message stays as it was, and a part that did not change keeps its identity (a
 * memoised part does not re-render).
 */
export class AssistantDraft {
  readonly #parts: UIPart[];
  #stepEnded: boolean;
  #snapshot: UIMessage | null;

  /** `continued`: a reply that carries on this message after its tool calls were answered. */
  constructor(
    readonly id: string,
    continued?: UIMessage,
  ) {
    this.#parts = continued ? [...continued.parts] : [];
    this.#stepEnded = !!continued;
    this.#snapshot = continued ?? null;
  }

  get isEmpty(): boolean {
    return !this.#parts.length;
  }

  /**
   * Text or reasoning: joins the last part of its kind, unless a signature closed that one (pieces of
   * one thought join up; a signature ends the thought it came with, as the server keeps them).
   */
  append(type: 'text' | 'reasoning', piece: string, providerMetadata?: ProviderMetadata): void {
    const parts = this.#parts;
    const last = parts.at(-1);
    const meta = providerMetadata ? { providerMetadata } : {};
    if (last?.type === type && !last.providerMetadata) this.#set(parts.length - 1, { ...last, text: last.text + piece, ...meta });
    else if (piece || providerMetadata) this.add({ type, text: piece, ...meta });
  }

  /** Applies `patch` to a tool call's part; without such a part, adds `created` (if given). */
  call(toolCallId: string, patch: CallPatch, created?: ToolCallUIPart): boolean {
    const index = this.#parts.findLastIndex((part) => part.type === 'tool-call' && part.toolCallId === toolCallId);
    const part = (this.#parts[index] ?? created) as ToolCallUIPart | undefined;
    if (!part) return false;
    const next = { ...part, ...(typeof patch === 'function' ? patch(part) : patch) };
    if (index < 0) this.add(next);
    else this.#set(index, next);
    return true;
  }

  endStep(): void {
    this.#stepEnded = true;
  }

  add(part: UIPart): void {
    if (this.#stepEnded) this.#parts.push({ type: 'step-start' });
    this.#stepEnded = false;
    this.#set(this.#parts.length, part);
  }

  snapshot(): UIMessage {
    return (this.#snapshot ??= { id: this.id, role: 'assistant', parts: this.#parts.slice() });
  }

  #set(index: number, part: UIPart): void {
    this.#parts[index] = part;
    this.#snapshot = null;
  }
}
