import type { ChatRequest, LogEntry } from '@aiu/core';
import type { Identity } from './identity';

export interface AiuEvents {
  'request:start': { requestId: string; model: string; provider: string; identity: Identity };
  /** Another attempt at the same model after a retryable failure. */
  'request:retry': { requestId: string; model: string; attempt: number; delayMs: number; error: { code: string; message: string } };
  /** The next model of a fallback list or route takes over. */
  'request:fallback': { requestId: string; from: string; to: string; reason: string };
  /** A call waited for, or was refused, capacity: rate limits, concurrency or a quota. */
  'request:limited': { requestId: string; model: string; scope: 'rate' | 'concurrency' | 'quota'; waitedMs: number; refused: boolean };
  /** The model called a tool: `runs` says who runs it (aiu, or the client). */
  'tool:call': { requestId: string; step: number; toolCallId: string; toolName: string; input: unknown; runs: 'server' | 'client'; approval?: 'required' };
  /** A server tool finished (or was denied): what the model will see. */
  'tool:result': { requestId: string; step: number; toolCallId: string; toolName: string; output: unknown; isError: boolean; durationMs: number };
  'request:success': { requestId: string; entry: LogEntry; request: ChatRequest };
  'request:error': { requestId: string; entry: LogEntry; error: { code: string; message: string } };
}

export type AiuEventName = keyof AiuEvents;
export type AiuListener<E extends AiuEventName> = (payload: AiuEvents[E]) => void;

/** A tiny typed emitter; a throwing listener is reported, never breaks a request. */
export class Emitter {
  private readonly listeners = new Map<AiuEventName, Set<(payload: never) => void>>();

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  on<E extends AiuEventName>(event: E, listener: AiuListener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Whether anyone listens: lets a caller skip building a payload nobody reads. */
  has(event: AiuEventName): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  emit<E extends AiuEventName>(event: E, payload: AiuEvents[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as AiuListener<E>)(payload);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
