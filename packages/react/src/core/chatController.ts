import type { ChatOptions, Cost, FinishReason, ProviderMetadata, ResponseFormat, ToolCall, ToolChoice, ToolDefinition, Usage } from '@aiu/core';
import { ErrorEventSchema, FinishEventSchema, LiteParseError, StartEventSchema, ToolCallEventSchema, ToolResultEventSchema } from '@aiu/core/lite';
import { createFrameBatcher } from '../utils/frame';
import { AssistantDraft } from './assistantDraft';
import { type AiuClientError, errorFromResponse, networkError } from './errors';
import { DEFAULT_MAX_FILE_BYTES, type FileInput, filesToParts } from './files';
import { readEvents } from './sse';
import { createId, errorTextOf, isAnswered, lastStepCalls, textOf, type ToolCallUIPart, toWireMessages, type UIMessage, type UIPart } from './uiMessages';
import { routeUrl } from './url';

/** `submitted`: sent, waiting for the first event. */
export type ChatStatus = 'idle' | 'submitted' | 'streaming' | 'done' | 'error' | 'aborted';

export interface ChatState {
  status: ChatStatus;
  /** The text of the last assistant message: the reply being streamed, or the last one. */
  text: string;
  reasoning: string;
  /** The conversation, the reply being streamed included (once it has something in it). */
  messages: UIMessage[];
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

/** A call to one of the client's tools (`useChat({ tools })`), as `onToolCall` gets it. */
export interface ClientToolCall {
  toolCallId: string;
  toolName: string;
  input: unknown;
}

export interface ChatConfig {
  model?: string;
  /** A system prompt sent before the conversation. */
  system?: string;
  options?: ChatOptions;
  keyAlias?: string;
  metadata?: Record<string, unknown>;
  /** The conversation to start from: messages as `useChat` holds them (a stored `messages`, say). */
  initialMessages?: readonly UIMessage[];
  /** Tools the client runs: the model may call them, and `onToolCall` (or `addToolResult`) answers. */
  tools?: Record<string, ToolDefinition>;
  toolChoice?: ToolChoice;
  /** Server tools this chat may use (default: all the caller is allowed). */
  activeTools?: string[];
  responseFormat?: ResponseFormat;
  providerOptions?: Record<string, Record<string, unknown>>;
  /** Runs a client tool; what it returns (or resolves to) is the result, what it throws an error result. `undefined`: answered later by `addToolResult`. */
  onToolCall?: (call: { toolCall: ClientToolCall }) => unknown;
  /** Requests in one turn, the first and each continuation after the client's tool results (default 5; 1: never continue by itself). */
  maxSteps?: number;
  /** The largest file `send({ files })` reads (default 5 MiB). */
  maxFileBytes?: number;
  onFinish?: (state: ChatState) => void;
  onError?: (error: AiuClientError) => void;
}

export interface SendInput {
  text?: string;
  /** @deprecated The same as `text`. */
  content?: string;
  files?: FileInput;
  model?: string;
  options?: ChatOptions;
  metadata?: Record<string, unknown>;
}

export type ToolResultInput = { toolCallId: string; output: unknown } | { toolCallId: string; errorText: string };

export interface ApprovalInput {
  toolCallId: string;
  approved: boolean;
  reason?: string;
}

/** What a send chose for its turn, kept for the continuations and `regenerate()`. */
interface Turn {
  model?: string | undefined;
  options?: ChatOptions | undefined;
  metadata?: Record<string, unknown> | undefined;
}

const DEFAULT_MAX_STEPS = 5;
/** Settings sent as they are, when set. */
const PASSED_ON = ['keyAlias', 'tools', 'toolChoice', 'activeTools', 'responseFormat', 'providerOptions'] as const;

function initialState(messages: UIMessage[]): ChatState {
  return { status: 'idle', text: '', reasoning: '', messages, usage: null, cost: null, error: null, requestId: null, model: null, finishReason: null, warnings: [] };
}

const invalid = (message: string): AiuClientError => ({ code: 'invalid_request', message, retryable: false });

/**
 * The chat state machine without React: sends, parses the SSE stream into the reply's parts,
 * answers client tools and continues, and publishes immutable snapshots. What streams in is
 * published at most once per animation frame; status changes are published at once.
 */
export class ChatController {
  #state: ChatState;
  /** The conversation without the reply being written. */
  #history: UIMessage[];
  #draft: AssistantDraft | null = null;
  readonly #listeners = new Set<() => void>();
  readonly #batcher = createFrameBatcher(() => this.#publish());
  #pending: Partial<ChatState> | null = null;
  #changed = false;
  #abort: AbortController | null = null;
  #turn: Turn = {};
  /** Requests made in this turn: its first, and each continuation. */
  #requests = 0;

  constructor(
    private transport: ChatTransport,
    private config: ChatConfig = {},
  ) {
    this.#history = [...(config.initialMessages ?? [])];
    this.#state = initialState(this.#history);
  }

  configure(transport: ChatTransport, config: ChatConfig): void {
    this.transport = transport;
    this.config = config;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): ChatState => this.#state;

  get isBusy(): boolean {
    return this.#state.status === 'submitted' || this.#state.status === 'streaming';
  }

  /** Sends a user message (text, files or both) with the conversation so far; stops a reply in flight first. */
  send = async (input: string | SendInput): Promise<void> => {
    const request = typeof input === 'string' ? { text: input } : input;
    this.stop();
    let files: UIPart[];
    try {
      files = await filesToParts(request.files, this.config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    } catch (error) {
      return this.#fail((error as AiuClientError).code ? (error as AiuClientError) : { code: 'file_unreadable', message: String(error), retryable: false });
    }
    const text = request.text ?? request.content ?? '';
    if (!text && !files.length) return this.#fail(invalid('Nothing to send: pass text, files or both.'));
    this.#turn = { model: request.model, options: request.options, metadata: request.metadata };
    if (!this.#model()) return;
    this.#history = [...this.#history, { id: createId(), role: 'user', parts: text ? [...files, { type: 'text', text }] : files }];
    return this.#request(false);
  };

  /** Asks again for the reply to the last user message, in place of the one after it. */
  regenerate = async (): Promise<void> => {
    this.stop();
    const lastUser = this.#history.findLastIndex((message) => message.role === 'user');
    if (lastUser < 0) return this.#fail(invalid('There is no user message to answer again.'));
    if (!this.#model()) return;
    this.#history = this.#history.slice(0, lastUser + 1);
    return this.#request(false);
  };

  /** The turn's model; without one, the chat fails saying where to give it. */
  #model(): string | undefined {
    const model = this.#turn.model ?? this.config.model;
    if (!model) this.#fail(invalid('useChat needs a model: pass it to useChat({ model }) or to send().'));
    return model;
  }

  /** Answers a client tool call; once every call of the step is answered, the chat continues by itself. */
  addToolResult = (result: ToolResultInput): void => {
    const patch: Partial<ToolCallUIPart> =
      'errorText' in result ? { state: 'output-error', errorText: result.errorText, output: undefined } : { state: 'output-available', output: result.output, errorText: undefined };
    this.#answer(result.toolCallId, patch, true);
  };

  /** Answers a server tool's request for approval; the server runs it (or tells the model it was denied) when the chat continues. */
  respondToApproval = ({ toolCallId, approved, reason }: ApprovalInput): void => {
    const approval = { approved, ...(reason ? { reason } : {}) };
    this.#answer(toolCallId, approved ? { approval, state: 'input-available' } : { approval, state: 'output-error', errorText: reason ?? 'Denied by the user.' }, true);
  };

  async #request(continued: boolean): Promise<void> {
    this.#requests = continued ? this.#requests + 1 : 1;
    const controller = new AbortController();
    this.#abort = controller;
    const messages = toWireMessages(this.#history);
    const last = this.#history.at(-1);
    const draft = continued && last?.role === 'assistant' ? new AssistantDraft(last.id, last) : new AssistantDraft(createId());
    if (draft.id === last?.id) this.#history = this.#history.slice(0, -1);
    this.#draft = draft;
    this.#commit({ status: 'submitted', error: null, usage: null, cost: null, requestId: null, model: null, finishReason: null, warnings: [] });

    const { config } = this;
    const options = { ...config.options, ...this.#turn.options };
    const body: Record<string, unknown> = {
      model: this.#turn.model ?? config.model,
      messages: config.system ? [{ role: 'system', content: config.system }, ...messages] : messages,
      metadata: this.#turn.metadata ?? config.metadata,
    };
    if (Object.keys(options).length) body.options = options;
    for (const key of PASSED_ON) if (config[key]) body[key] = config[key];

    let response: Response;
    try {
      const headers = typeof this.transport.headers === 'function' ? this.transport.headers() : this.transport.headers;
      response = await (this.transport.fetch ?? fetch)(routeUrl(this.transport.baseUrl, '/chat'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
    } catch (error) {
      if (!controller.signal.aborted) this.#fail(networkError(error));
      return;
    }
    if (controller.signal.aborted) return;
    if (!response.ok || !response.body) return this.#fail(await errorFromResponse(response));
    await this.#consume(response.body, controller, draft);
  }

  async #consume(body: ReadableStream<Uint8Array>, controller: AbortController, draft: AssistantDraft): Promise<void> {
    let finished = false;
    try {
      for await (const event of readEvents(body)) {
        if (controller.signal.aborted) return;
        // After `finish`, read the body to its end (the server closes it) instead of cancelling it.
        if (finished) continue;
        // Token events (text, reasoning, a tool's arguments and its start) get a cheap check instead of a schema parse each.
        const data = JSON.parse(event.data) as { text?: unknown; providerMetadata?: ProviderMetadata; toolCallId?: unknown; delta?: unknown };
        switch (event.event) {
          case 'start': {
            const start = StartEventSchema.parse(data);
            this.#commit({ status: 'streaming', requestId: start.requestId, model: start.model, warnings: start.warnings ?? [] });
            continue;
          }
          case 'delta':
          case 'reasoning':
            if (typeof data.text === 'string') draft.append(event.event === 'delta' ? 'text' : 'reasoning', data.text, data.providerMetadata);
            break;
          case 'tool-input-delta': {
            const { delta } = data;
            if (typeof data.toolCallId === 'string' && typeof delta === 'string') draft.call(data.toolCallId, (part) => (part.state === 'input-streaming' ? { inputText: (part.inputText ?? '') + delta } : {}));
            break;
          }
          case 'tool-input-start': {
            const { toolCallId, toolName } = data as { toolCallId?: unknown; toolName?: unknown };
            if (typeof toolCallId === 'string' && typeof toolName === 'string') draft.add({ type: 'tool-call', toolCallId, toolName, input: undefined, state: 'input-streaming', inputText: '' });
            break;
          }
          case 'tool-call': {
            const call = ToolCallEventSchema.parse(data);
            const { toolCallId, toolName, input, providerMetadata } = call;
            const created: ToolCallUIPart = { type: 'tool-call', toolCallId, toolName, input, state: 'input-available' };
            draft.call(toolCallId, { toolName, input, state: call.approval ? 'approval-requested' : 'input-available', inputText: undefined, ...(providerMetadata ? { providerMetadata } : {}) }, created);
            this.#runClientTool(call);
            break;
          }
          case 'tool-result': {
            const { toolCallId, output, isError } = ToolResultEventSchema.parse(data);
            draft.call(toolCallId, { state: isError ? 'output-error' : 'output-available', output, errorText: isError ? errorTextOf(output) : undefined });
            break;
          }
          case 'step-finish':
            draft.endStep();
            continue;
          case 'finish': {
            const finish = FinishEventSchema.parse(data);
            finished = true;
            if (this.#abort === controller) this.#abort = null;
            this.#settle(true);
            this.#commit({ status: 'done', usage: finish.usage, cost: finish.cost, finishReason: finish.finishReason });
            this.config.onFinish?.(this.#state);
            this.#continueIfReady();
            continue;
          }
          case 'error': {
            const { code, message, retryable } = ErrorEventSchema.parse(data);
            return this.#fail({ code, message, retryable });
          }
          default:
            continue; // unknown events are for newer clients
        }
        this.#queue();
      }
      if (!finished && !controller.signal.aborted) this.#fail({ code: 'stream_truncated', message: 'The connection closed before the reply finished.', retryable: true });
    } catch (error) {
      if (finished || controller.signal.aborted) return;
      this.#fail(
        error instanceof SyntaxError || error instanceof LiteParseError
          ? { code: 'invalid_response', message: 'The server sent an event this client does not understand.', retryable: false }
          : networkError(error),
      );
    }
  }

  /** Runs a call to one of the client's own tools through `onToolCall`, as soon as its input is complete. */
  #runClientTool(call: ToolCall): void {
    const { onToolCall, tools } = this.config;
    if (!onToolCall || call.approval || !tools || !Object.hasOwn(tools, call.toolName)) return;
    const toolCall = { toolCallId: call.toolCallId, toolName: call.toolName, input: call.input };
    new Promise((resolve) => resolve(onToolCall({ toolCall }))).then(
      (output) => output !== undefined && this.#answer(call.toolCallId, { state: 'output-available', output }, false),
      (error: unknown) => this.#answer(call.toolCallId, { state: 'output-error', errorText: error instanceof Error ? error.message : String(error) }, false),
    );
  }

  /** An answer to a tool call of the last reply (being written, or done); then perhaps the next request. */
  #answer(toolCallId: string, patch: Partial<ToolCallUIPart>, byApp: boolean): void {
    // Only the last reply's calls can still be answered: the conversation has moved past any other.
    const last = this.#history.at(-1);
    const answered = this.#draft ?? (last?.role === 'assistant' ? new AssistantDraft(last.id, last) : null);
    if (!answered?.call(toolCallId, patch)) return;
    if (answered !== this.#draft) this.#history = [...this.#history.slice(0, -1), answered.snapshot()];
    // An answer the app gives (a person, usually) starts the count of automatic continuations again.
    if (byApp) this.#requests = 0;
    this.#commit({});
    this.#continueIfReady();
  }

  /**
   * Continues once the reply stopped for the client's tools or approvals and every call of its
   * last step is answered — up to `maxSteps` requests a turn.
   */
  #continueIfReady(): void {
    if (this.#state.status !== 'done' || this.#state.finishReason !== 'tool_calls' || this.#requests >= (this.config.maxSteps ?? DEFAULT_MAX_STEPS)) return;
    const calls = lastStepCalls(this.#history.at(-1));
    const tools = this.config.tools ?? {};
    // The server's own tools were answered by the server: only the client's calls are its to continue.
    if (calls.every(isAnswered) && calls.some((call) => call.approval || Object.hasOwn(tools, call.toolName))) void this.#request(true);
  }

  /** Stops the reply in flight; what it wrote so far is kept in the conversation. */
  stop = (): void => {
    const controller = this.#abort;
    if (!controller) return;
    this.#abort = null;
    controller.abort();
    if (this.isBusy) {
      this.#settle(false);
      this.#commit({ status: 'aborted' });
    }
  };

  #unmountTimer: ReturnType<typeof setTimeout> | undefined;

  /** Stops after the current task unless cancelled (a remount cancels it). */
  scheduleStop(): void {
    this.cancelScheduledStop();
    this.#unmountTimer = setTimeout(() => {
      this.#unmountTimer = undefined;
      this.stop();
    }, 0);
  }

  cancelScheduledStop(): void {
    if (this.#unmountTimer !== undefined) clearTimeout(this.#unmountTimer);
    this.#unmountTimer = undefined;
  }

  reset = (): void => {
    this.stop();
    this.#draft = null;
    this.#history = [...(this.config.initialMessages ?? [])];
    this.#turn = {};
    this.#commit(initialState(this.#history));
  };

  setMessages = (messages: readonly UIMessage[] | ((current: UIMessage[]) => readonly UIMessage[])): void => {
    this.#history = [...(typeof messages === 'function' ? messages(this.#history) : messages)];
    this.#commit({});
  };

  /** The reply written so far joins the conversation (an empty one only when it finished). */
  #settle(finished: boolean): void {
    const draft = this.#draft;
    this.#draft = null;
    if (draft && (finished || !draft.isEmpty)) this.#history = [...this.#history, draft.snapshot()];
  }

  #fail(error: AiuClientError): void {
    this.#abort = null;
    this.#settle(false);
    this.#commit({ status: 'error', error });
    this.config.onError?.(error);
  }

  /** What streams in waits for the next frame. */
  #queue(): void {
    this.#changed = true;
    this.#batcher.schedule();
  }

  /** Anything else is published now, together with what is queued. */
  #commit(patch: Partial<ChatState>): void {
    this.#pending = { ...this.#pending, ...patch };
    this.#changed = true;
    this.#batcher.flushNow();
  }

  #publish(): void {
    if (!this.#changed) return;
    const messages = this.#draft && !this.#draft.isEmpty ? [...this.#history, this.#draft.snapshot()] : this.#history;
    const last = messages.at(-1);
    this.#state = { ...this.#state, ...this.#pending, messages, text: textOf(last), reasoning: textOf(last, 'reasoning') };
    this.#pending = null;
    this.#changed = false;
    for (const listener of this.#listeners) listener();
  }
}
