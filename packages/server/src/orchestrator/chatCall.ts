import {
  AiuError,
  type ChatEvent,
  type ChatRequest,
  type ChatResult,
  type FinishReason,
  toAiuError,
  UpstreamTimeoutError,
} from '@aiu/core';
import type { AiuEvents } from '../events';
import type { Identity } from '../identity';
import { ownerOf } from '../keyring/resolve';
import type { Guards } from '../limits/guards';
import type { Reservation } from '../limits/quotas';
import { CallContext } from '../providers/context';
import { batchesOf } from '../providers/eventStream';
import type { ProviderEvent, ProviderResult } from '../providers/types';
import type { Span, Tracer } from '../tracing';
import { Abort } from '../util/abort';
import { type Admitted, attempt, type CallScope, isHealthFailure } from './attempt';
import { CallRecorder, type CallRuntime } from './callRecorder';
import { firstToAnswer } from './fallback';
import { describeTarget } from '../util/modelId';
import { type Target, targetIdsOf } from './target';

export interface ChatRuntime extends CallRuntime {
  guards: Guards;
  /** Named fallback lists: `model: 'fast'` → `['anthropic:…', 'openai:…']`. */
  routes: Record<string, string[]>;
  tracer: Tracer | undefined;
}

/** How a step reaches its provider: a stream, or one JSON answer (`stream: false`). */
type Mode = 'stream' | 'json';

/**
 * A provider's events for one step, in the arrays they arrived in; the first may already be read
 * (a first-token deadline). A class for the reason `Admitted` is one: it lives as long as the step.
 */
class StepEvents {
  constructor(
    readonly batches: AsyncIterator<readonly ProviderEvent[]>,
    readonly first: IteratorResult<readonly ProviderEvent[]> | undefined,
  ) {}
}

/** What one model step has made so far. */
interface StepState {
  /** A JSON answer keeps the step's text and makes no events; a stream sends each piece on as an event. */
  keepText: boolean;
  text: string;
  reasoning: string;
  finishReason: FinishReason;
}

function newStep(keepText: boolean): StepState {
  return { keepText, text: '', reasoning: '', finishReason: 'other' };
}

const NO_EVENTS: ChatEvent[] = [];

type Settled = { type: 'finish'; event: Extract<ChatEvent, { type: 'finish' }> } | { type: 'error'; failure: AiuError };

/** Rough but deliberate: ~4 characters per token, plus a little per message. */
function estimateInputTokens(request: ChatRequest): number {
  return request.messages.reduce((total, message) => total + Math.ceil(message.content.length / 4) + 4, 0);
}

const DEFAULT_OUTPUT_ESTIMATE = 1024;

/**
 * One chat request from validation to its single log entry, in steps: admission (prices, quota),
 * then each model step — opened through the fallback policy (`firstToAnswer`, around one
 * `attempt` per try), its events translated as they come — and one settlement at the end,
 * streams and JSON alike. Failures before the first byte reached the client are thrown (and
 * logged); after it, a stream ends in an `error` event.
 */
export class ChatCall implements CallScope {
  readonly recorder: CallRecorder;
  readonly cancel = new Abort();
  readonly startedAt = Date.now();
  readonly keyAlias: string | undefined;
  readonly estimatedTokens: number;
  /** Stops the call's deadline and stops following the caller: the call is over. */
  private readonly release: () => void;
  private span: Span | undefined;

  constructor(
    readonly runtime: ChatRuntime,
    private readonly request: ChatRequest,
    readonly identity: Identity,
    /** Who may abort the call: the client (the request's Abort) or a signal a programmatic caller passed. */
    caller: Abort | AbortSignal | undefined,
  ) {
    const cancel = this.cancel;
    this.keyAlias = request.keyAlias;
    this.estimatedTokens = estimateInputTokens(request) + (request.options?.maxTokens ?? DEFAULT_OUTPUT_ESTIMATE);
    this.recorder = new CallRecorder(runtime, identity, request, request.metadata, () =>
      cancel.abort(new DOMException('The server is shutting down.', 'AbortError')),
    );
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

  /** The whole answer at once (`stream: false`): the same steps, without a generator between them. */
  async complete(): Promise<ChatResult> {
    const { target, admitted, reservation } = await this.admit('json');
    const step = newStep(true);
    let failure: AiuError | undefined;
    try {
      for (let next = await admitted.value.batches.next(); !next.done; next = await admitted.value.batches.next()) this.translate(next.value, step);
    } catch (error) {
      failure = toAiuError(error);
    }
    const finish = await this.settle(admitted, reservation, step, failure === undefined, failure);
    if (finish.type === 'error') throw finish.failure;
    return {
      requestId: this.requestId,
      model: target.modelId,
      provider: target.provider.id,
      text: step.text,
      ...(step.reasoning ? { reasoning: step.reasoning } : {}),
      finishReason: finish.event.finishReason,
      usage: finish.event.usage,
      cost: finish.event.cost,
      latencyMs: finish.event.latencyMs,
      ttftMs: null,
      ...(target.warnings.length ? { warnings: target.warnings } : {}),
    };
  }

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
    const { target, admitted, reservation } = await this.admit(mode);
    yield [
      {
        type: 'start',
        requestId: this.requestId,
        model: target.modelId,
        provider: target.provider.id,
        ...(target.warnings.length ? { warnings: target.warnings } : {}),
      },
    ];

    const step = newStep(false);
    let completed = false;
    let failure: AiuError | undefined;
    let settled: Settled | undefined;
    const { batches } = admitted.value;
    try {
      let next = admitted.value.first ?? (await batches.next());
      while (!next.done) {
        const out = this.translate(next.value, step);
        if (out.length) yield out;
        next = await batches.next();
      }
      completed = true;
    } catch (error) {
      failure = toAiuError(error);
    } finally {
      if (!completed) await batches.return?.().catch(() => undefined);
      // The consumer stopped reading (client gone) without an error reaching us.
      const stopped = !completed && !failure ? new AiuError('aborted', 'The client stopped reading the stream.') : undefined;
      settled = await this.settle(admitted, reservation, step, completed, failure ?? stopped);
    }
    if (settled.type === 'finish') yield [settled.event];
    else if (settled.failure.code !== 'aborted') {
      yield [{ type: 'error', code: settled.failure.code, message: settled.failure.message, retryable: settled.failure.retryable }];
    }
  }

  /** Admission (prices, quota) and the first step opened; a failure here is logged and thrown. */
  private async admit(mode: Mode): Promise<{ target: Target; admitted: Admitted<StepEvents>; reservation: Reservation | null }> {
    let reservation: Reservation | null = null;
    try {
      await this.runtime.prices.ready();
      reservation = await this.reserveQuota();
      const { target, admitted } = await this.openStep(mode);
      this.recorder.started();
      return { target, admitted, reservation };
    } catch (error) {
      if (reservation) await this.runtime.guards.quotas.settle(reservation, null);
      throw this.fail(error);
    }
  }

  /**
   * A provider's events as ours, with what the step keeps (its text for a JSON answer, its finish
   * reason) and what the log needs. A JSON answer makes no event objects: kept until the answer
   * is assembled, they would teach V8 that this allocation site makes long-lived objects, and it
   * would then allocate every streamed delta in the old generation (ARCHITECTURE.md, "Pretenuring").
   */
  private translate(batch: readonly ProviderEvent[], step: StepState): ChatEvent[] {
    const recorder = this.recorder;
    const out: ChatEvent[] = step.keepText ? NO_EVENTS : [];
    for (const event of batch) {
      switch (event.type) {
        case 'text':
          recorder.generated(event.text);
          if (step.keepText) step.text += event.text;
          else out.push({ type: 'delta', text: event.text });
          break;
        case 'reasoning':
          recorder.generated(event.text);
          if (step.keepText) step.reasoning += event.text;
          else out.push({ type: 'reasoning', text: event.text });
          break;
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

  /**
   * The one place a call's bookkeeping is settled, however it ended: the attempt (slot, breaker,
   * rate windows), the quota reservation with what was used, and the single log entry.
   */
  private async settle(admitted: Admitted<StepEvents>, reservation: Reservation | null, step: StepState, completed: boolean, failure: AiuError | undefined): Promise<Settled> {
    await admitted.settle(completed || (failure !== undefined && !isHealthFailure(failure)));
    if (reservation) {
      const { usage, cost } = this.recorder.current();
      await this.runtime.guards.quotas.settle(reservation, { tokens: usage.totalTokens, costUsd: cost?.total ?? null });
    }
    if (failure) return { type: 'error', failure: this.fail(failure) };
    this.release();
    const { usage, cost, latencyMs, ttftMs } = this.recorder.succeed();
    this.endSpan();
    return { type: 'finish', event: { type: 'finish', finishReason: step.finishReason, usage, cost, latencyMs, ttftMs } };
  }

  /** The step's provider call, through the fallback policy: whichever target answers first. */
  private openStep(mode: Mode): Promise<{ target: Target; admitted: Admitted<StepEvents> }> {
    const ids = this.targetIds();
    this.span ??= this.runtime.tracer?.startSpan('aiu.chat', { attributes: { 'aiu.request_id': this.requestId, 'aiu.targets': ids.join(',') } });
    const open = (target: Target) =>
      attempt(this, target, (context) => (mode === 'stream' ? this.openStream(target, context) : this.completeOnce(target, context)));
    return firstToAnswer(this, ids, this.request, open, {
      retry: (model, attemptNumber, delayMs, error) =>
        this.emit('request:retry', { model, attempt: attemptNumber, delayMs, error: { code: error.code, message: error.message } }),
      fallback: (from, to, reason) => this.emit('request:fallback', { from, to, reason }),
    });
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

  private emit<E extends 'request:retry' | 'request:fallback' | 'request:limited'>(event: E, payload: Omit<AiuEvents[E], 'requestId'>): void {
    this.runtime.events.emit(event, { requestId: this.requestId, ...payload } as AiuEvents[E]);
    this.span?.addEvent(event, Object.fromEntries(Object.entries(payload).filter(([, v]) => typeof v !== 'object')) as Record<string, string | number>);
  }

  /** Reserves the call's estimated tokens and cost against the owner's budgets. */
  private async reserveQuota(): Promise<Reservation | null> {
    const quotas = this.runtime.guards.quotas;
    if (!quotas.enabled) return null;
    const first = this.targetIds()[0] ?? '';
    const tokens = this.estimatedTokens;
    const input = estimateInputTokens(this.request);
    const pricing = this.runtime.prices.lookup(first, false);
    const costUsd = pricing ? (input * pricing.input + (tokens - input) * pricing.output) / 1e6 : null;
    try {
      return await quotas.reserve(ownerOf(this.identity), { tokens, costUsd });
    } catch (error) {
      this.limited(first, 'quota', 0, true);
      throw error;
    }
  }

  private endSpan(failure?: AiuError): void {
    if (!this.span) return;
    this.span.setAttribute('aiu.model', this.recorder.model);
    if (failure) {
      this.span.recordException(`${failure.code}: ${failure.message}`);
      this.span.setStatus({ code: 2, message: failure.code });
    } else this.span.setStatus({ code: 1 });
    this.span.end();
    this.span = undefined;
  }
}

/** A JSON answer as stream events: reasoning, text, usage, finish. */
function resultEvents(result: ProviderResult): ProviderEvent[] {
  const events: ProviderEvent[] = [];
  if (result.reasoning) events.push({ type: 'reasoning', text: result.reasoning });
  if (result.text) events.push({ type: 'text', text: result.text });
  if (result.usage) events.push(result.costUsd === undefined ? { type: 'usage', usage: result.usage } : { type: 'usage', usage: result.usage, costUsd: result.costUsd });
  events.push({ type: 'finish', finishReason: result.finishReason });
  return events;
}
