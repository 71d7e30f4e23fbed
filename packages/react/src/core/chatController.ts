import type { ChatMessage, ChatOptions, Cost, FinishReason, Usage } from '@aiu/core';
import { ErrorEventSchema, FinishEventSchema, LiteParseError, StartEventSchema } from '@aiu/core/lite';
import { createFrameBatcher } from '../utils/frame';
import { type AiuClientError, errorFromResponse, networkError } from './errors';
import { readEvents } from './sse';
import { routeUrl } from './url';

/** `submitted`: sent, waiting for the first event. */
export type ChatStatus = 'idle' | 'submitted' | 'streaming' | 'done' | 'error' | 'aborted';

export interface ChatState {
  status: ChatStatus;
  /** The reply being streamed (or the last one). */
  text: string;
  reasoning: string;
  /** The conversation so far, replies included once they finish or stop. */
  messages: ChatMessage[];
  usage: Usage | null;
  cost: Cost | null;
  error: AiuClientError | null;
  requestId: string | null;
  /** The model that answered, from the `start` event. */
  model: string | null;
  finishReason: FinishReason | null;
  warnings: string[];
}

export interface ChatTransport {
  baseUrl: string;
  headers?: Record<string, string> | (() => Record<string, string>);
  fetch?: typeof fetch;
}

export interface ChatConfig {
  model?: string;
  /** A system prompt sent before the conversation. */
  system?: string;
  options?: ChatOptions;
  keyAlias?: string;
  metadata?: Record<string, unknown>;
  initialMessages?: ChatMessage[];
  onFinish?: (state: ChatState) => void;
  onError?: (error: AiuClientError) => void;
}

export interface SendInput {
  content: string;
  model?: string;
  options?: ChatOptions;
  metadata?: Record<string, unknown>;
}

function initialState(messages: ChatMessage[] = []): ChatState {
  return {
    status: 'idle',
    text: '',
    reasoning: '',
    messages,
    usage: null,
    cost: null,
    error: null,
    requestId: null,
    model: null,
    finishReason: null,
    warnings: [],
  };
}

/**
 * The chat state machine without React: sends, parses the SSE stream, and publishes
 * immutable snapshots. Text arriving token by token is published at most once per
 * animation frame; status changes are published at once.
 */
export class ChatController {
  private state: ChatState;
  private readonly listeners = new Set<() => void>();
  private readonly batcher = createFrameBatcher(() => this.publish());
  private pending: Partial<ChatState> | null = null;
  private abort: AbortController | null = null;

  constructor(
    private transport: ChatTransport,
    private config: ChatConfig = {},
  ) {
    this.state = initialState(config.initialMessages);
  }

  configure(transport: ChatTransport, config: ChatConfig): void {
    this.transport = transport;
    this.config = config;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ChatState => this.state;

  get isBusy(): boolean {
    return this.state.status === 'submitted' || this.state.status === 'streaming';
  }

  send = async (input: string | SendInput): Promise<void> => {
    const request = typeof input === 'string' ? { content: input } : input;
    const model = request.model ?? this.config.model;
    if (!model) {
      this.fail({ code: 'invalid_request', message: 'useChat needs a model: pass it to useChat({ model }) or to send().', retryable: false });
      return;
    }
    this.stop();
    const controller = new AbortController();
    this.abort = controller;
    const history: ChatMessage[] = [...this.state.messages, { role: 'user', content: request.content }];
    this.commit({ ...initialState(history), status: 'submitted' });

    const messages = this.config.system ? [{ role: 'system' as const, content: this.config.system }, ...history] : history;
    const options = { ...this.config.options, ...request.options };
    const metadata = request.metadata ?? this.config.metadata;
    const body = JSON.stringify({
      model,
      messages,
      ...(Object.keys(options).length ? { options } : {}),
      ...(this.config.keyAlias ? { keyAlias: this.config.keyAlias } : {}),
      ...(metadata ? { metadata } : {}),
    });

    let response: Response;
    try {
      const headers = typeof this.transport.headers === 'function' ? this.transport.headers() : this.transport.headers;
      response = await (this.transport.fetch ?? fetch)(routeUrl(this.transport.baseUrl, '/chat'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
        body,
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.aborted) return;
      this.fail(networkError(error));
      return;
    }
    if (controller.signal.aborted) return;
    if (!response.ok || !response.body) {
      this.fail(await errorFromResponse(response));
      return;
    }
    await this.consume(response.body, controller);
  };

  private async consume(body: ReadableStream<Uint8Array>, controller: AbortController): Promise<void> {
    let text = '';
    let reasoning = '';
    let finished = false;
    try {
      for await (const event of readEvents(body)) {
        if (controller.signal.aborted) return;
        // After `finish`, read the body to its end (the server closes it) instead of cancelling it.
        if (finished) continue;
        switch (event.event) {
          case 'start': {
            const start = StartEventSchema.parse(JSON.parse(event.data));
            this.commit({ status: 'streaming', requestId: start.requestId, model: start.model, warnings: start.warnings ?? [] });
            break;
          }
          case 'delta':
          case 'reasoning': {
            // Hot path: a cheap check instead of a schema parse per token.
            const piece = (JSON.parse(event.data) as { text?: unknown }).text;
            if (typeof piece !== 'string') break;
            if (event.event === 'delta') text += piece;
            else reasoning += piece;
            this.queue({ status: 'streaming', text, reasoning });
            break;
          }
          case 'finish': {
            const finish = FinishEventSchema.parse(JSON.parse(event.data));
            this.commit({
              status: 'done',
              text,
              reasoning,
              usage: finish.usage,
              cost: finish.cost,
              finishReason: finish.finishReason,
              messages: [...this.state.messages, { role: 'assistant', content: text }],
            });
            this.abort = null;
            this.config.onFinish?.(this.state);
            finished = true;
            break;
          }
          case 'error': {
            const error = ErrorEventSchema.parse(JSON.parse(event.data));
            this.fail({ code: error.code, message: error.message, retryable: error.retryable }, { text, reasoning });
            return;
          }
          default:
            break; // unknown events are for newer clients
        }
      }
      if (!finished && !controller.signal.aborted) {
        this.fail({ code: 'stream_truncated', message: 'The connection closed before the reply finished.', retryable: true }, { text, reasoning });
      }
    } catch (error) {
      if (finished || controller.signal.aborted) return;
      this.fail(
        error instanceof SyntaxError || error instanceof LiteParseError
          ? { code: 'invalid_response', message: 'The server sent an event this client does not understand.', retryable: false }
          : networkError(error),
        { text, reasoning },
      );
    }
  }

  /** Stops the reply in flight; the text so far is kept and added to the conversation. */
  stop = (): void => {
    const controller = this.abort;
    if (!controller) return;
    this.abort = null;
    controller.abort();
    if (this.isBusy) {
      const text = this.pending?.text ?? this.state.text;
      this.commit({
        status: 'aborted',
        messages: text ? [...this.state.messages, { role: 'assistant', content: text }] : this.state.messages,
      });
    }
  };

  private unmountTimer: ReturnType<typeof setTimeout> | undefined;

  /** Stops after the current task unless cancelled (a remount cancels it). */
  scheduleStop(): void {
    this.cancelScheduledStop();
    this.unmountTimer = setTimeout(() => {
      this.unmountTimer = undefined;
      this.stop();
    }, 0);
  }

  cancelScheduledStop(): void {
    if (this.unmountTimer !== undefined) clearTimeout(this.unmountTimer);
    this.unmountTimer = undefined;
  }

  reset = (): void => {
    this.stop();
    this.commit(initialState(this.config.initialMessages));
  };

  setMessages = (messages: ChatMessage[]): void => {
    this.commit({ messages });
  };

  private fail(error: AiuClientError, partial: Partial<ChatState> = {}): void {
    this.abort = null;
    this.commit({ ...partial, status: 'error', error });
    this.config.onError?.(error);
  }

  /** Token updates wait for the next frame. */
  private queue(patch: Partial<ChatState>): void {
    this.pending = { ...this.pending, ...patch };
    this.batcher.schedule();
  }

  /** Anything else is published now, together with queued tokens. */
  private commit(patch: Partial<ChatState>): void {
    this.pending = { ...this.pending, ...patch };
    this.batcher.flushNow();
  }

  private publish(): void {
    if (!this.pending) return;
    this.state = { ...this.state, ...this.pending };
    this.pending = null;
    for (const listener of this.listeners) listener();
  }
}
