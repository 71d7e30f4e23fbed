import { InvalidToolCallError, type ProviderMetadata } from '@aiu/core';
import type { ProviderEvent } from './types';

interface Pending {
  id: string;
  name: string;
  args: string;
  providerMetadata: ProviderMetadata | undefined;
}

/**
 * Tool calls whose arguments arrive in pieces: `tool-input-start` when one begins,
 * `tool-input-delta` per piece, and one `tool-call` with the parsed input when it is complete.
 * Providers differ in how they frame them — OpenAI by index, with the id and name only on the
 * first piece (later ones repeat an empty name, or no index at all); Anthropic by content block;
 * Gemini whole or by JSON path — so each adapter says where a call starts, grows and ends.
 */
export class ToolCallAssembler {
  private readonly pending = new Map<string | number, Pending>();
  private generated = 0;

  constructor(private readonly provider: string) {}

  get open(): boolean {
    return this.pending.size > 0;
  }

  /** A call begins. Without an id from the provider, one is made up (`call_<n>`) so results can refer to it. */
  start(key: string | number, id: string | undefined, name: string, out: ProviderEvent[], providerMetadata?: ProviderMetadata): void {
    const callId = id || `call_${++this.generated}`;
    this.pending.set(key, { id: callId, name, args: '', providerMetadata });
    out.push({ type: 'tool-input-start', id: callId, name });
  }

  has(key: string | number): boolean {
    return this.pending.has(key);
  }

  /** A piece of a call's arguments; empty pieces are dropped. */
  append(key: string | number, delta: string, out: ProviderEvent[]): void {
    const call = this.pending.get(key);
    if (!call || !delta) return;
    call.args += delta;
    out.push({ type: 'tool-input-delta', id: call.id, delta });
  }

  /** Replaces the arguments so far (a provider that sends them whole after streaming pieces). */
  setArguments(key: string | number, args: string): void {
    const call = this.pending.get(key);
    if (call) call.args = args;
  }

  /** A call is complete: its arguments are parsed (empty means `{}`); arguments that never parse are a typed error. */
  finish(key: string | number, out: ProviderEvent[], providerMetadata?: ProviderMetadata): void {
    const call = this.pending.get(key);
    if (!call) return;
    this.pending.delete(key);
    out.push({ type: 'tool-call', id: call.id, name: call.name, input: parseToolArguments(call.args, call.name, this.provider), providerMetadata: providerMetadata ?? call.providerMetadata });
  }

  /** Every call still open is complete (the stream ended, or a finish reason came). */
  finishAll(out: ProviderEvent[]): void {
    for (const key of [...this.pending.keys()]) this.finish(key, out);
  }
}

/** A tool call's argument text as a value: empty is `{}`; anything else must be JSON. */
export function parseToolArguments(text: string, toolName: string, provider: string): unknown {
  const trimmed = text.trim();
  if (!trimmed) return {};
  try {
    return JSON.parse(trimmed);
  } catch {
    throw new InvalidToolCallError(`${provider} called the tool "${toolName}" with arguments that are not JSON.`, {
      details: { toolName, arguments: trimmed.slice(0, 500) },
    });
  }
}
