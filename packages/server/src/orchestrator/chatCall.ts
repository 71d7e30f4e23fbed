import {
  AiuError,
  type ChatEvent,
  type ChatRequest,
  type ChatResult,
  type Cost,
  type FinishReason,
  type ProviderMetadata,
  type ToolCall,
  type ToolCallPart,
  type ToolResult,
  type ToolResultPart,
  toAiuError,
  UpstreamTimeoutError,
  type Usage,
} from '@aiu/core';
import type { ModelCatalog } from '../catalog/catalog';
import type { AiuEvents } from '../events';
import type { Identity } from '../identity';
import { ownerOf } from '../keyring/resolve';
import { describeDecision, type GuardrailDecision } from '../guardrails/guardrails';
import type { Guards } from '../limits/guards';
import { assertModelAllowed, type Hold, holdForClientKey } from '../clientKeys/policy';
import { CallContext } from '../providers/context';
import { batchesOf } from '../providers/eventStream';
import type { Capability, ProviderEvent, ProviderResult, ProviderTool } from '../providers/types';
import type { Span, Tracer } from '../tracing';
import { Abort } from '../util/abort';
import { describeTarget } from '../util/modelId';
import { type Admitted, attempt, type CallScope, isHealthFailure } from './attempt';
import { CallRecorder, type CallRuntime } from './callRecorder';
import { capabilitiesNeeded } from './capabilities';
import { Conversation, type StepOutput } from './conversation';
import { estimateInputTokens } from './estimate';
import { firstToAnswer } from './fallback';
import type { ServerTools } from './serverTools';
import { type Target, targetIdsOf } from './target';

export interface ChatRuntime extends CallRuntime {
  guards: Guards;
  /** Named fallback lists: `model: 'fast'` → `['anthropic:…', 'openai:…']`. */
  routes: Record<string, string[]>;
  tracer: Tracer | undefined;
  catalog: ModelCatalog;
  serverTools: ServerTools;
}

/** How a step reaches its provider: a stream, or one JSON answer (`stream: false`). */
type Mode = 'stream' | 'json';

export const DEFAULT_MAX_STEPS = 5;

/**
 * A provider's events for one step, in the arrays they arrived in; the first may already be read
 * (a first-token deadline). A class, not an object literal: it lives as long as the step (see `Admitted`).
 */
class StepEvents {
  constructor(
    readonly batches: AsyncIterator<readonly ProviderEvent[]>,
    readonly first: IteratorResult<readonly ProviderEvent[]> | undefined,
  ) {}
}

/** What one model step has made so far: what the next step's assistant turn and a JSON answer need. A class for the same reason. */
class StepState implements StepOutput {
  text = '';
  reasoning: Array<{ text: string; providerMetadata?: ProviderMetadata | undefined }> = [];
  toolCalls: ToolCallPart[] = [];
  finishReason: FinishReason = 'other';
  /** Server-tool calls whose `tool-call` event waits for `needsApproval` to be decided. */
  held: ToolCallPart[] = [];

  addReasoning(text: string, providerMetadata: ProviderMetadata | undefined): void {
    const last = this.reasoning[this.reasoning.length - 1];
    // Pieces of one thought join up; a signature closes the thought it came with.
    if (last && !last.providerMetadata) {
      last.text += text;
      if (providerMetadata) last.providerMetadata = providerMetadata;
    } else if (text || providerMetadata) this.reasoning.push({ text, ...(providerMetadata ? { providerMetadata } : {}) });
  }
}

/** How the call ended, for the one settlement. */
type Settled = { type: 'finish'; event: Extract<ChatEvent, { type: 'finish' }> } | { type: 'error'; failure: AiuError };

/** Calls that a step left for someone else: the client's tools, and server tools waiting for approval. */
interface StepHandOff {
  results: ToolResultPart[];
  events: ChatEvent[];
  /** The loop stops: a call needs the client (its tool, or its approval), or the step did not ask for tools. */
  stop: boolean;
}

/**
 * One chat request from validation to its single log entry, in steps: admission (prices, quota,
 * approvals the client answered), then each model step — opened through the fallback policy
 * (`firstToAnswer`, around one `attempt` per try), its events translated as they come — with the
 * server tools it called run between steps, up to `maxSteps`; and one settlement at the end,
 * streams and JSON alike. Failures before the first byte reached the client are thrown (and
 * logged); after it, a stream ends in an `error` event.
 */
export class ChatCall implements CallScope {
  readonly recorder: CallRecorder;
  readonly cancel = new Abort();
  readonly startedAt = Date.now();
  readonly keyAlias: string | undefined;
  readonly estimatedTokens: number;
  /** The prompt's share of `estimatedTokens`. */
  private readonly estimatedInputTokens: number;
  private readonly conversation: Conversation;
  /** The tools offered to the model: the client's, and the server tools this call may use. */
  private readonly tools: ProviderTool[];
  private readonly serverToolNames: ReadonlySet<string>;
  private readonly maxSteps: number;
  private readonly needs: Capability[];
  /**
   * Whether the call is a tool loop (tools offered, or approvals answered): only then does each step
   * get its own `step-finish` event and span. A plain call is one step: `finish` and the call's
   * span say everything about it.
   */
  private readonly stepwise: boolean;
  /** Stops the call's deadline and stops following the caller: the call is over. */
  private readonly release: () => void;
  private span: Span | undefined;
  private readonly allCalls: ToolCall[] = [];
  private readonly allResults: ToolResult[] = [];
  private readonly stepSummaries: Array<Extract<ChatEvent, { type: 'step-finish' }>> = [];

  private readonly request: ChatRequest;
  /** A guardrail refused the prompt: the call fails (and is logged) when it is admitted. */
  private readonly refused: AiuError | undefined;
  /** What the guardrails did to the prompt, for the `start` event (never the matched text). */
  private readonly guardWarnings: string[];

  constructor(
    readonly runtime: ChatRuntime,
    asked: ChatRequest,
    readonly identity: Identity,
    /** Who may abort the call: the client (the request's Abort) or a signal a programmatic caller passed. */
    caller: Abort | AbortSignal | undefined,
    /** Server tools the caller may use (`authorize` decided); default: all of them. */
    allowedTools?: readonly string[],
  ) {
    const cancel = this.cancel;
    // Guardrails first: whatever leaves for the provider (and is logged) is the checked prompt.
    let request = asked;
    let decisions: GuardrailDecision[] = [];
    try {
      ({ request, decisions } = runtime.guardrails.checkPrompt(asked));
    } catch (error) {
      this.refused = toAiuError(error);
    }
    this.request = request;
    this.guardWarnings = decisions.map(describeDecision);
    this.keyAlias = request.keyAlias;
    this.conversation = new Conversation(request.messages);
    const serverTools = runtime.serverTools;
    const active = (request.activeTools ?? allowedTools ?? serverTools.names()).filter((name) => serverTools.has(name) && (!allowedTools || allowedTools.includes(name)));
    this.serverToolNames = new Set(active);
    this.tools = [
      ...Object.entries(request.tools ?? {})
        .filter(([name]) => !this.serverToolNames.has(name))
        .map(([name, tool]) => ({ name, description: tool.description, inputSchema: tool.inputSchema })),
      ...active.flatMap((name) => serverTools.definition(name) ?? []),
    ];
    this.maxSteps = request.maxSteps ?? DEFAULT_MAX_STEPS;
    this.needs = capabilitiesNeeded(request, this.tools);
    this.stepwise = this.tools.length > 0 || this.conversation.approvals.length > 0;
    this.estimatedInputTokens = estimateInputTokens(this.conversation.messages, this.tools);
    this.estimatedTokens = this.estimatedInputTokens + (request.options?.maxTokens ?? DEFAULT_OUTPUT_ESTIMATE);
    this.recorder = new CallRecorder(runtime, identity, request, request.metadata, () =>
      cancel.abort(new DOMException('The server is shutting down.', 'AbortError')),
    );
    this.recorder.estimatePromptWith(() => estimateInputTokens(this.conversation.messages, this.tools));
    this.recorder.guarded(decisions);
    const totalMs = runtime.guards.timeouts.totalMs;
    const stopFollowing = caller instanceof Abort ? cancel.follow(caller) : caller ? cancel.followSignal(caller) : undefined;
    const stopDeadline = cancel.after(totalMs, () => new UpstreamTimeoutError(`The call took longer than ${totalMs} ms.`));
    this.release = () => {
      stopDeadline();
      stopFollowing?.();
    };
    // Best effort for the log, so even a request that fails validation names its target.
    const first = describeTarget(this.targetIds()[0] ?? '');
    if (first) this.recorder.target(first.provider, first.model);
  }

  /** A request that never became a call (it failed validation) is still one log entry. */
  static reject(runtime: ChatRuntime, identity: Identity, error: unknown): AiuError {
    return new ChatCall(runtime, { model: 'unknown', messages: [] }, identity, undefined).fail(error);
  }

  get requestId(): string {
    return this.recorder.requestId;
  }

  get providers() {
    return this.runtime.providers;
  }

  /** Events one at a time: `start` first, `finish` (or `error` once streaming) last. */
  async *stream(): AsyncGenerator<ChatEvent> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** The same events in the arrays the provider sent them in: what one network read held leaves in one step. */
  batches(): AsyncGenerator<ChatEvent[]> {
    return this.run('stream');
  }

  /** The whole answer at once (`stream: false`): the same steps, each a JSON answer from the provider. */
  async complete(): Promise<ChatResult> {
    let start: Extract<ChatEvent, { type: 'start' }> | undefined;
    let finish: Extract<ChatEvent, { type: 'finish' }> | undefined;
    let text = '';
    const reasoningParts: Array<{ text: string; providerMetadata?: ProviderMetadata }> = [];
    for await (const batch of this.run('json')) {
      for (const event of batch) {
        if (event.type === 'start') start = event;
        else if (event.type === 'finish') finish = event;
        else if (event.type === 'error') throw new AiuError('internal_error', event.message);
      }
    }
    for (const output of this.outputs) {
      text = output.text;
      for (const part of output.reasoning) reasoningParts.push({ text: part.text, ...(part.providerMetadata ? { providerMetadata: part.providerMetadata } : {}) });
    }
    // The result holds the answer now; the call lets go of its steps. A call's arrays are made at
    // sites V8 pretenures once calls outlive scavenges (50 connections do), so an old, dead array
    // kept each answer's text alive through every scavenge until a full collection: 3.5 kB promoted
    // per JSON call, 6% of its CPU at 50 connections (ARCHITECTURE.md, "Pretenuring").
    this.outputs.length = 0;
    if (!start || !finish) throw new AiuError('internal_error', 'The chat ended without an answer.');
    const reasoning = reasoningParts.map((part) => part.text).join('');
    const object = this.request.responseFormat?.type === 'json' ? parseJsonAnswer(text) : undefined;
    return {
      requestId: start.requestId,
      model: start.model,
      provider: start.provider,
      text,
      ...(reasoning ? { reasoning } : {}),
      finishReason: finish.finishReason,
      usage: finish.usage,
      cost: finish.cost,
      latencyMs: finish.latencyMs,
      ttftMs: null,
      ...(start.warnings ? { warnings: start.warnings } : {}),
      ...(this.allCalls.length ? { toolCalls: this.allCalls } : {}),
      ...(this.allResults.length ? { toolResults: this.allResults } : {}),
      ...(this.stepSummaries.length > 1 ? { steps: this.stepSummaries.map(({ type: _type, ...summary }) => summary) } : {}),
      ...(object !== undefined ? { object } : {}),
      ...(reasoningParts.some((part) => part.providerMetadata) ? { reasoningParts } : {}),
    };
  }

  /** Each step's output, in order: a JSON answer's text is the last step's. */
  private readonly outputs: StepState[] = [];

  /** Records the failure (once), ends the call, and returns it typed. */
  fail(error: unknown): AiuError {
    this.release();
    const failure = this.recorder.fail(error);
    this.endSpan(failure);
    return failure;
  }

  limited(model: string, scope: 'rate' | 'concurrency' | 'quota', waitedMs: number, refused: boolean): void {
    this.emit('request:limited', { model, scope, waitedMs, refused });
  }

  private async *run(mode: Mode): AsyncGenerator<ChatEvent[]> {
    const { target, admitted: firstStep, hold, events: answered } = await this.admit(mode);
    let admitted: Admitted<StepEvents> | undefined = firstStep;
    let settled: Settled | undefined;
    let stepNumber = 1;
    try {
      // Inside the try: a client that leaves right after `start` still gets its call settled and logged.
      yield [
        {
          type: 'start',
          requestId: this.requestId,
          model: target.modelId,
          provider: target.provider.id,
          ...(target.warnings.length || this.guardWarnings.length ? { warnings: [...this.guardWarnings, ...target.warnings] } : {}),
        },
        ...answered,
      ];
      for (;;) {
        const step = new StepState();
        this.outputs.push(step);
        const stepSpan = this.stepwise ? this.startStepSpan(target, stepNumber) : undefined;
        let failure: AiuError | undefined;
        let completed = false;
        const { batches } = admitted.value;
        try {
          let next = admitted.value.first ?? (await batches.next());
          while (!next.done) {
            const out = this.translate(next.value, step, stepNumber, mode);
            if (out.length) yield out;
            next = await batches.next();
          }
          completed = true;
        } catch (error) {
          failure = toAiuError(error);
        } finally {
          if (!completed) await batches.return?.().catch(() => undefined);
          await admitted.settle(completed || (failure !== undefined && !isHealthFailure(failure)));
          admitted = undefined;
        }
        if (failure) {
          this.endStepSpan(stepSpan, undefined, failure);
          settled = await this.settle(hold, failure);
          break;
        }
        const { usage, cost } = this.recorder.endStep(step.finishReason);
        this.endStepSpan(stepSpan, usage);
        const summary = { type: 'step-finish' as const, step: stepNumber, finishReason: step.finishReason, usage, cost };
        this.stepSummaries.push(summary);
        const handOff = await this.handOff(step, stepNumber);
        if (this.stepwise) yield [summary, ...handOff.events];
        if (handOff.stop || stepNumber >= this.maxSteps) {
          settled = await this.settle(hold, undefined, step.finishReason);
          break;
        }
        this.conversation.addStep(step, this.checkedResults(handOff.results, this.conversation.messages.length + 1));
        try {
          admitted = await this.openNextStep(mode, target);
        } catch (error) {
          settled = await this.settle(hold, toAiuError(error));
          break;
        }
        stepNumber += 1;
      }
    } finally {
      // The consumer stopped reading (client gone) without an error reaching us.
      if (!settled) {
        if (admitted) await admitted.settle(false);
        settled = await this.settle(hold, new AiuError('aborted', 'The client stopped reading the stream.'));
      }
    }
    if (settled.type === 'finish') yield [settled.event];
    else if (mode === 'json') throw settled.failure;
    else if (settled.failure.code !== 'aborted') {
      yield [{ type: 'error', code: settled.failure.code, message: settled.failure.message, retryable: settled.failure.retryable }];
    }
  }

  /**
   * Admission (prices, quota), the tool calls the client answered (approved ones run, denied ones
   * refused), then the first step opened; a failure here is logged and thrown.
   */
  private async admit(mode: Mode): Promise<{ target: Target; admitted: Admitted<StepEvents>; hold: Hold | null; events: ChatEvent[] }> {
    let hold: Hold | null = null;
    try {
      if (this.refused) throw this.refused;
      await this.runtime.prices.ready();
      hold = await this.holdLimits();
      const events = await this.answerApprovals();
      const ids = this.targetIds();
      this.span ??= this.runtime.tracer?.startSpan('aiu.chat', { attributes: { 'aiu.request_id': this.requestId, 'aiu.targets': ids.join(',') } });
      // Durable before the first byte leaves: a crash from here on still leaves an entry.
      await this.recorder.beginInFlight();
      const { target, admitted } = await firstToAnswer(this, ids, this.request, this.stepRequest(), (candidate) => this.openAttempt(mode, candidate), {
        retry: (model, attemptNumber, delayMs, error) =>
          this.emit('request:retry', { model, attempt: attemptNumber, delayMs, error: { code: error.code, message: error.message } }),
        fallback: (from, to, reason) => this.emit('request:fallback', { from, to, reason }),
      });
      this.recorder.started();
      return { target, admitted, hold, events };
    } catch (error) {
      if (hold) await hold.settle(null);
      throw this.fail(error);
    }
  }

  /** A later step goes to the model that answered the first (its conversation), retried as the first was. */
  private async openNextStep(mode: Mode, previous: Target): Promise<Admitted<StepEvents>> {
    const { target, admitted } = await firstToAnswer(this, [previous.modelId], this.request, this.stepRequest(), (candidate) => this.openAttempt(mode, candidate), {
      retry: (model, attemptNumber, delayMs, error) =>
        this.emit('request:retry', { model, attempt: attemptNumber, delayMs, error: { code: error.code, message: error.message } }),
      fallback: () => {},
    });
    this.recorder.target(target.provider.id, target.modelId);
    return admitted;
  }

  private stepRequest() {
    return { messages: this.conversation.messages, tools: this.tools, needs: this.needs, catalog: this.runtime.catalog };
  }

  private openAttempt(mode: Mode, target: Target): Promise<Admitted<StepEvents>> {
    return attempt(this, target, (context) => (mode === 'stream' ? this.openStream(target, context) : this.completeOnce(target, context)));
  }

  /**
   * A provider's events as ours, with what the step keeps (its text, reasoning and tool calls for
   * the next turn, its finish reason) and what the log needs. Tool calls are announced as they
   * complete — but a server tool whose `needsApproval` is a function waits until it is decided.
   */
  private translate(batch: readonly ProviderEvent[], step: StepState, stepNumber: number, mode: Mode): ChatEvent[] {
    const recorder = this.recorder;
    const out: ChatEvent[] = mode === 'json' ? NO_EVENTS : [];
    // A streamed answer's text is sent on as it comes; the step keeps it only for a JSON result or
    // the next turn of a tool loop. Kept, its pieces hold the decoded network chunks they were cut
    // from for the whole stream, and under 50 streams V8 then pretenured those chunks: a plain stream
    // cost 1.5× its CPU in full collections (ARCHITECTURE.md, "Pretenuring").
    const keeps = mode === 'json' || this.stepwise;
    for (const event of batch) {
      switch (event.type) {
        case 'text':
          recorder.generated(event.text);
          if (keeps) step.text += event.text;
          if (mode === 'stream') out.push({ type: 'delta', text: event.text });
          break;
        case 'reasoning':
          recorder.generated(event.text);
          if (keeps) step.addReasoning(event.text, event.providerMetadata);
          if (mode === 'stream') out.push(event.providerMetadata ? { type: 'reasoning', text: event.text, providerMetadata: event.providerMetadata } : { type: 'reasoning', text: event.text });
          break;
        case 'tool-input-start':
          if (mode === 'stream') out.push({ type: 'tool-input-start', toolCallId: event.id, toolName: event.name });
          break;
        case 'tool-input-delta':
          recorder.generated(event.delta);
          if (mode === 'stream') out.push({ type: 'tool-input-delta', toolCallId: event.id, delta: event.delta });
          break;
        case 'tool-call': {
          const part: ToolCallPart = { type: 'tool-call', toolCallId: event.id, toolName: event.name, input: event.input, ...(event.providerMetadata ? { providerMetadata: event.providerMetadata } : {}) };
          step.toolCalls.push(part);
          const server = this.serverToolNames.has(event.name);
          if (server && this.runtime.serverTools.decidesApprovalLater(event.name)) step.held.push(part);
          else {
            const approval = server && this.runtime.serverTools.approvalIsStatic(event.name) === true;
            const call = this.announceCall(part, stepNumber, server, approval);
            if (mode === 'stream') out.push({ type: 'tool-call', ...call });
          }
          break;
        }
        case 'usage':
          recorder.reportUsage(event.usage, event.costUsd);
          break;
        case 'finish':
          step.finishReason = event.finishReason;
          break;
      }
    }
    return out;
  }

  /** A tool call, told to listeners (and kept for a JSON answer). */
  private announceCall(part: ToolCallPart, stepNumber: number, server: boolean, approval: boolean): ToolCall {
    const call: ToolCall = {
      toolCallId: part.toolCallId,
      toolName: part.toolName,
      input: part.input,
      ...(part.providerMetadata ? { providerMetadata: part.providerMetadata } : {}),
      ...(approval ? { approval: 'required' as const } : {}),
    };
    this.allCalls.push(call);
    this.emit('tool:call', { step: stepNumber, toolCallId: part.toolCallId, toolName: part.toolName, input: part.input, runs: server ? 'server' : 'client', ...(approval ? { approval: 'required' as const } : {}) });
    return call;
  }

  /**
   * After a step: the server tools it called are run (in parallel), unless the client must act —
   * a call to one of its own tools, or to a server tool that needs approval. Then the loop stops
   * with `tool_calls`; the server tools that could run have run, and their results go with the turn.
   */
  private async handOff(step: StepState, stepNumber: number): Promise<StepHandOff> {
    const events: ChatEvent[] = [];
    if (!step.toolCalls.length) return { results: [], events, stop: true };
    const context = { requestId: this.requestId, identity: this.identity, messages: this.conversation.messages };
    const tools = this.runtime.serverTools;
    const approvals = new Set<string>();
    for (const part of step.held) {
      const approval = await tools.needsApproval(part.toolName, part.input, { ...context, toolCallId: part.toolCallId });
      if (approval) approvals.add(part.toolCallId);
      events.push({ type: 'tool-call', ...this.announceCall(part, stepNumber, true, approval) });
    }
    let stop = false;
    const runnable: ToolCallPart[] = [];
    for (const part of step.toolCalls) {
      if (!this.serverToolNames.has(part.toolName)) {
        stop = true;
        this.recorder.toolCall({ step: stepNumber, toolCallId: part.toolCallId, toolName: part.toolName, runs: 'client', outcome: 'handed-to-client', durationMs: null });
      } else if (approvals.has(part.toolCallId) || (!step.held.includes(part) && tools.approvalIsStatic(part.toolName) === true)) {
        stop = true;
        this.recorder.toolCall({ step: stepNumber, toolCallId: part.toolCallId, toolName: part.toolName, runs: 'server', outcome: 'approval-required', durationMs: null });
      } else runnable.push(part);
    }
    const results = await Promise.all(runnable.map((part) => this.runTool(part, stepNumber, events)));
    return { results, events, stop };
  }

  /** Runs one server tool: its span, its events, its log record, and the result the model sees. */
  private async runTool(part: ToolCallPart, stepNumber: number, events: ChatEvent[]): Promise<ToolResultPart> {
    const span = this.runtime.tracer?.startSpan(`execute_tool ${part.toolName}`, {
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': part.toolName, 'gen_ai.tool.call.id': part.toolCallId, 'gen_ai.tool.type': 'function', 'aiu.request_id': this.requestId },
    });
    const run = await this.runtime.serverTools.run(part.toolName, part.input, { toolCallId: part.toolCallId, requestId: this.requestId, identity: this.identity, messages: this.conversation.messages }, this.cancel);
    if (span) {
      if (run.isError) span.setStatus({ code: 2, message: run.outcome });
      else span.setStatus({ code: 1 });
      span.end();
    }
    this.recorder.toolCall({ step: stepNumber, toolCallId: part.toolCallId, toolName: part.toolName, runs: 'server', outcome: run.outcome, durationMs: run.durationMs });
    return this.resultOf(part, run.output, run.isError, run.durationMs, stepNumber, events);
  }

  /** A tool's result: an event for the client, an event for listeners, and the part the model gets. */
  private resultOf(part: ToolCallPart, output: unknown, isError: boolean, durationMs: number, stepNumber: number, events: ChatEvent[]): ToolResultPart {
    const result: ToolResult = { toolCallId: part.toolCallId, toolName: part.toolName, output, ...(isError ? { isError: true } : {}) };
    this.allResults.push(result);
    events.push({ type: 'tool-result', ...result });
    this.emit('tool:result', { step: stepNumber, toolCallId: part.toolCallId, toolName: part.toolName, output, isError, durationMs });
    return { type: 'tool-result', toolCallId: part.toolCallId, toolName: part.toolName, output, ...(isError ? { isError: true } : {}) };
  }

  /** The client answered approvals: approved server tools run now, denied ones are refused; the model sees both. */
  private async answerApprovals(): Promise<ChatEvent[]> {
    const events: ChatEvent[] = [];
    const results: ToolResultPart[] = [];
    for (const { call, approved, reason } of this.conversation.approvals) {
      if (!this.serverToolNames.has(call.toolName)) continue;
      if (approved) results.push(await this.runTool(call, 0, events));
      else {
        this.recorder.toolCall({ step: 0, toolCallId: call.toolCallId, toolName: call.toolName, runs: 'server', outcome: 'denied', durationMs: null });
        results.push(this.resultOf(call, { error: `The user denied this call to ${call.toolName}${reason ? `: ${reason}` : '.'}` }, true, 0, 0, events));
      }
    }
    this.conversation.answerApprovals(this.checkedResults(results, this.conversation.messages.length));
    return events;
  }

  /** Server tools' results as the model may see them: guardrails redact (or withhold) them like a prompt. */
  private checkedResults(results: ToolResultPart[], message: number): ToolResultPart[] {
    const checked = this.runtime.guardrails.checkToolResults(results, message);
    if (checked.decisions.length) this.recorder.guarded(checked.decisions);
    return checked.results;
  }

  /**
   * The one place a call's bookkeeping is settled, however it ended: the quota and client-key holds with
   * what every step used, and the single log entry (each attempt settled itself as it ended).
   */
  private async settle(hold: Hold | null, failure: AiuError | undefined, finishReason: FinishReason = 'other'): Promise<Settled> {
    if (hold) {
      const { usage, cost } = this.recorder.current();
      await hold.settle({ tokens: usage.totalTokens, costUsd: cost?.total ?? null });
    }
    if (failure) return { type: 'error', failure: this.fail(failure) };
    this.release();
    const { usage, cost, latencyMs, ttftMs } = this.recorder.succeed();
    this.endSpan();
    return { type: 'finish', event: { type: 'finish', finishReason, usage, cost, latencyMs, ttftMs, steps: Math.max(1, this.recorder.stepCount) } };
  }

  /**
   * Opens the provider's stream; with a connect or first-token deadline, waits for the first
   * event under it too (until then, a slow model can still fall back).
   */
  private async openStream(target: Target, context: CallContext): Promise<StepEvents> {
    const { connectMs, firstTokenMs } = this.runtime.guards.timeouts;
    if (!connectMs && !firstTokenMs) return new StepEvents(batchesOf(await target.provider.stream(target.request, context)), undefined);
    const deadline = new Abort();
    deadline.follow(this.cancel);
    const stopConnect = deadline.after(connectMs, () => new UpstreamTimeoutError(`${target.modelId}: the response took longer than ${connectMs} ms.`));
    try {
      const batches = batchesOf(await target.provider.stream(target.request, new CallContext(context.apiKey, deadline)));
      stopConnect();
      if (!firstTokenMs) return new StepEvents(batches, undefined);
      const stopFirstToken = deadline.after(firstTokenMs, () => new UpstreamTimeoutError(`${target.modelId}: the first token took longer than ${firstTokenMs} ms.`));
      try {
        return new StepEvents(batches, await batches.next());
      } finally {
        stopFirstToken();
      }
    } catch (error) {
      throw deadline.aborted && !this.cancel.aborted ? deadline.reason : error;
    } finally {
      stopConnect();
    }
  }

  /** One JSON answer, as the events a stream of it would have held. */
  private async completeOnce(target: Target, context: CallContext): Promise<StepEvents> {
    const events = resultEvents(await target.provider.complete(target.request, context));
    let read = false;
    return new StepEvents(
      {
        next: async () => {
          if (read) return { done: true, value: undefined };
          read = true;
          return { done: false, value: events };
        },
      },
      undefined,
    );
  }

  private targetIds(): string[] {
    return targetIdsOf(this.request, this.runtime.routes);
  }

  private emit<E extends 'request:retry' | 'request:fallback' | 'request:limited' | 'tool:call' | 'tool:result'>(event: E, payload: Omit<AiuEvents[E], 'requestId'>): void {
    if (this.runtime.events.has(event)) this.runtime.events.emit(event, { requestId: this.requestId, ...payload } as AiuEvents[E]);
    this.span?.addEvent(event, Object.fromEntries(Object.entries(payload).filter(([, v]) => typeof v !== 'object')) as Record<string, string | number>);
  }

  /**
   * What the call takes before it runs: its client key's model list, rate windows and budget, and
   * the owner's budgets, each refused with its own error.
   */
  private async holdLimits(): Promise<Hold | null> {
    const quotas = this.runtime.guards.quotas;
    const clientKey = this.runtime.clientKeys.policyOf(this.identity);
    if (!quotas.enabled && !clientKey) return null;
    const first = this.targetIds()[0] ?? '';
    const tokens = this.estimatedTokens;
    const input = this.estimatedInputTokens;
    const pricing = this.runtime.prices.lookup(first, false);
    const estimate = { tokens, costUsd: pricing ? (input * pricing.input + (tokens - input) * pricing.output) / 1e6 : null };
    let keyHold: Hold | null = null;
    try {
      if (clientKey) {
        assertModelAllowed(clientKey, this.request.model, this.runtime.routes);
        keyHold = await holdForClientKey(clientKey, this.runtime.guards, estimate);
      }
      const reservation = quotas.enabled ? await quotas.reserve(ownerOf(this.identity), estimate) : null;
      if (!reservation) return keyHold;
      return {
        settle: (actual) => Promise.all([quotas.settle(reservation, actual), keyHold?.settle(actual)]).then(() => undefined),
      };
    } catch (error) {
      await keyHold?.settle(null);
      if (AiuError.isInstance(error) && (error.code === 'quota_exceeded' || error.code === 'rate_limited')) this.limited(first, error.code === 'rate_limited' ? 'rate' : 'quota', 0, true);
      throw error;
    }
  }

  /** A span per model step, named and attributed as OpenTelemetry's GenAI conventions have it. */
  private startStepSpan(target: Target, step: number): Span | undefined {
    return this.runtime.tracer?.startSpan(`chat ${target.request.model}`, {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': target.provider.id,
        'gen_ai.system': target.provider.id,
        'gen_ai.request.model': target.request.model,
        'aiu.request_id': this.requestId,
        'aiu.step': step,
      },
    });
  }

  private endStepSpan(span: Span | undefined, usage: Usage | undefined, failure?: AiuError): void {
    if (!span) return;
    const step = this.outputs[this.outputs.length - 1];
    span.setAttribute('gen_ai.response.model', this.recorder.model.slice(this.recorder.model.indexOf(':') + 1));
    if (step) span.setAttribute('gen_ai.response.finish_reasons', step.finishReason);
    if (usage) {
      span.setAttribute('gen_ai.usage.input_tokens', usage.inputTokens);
      span.setAttribute('gen_ai.usage.output_tokens', usage.outputTokens);
    }
    if (failure) {
      span.recordException(`${failure.code}: ${failure.message}`);
      span.setStatus({ code: 2, message: failure.code });
    } else span.setStatus({ code: 1 });
    span.end();
  }

  private endSpan(failure?: AiuError): void {
    if (!this.span) return;
    this.span.setAttribute('aiu.model', this.recorder.model);
    // The call's span speaks OpenTelemetry's GenAI conventions too: for a plain call, it is the one step.
    const model = describeTarget(this.recorder.model);
    this.span.setAttribute('gen_ai.operation.name', 'chat');
    if (model) {
      this.span.setAttribute('gen_ai.provider.name', model.provider);
      this.span.setAttribute('gen_ai.request.model', model.name);
    }
    const { usage } = this.recorder.current();
    this.span.setAttribute('gen_ai.usage.input_tokens', usage.inputTokens);
    this.span.setAttribute('gen_ai.usage.output_tokens', usage.outputTokens);
    const last = this.outputs[this.outputs.length - 1];
    if (last) this.span.setAttribute('gen_ai.response.finish_reasons', last.finishReason);
    if (failure) {
      this.span.recordException(`${failure.code}: ${failure.message}`);
      this.span.setStatus({ code: 2, message: failure.code });
    } else this.span.setStatus({ code: 1 });
    this.span.end();
    this.span = undefined;
  }
}

const DEFAULT_OUTPUT_ESTIMATE = 1024;
const NO_EVENTS: ChatEvent[] = [];

/** A JSON answer as stream events: reasoning, text, tool calls, usage, finish. */
function resultEvents(result: ProviderResult): ProviderEvent[] {
  const events: ProviderEvent[] = [];
  if (result.reasoningParts) for (const part of result.reasoningParts) events.push({ type: 'reasoning', text: part.text, providerMetadata: part.providerMetadata });
  else if (result.reasoning) events.push({ type: 'reasoning', text: result.reasoning });
  if (result.text) events.push({ type: 'text', text: result.text });
  for (const call of result.toolCalls ?? []) events.push({ type: 'tool-call', ...call });
  if (result.usage) events.push(result.costUsd === undefined ? { type: 'usage', usage: result.usage } : { type: 'usage', usage: result.usage, costUsd: result.costUsd });
  events.push({ type: 'finish', finishReason: result.finishReason });
  return events;
}

/** A JSON answer's text as a value: fenced code blocks are unwrapped; text that is not JSON gives undefined. */
function parseJsonAnswer(text: string): unknown {
  const trimmed = text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1');
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

export type { Cost };
