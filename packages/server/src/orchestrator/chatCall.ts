import {
  AiuError,
  type ChatEvent,
  type ChatOptions,
  type ChatRequest,
  type ChatResult,
  type FinishReason,
  parseModelId,
  toAiuError,
  UpstreamError,
} from '@aiu/core';
import type { AiuEvents } from '../events';
import { Aborter, type AbortSource, onAbortOf } from '../util/callerGone';
import type { Identity } from '../identity';
import { ownerOf } from '../keyring/resolve';
import { Guards } from '../limits/guards';
import type { Reservation } from '../limits/quotas';
import { sleep, type Taken } from '../limits/rateLimiter';
import { backoffMs } from '../limits/retry';
import { callContext } from '../providers/callContext';
import type { Provider, ProviderCallContext, ProviderChatRequest, ProviderEvent } from '../providers/types';
import type { Span, Tracer } from '../tracing';
import { CallRecorder, type CallRuntime } from './callRecorder';

export interface ChatRuntime extends CallRuntime {
  guards: Guards;
  /** Named fallback lists: `model: 'fast'` → `['anthropic:…', 'openai:…']`. */
  routes: Record<string, string[]>;
  tracer: Tracer | undefined;
}

interface Target {
  modelId: string;
  provider: Provider;
  request: ProviderChatRequest;
  warnings: string[];
}

/** An attempt that got through: its result, and what to do once the call ends. */
interface Opened<T> {
  value: T;
  target: Target;
  finish(success: boolean): Promise<void>;
}

/** A provider's events in the arrays it sent them in (one event each for an adapter that yields them singly). */
type ProviderBatches = AsyncIterator<readonly ProviderEvent[]>;

interface PrimedStream {
  iterator: ProviderBatches;
  first: IteratorResult<readonly ProviderEvent[]> | undefined;
}

function batchesOf(events: AsyncIterable<ProviderEvent | readonly ProviderEvent[]>): ProviderBatches {
  const iterator = events[Symbol.asyncIterator]();
  return {
    next: async () => {
      const next = await iterator.next();
      return next.done || Array.isArray(next.value) ? (next as IteratorResult<readonly ProviderEvent[]>) : { done: false, value: [next.value as ProviderEvent] };
    },
    return: async () => {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
  };
}

/** Rough but deliberate: ~4 characters per token, plus a little per message. */
function estimateInputTokens(request: ChatRequest): number {
  return request.messages.reduce((total, message) => total + Math.ceil(message.content.length / 4) + 4, 0);
}

const DEFAULT_OUTPUT_ESTIMATE = 1024;

/** Failures that say something about the provider's health (not about the request or the key). */
function isHealthFailure(error: AiuError): boolean {
  return error.code === 'upstream_error' || error.code === 'upstream_unreachable' || error.code === 'upstream_timeout' || error.code === 'stream_truncated';
}

/**
 * One chat request from validation to its single log entry: targets tried in order
 * (fallback), each behind its circuit breaker, rate limits and concurrency slot, retried
 * with backoff — but only until the first byte has gone to the client. Everything that
 * fails before then is thrown (and logged); after it, the stream ends in an `error` event.
 */
export class ChatCall {
  private readonly recorder: CallRecorder;
  private readonly started = Date.now();
  private readonly total: { signal: AbortSignal | undefined; clear: () => void };
  /** Aborted by the client, the total deadline, or a shutdown that ran out of patience. */
  private readonly cancel = new Aborter();
  /** Stops the total deadline and stops listening to the caller: the call is over. */
  private readonly settle: () => void;
  private span: Span | undefined;

  constructor(
    private readonly runtime: ChatRuntime,
    private readonly request: ChatRequest,
    private readonly identity: Identity,
    caller: AbortSource,
  ) {
    // Plain listeners, removed when the call ends (a caller may pass one signal to many calls);
    // not AbortSignal.any, nor a listener with a `signal` option: on Node 20 those cost 3–4× as
    // much per call. No AbortSignal of our own unless something needs one (see Aborter).
    const cancel = this.cancel;
    const stopFollowing: Array<() => void> = [];
    const follow = (source: AbortSource | undefined) => {
      if (source) stopFollowing.push(onAbortOf(source, () => cancel.abort(source.reason)));
    };
    this.recorder = new CallRecorder(runtime, identity, request, request.metadata, () => cancel.abort(new DOMException('The server is shutting down.', 'AbortError')));
    this.total = Guards.timer(runtime.guards.timeouts.totalMs, 'The call');
    follow(caller);
    follow(this.total.signal);
    this.settle = () => {
      this.total.clear();
      for (const stop of stopFollowing.splice(0)) stop();
    };
    // Best effort for the log, so even a request that fails validation names its target.
    const first = this.targetIds()[0] ?? '';
    const colon = first.indexOf(':');
    if (colon > 0) this.recorder.target(first.slice(0, colon), first);
  }

  get requestId(): string {
    return this.recorder.requestId;
  }

  fail(error: unknown): AiuError {
    this.settle();
    const failure = this.recorder.fail(error);
    this.endSpan(failure);
    return failure;
  }

  /** The models to try, in order: the list given, or the named route's. */
  private targetIds(): string[] {
    const model = this.request.model;
    if (Array.isArray(model)) return model;
    return this.runtime.routes[model] ?? [model];
  }

  private resolve(modelId: string): Target {
    const { provider: providerId, model } = parseModelId(modelId);
    const provider = this.runtime.providers.get(providerId);
    const warnings: string[] = [];
    const options: ChatOptions = { ...this.request.options };
    for (const name of provider.unsupportedOptions ?? []) {
      if (options[name] !== undefined) {
        delete options[name];
        warnings.push(`${provider.id} does not support the option "${name}"; it was dropped.`);
      }
    }
    return { modelId: `${provider.id}:${model}`, provider, request: { model, messages: this.request.messages, options }, warnings };
  }

  private emit<E extends 'request:retry' | 'request:fallback' | 'request:limited'>(event: E, payload: Omit<AiuEvents[E], 'requestId'>): void {
    this.runtime.events.emit(event, { requestId: this.requestId, ...payload } as never);
    this.span?.addEvent(event, Object.fromEntries(Object.entries(payload).filter(([, v]) => typeof v !== 'object')) as Record<string, string | number>);
  }

  private estimatedTokens(): number {
    return estimateInputTokens(this.request) + (this.request.options?.maxTokens ?? DEFAULT_OUTPUT_ESTIMATE);
  }

  /** Reserves the call's estimated tokens and cost against the owner's budgets. */
  private async reserveQuota(): Promise<Reservation | null> {
    const quotas = this.runtime.guards.quotas;
    if (!quotas.enabled) return null;
    const first = this.targetIds()[0] ?? '';
    const tokens = this.estimatedTokens();
    const input = estimateInputTokens(this.request);
    const pricing = this.runtime.prices.lookup(first, false);
    const costUsd = pricing ? (input * pricing.input + (tokens - input) * pricing.output) / 1e6 : null;
    try {
      return await quotas.reserve(ownerOf(this.identity), { tokens, costUsd });
    } catch (error) {
      this.emit('request:limited', { model: first, scope: 'quota', waitedMs: 0, refused: true });
      throw error;
    }
  }

  /**
   * Tries each target until one answers: breaker, key, rate limits and a concurrency
   * slot first, then `run`; retryable failures are retried with backoff, then fall back.
   */
  private async open<T>(run: (target: Target, context: ProviderCallContext) => Promise<T>): Promise<Opened<T>> {
    const guards = this.runtime.guards;
    const ids = this.targetIds();
    let lastError: AiuError | undefined;
    this.span = this.runtime.tracer?.startSpan('aiu.chat', { attributes: { 'aiu.request_id': this.requestId, 'aiu.targets': ids.join(',') } });

    for (let index = 0; index < ids.length; index++) {
      const target = this.resolve(ids[index] as string);
      this.recorder.target(target.provider.id, target.modelId);
      if ((await guards.breakers.admit(target.modelId)) === 'open') {
        this.recorder.attempt(target.modelId, 'skipped', 'circuit_open', 0);
        lastError = new UpstreamError(`The circuit for ${target.modelId} is open after repeated failures.`);
      } else {
        for (let attempt = 0; ; attempt++) {
          const attemptStarted = performance.now();
          let release: (() => void) | undefined;
          let taken: Taken[] = [];
          try {
            const { apiKey, stored } = await this.runtime.keys.resolve(this.identity, target.provider, this.request.keyAlias, 'chat');
            this.recorder.key = stored;
            const label = `${target.provider.id} (${target.modelId})`;
            const keyId = stored ? `${stored.owner}/${stored.alias}` : 'shared';
            const rate = await guards.rate.acquire(guards.takesFor(target.provider.id, keyId, this.estimatedTokens()), this.cancel, label).catch((error: unknown) => {
              this.emit('request:limited', { model: target.modelId, scope: 'rate', waitedMs: 0, refused: true });
              throw error;
            });
            taken = rate.taken;
            if (rate.waitedMs > 0) {
              this.recorder.waited(rate.waitedMs);
              this.emit('request:limited', { model: target.modelId, scope: 'rate', waitedMs: rate.waitedMs, refused: false });
            }
            const semaphore = guards.semaphore(target.provider.id);
            if (semaphore) {
              const queued = Date.now();
              release = await semaphore.acquire(this.cancel, guards.queueTimeoutMs, label);
              const waited = Date.now() - queued;
              if (waited > 0) {
                this.recorder.waited(waited);
                this.emit('request:limited', { model: target.modelId, scope: 'concurrency', waitedMs: waited, refused: false });
              }
            }
            const value = await run(target, callContext(apiKey, this.cancel));
            this.recorder.attempt(target.modelId, 'success', null, performance.now() - attemptStarted);
            const slot = release;
            release = undefined;
            return {
              value,
              target,
              finish: async (success) => {
                slot?.();
                const bookkeeping = Promise.all([
                  guards.breakers.record(target.modelId, success),
                  guards.rate.reconcile(taken, this.recorder.billableUsage().totalTokens),
                ]);
                // With a shared state backend each is a round trip (two for the breaker): a success
                // answers without waiting for them, while a failure is counted before anyone retries.
                if (success) this.runtime.inflight.defer(bookkeeping, `Recording the call to ${target.modelId} with the breaker and rate limits`);
                else await bookkeeping;
              },
            };
          } catch (error) {
            release?.();
            // The request reached (or tried to reach) the provider: it counts for rpm, but used no tokens.
            await guards.rate.reconcile(taken, 0);
            const failure = toAiuError(error);
            this.recorder.attempt(target.modelId, 'error', failure.code, performance.now() - attemptStarted);
            if (failure.code === 'invalid_api_key') this.runtime.keys.rejected(target.provider.id, this.recorder.key);
            if (isHealthFailure(failure)) await guards.breakers.record(target.modelId, false);
            if (!failure.retryable || this.cancel.aborted) throw failure;
            lastError = failure;
            // Our own limits are not retried on the same target: the next one may have room.
            const localLimit = failure.code === 'rate_limited' && failure.upstreamStatus === undefined;
            if (localLimit || attempt + 1 >= guards.retry.maxAttempts) break;
            const delayMs = backoffMs(attempt, guards.retry, failure.retryAfterMs);
            if (Date.now() - this.started + delayMs > guards.retry.maxTotalMs) break;
            this.emit('request:retry', { model: target.modelId, attempt: attempt + 1, delayMs: Math.round(delayMs), error: { code: failure.code, message: failure.message } });
            await sleep(delayMs, this.cancel);
          }
        }
      }
      const next = ids[index + 1];
      if (next) this.emit('request:fallback', { from: target.modelId, to: next, reason: lastError?.code ?? 'unknown' });
    }
    throw lastError ?? new UpstreamError('No model could answer.');
  }

  /** Opens the provider stream; with a first-token deadline, waits for the first event too. */
  private async openStream(target: Target, context: ProviderCallContext): Promise<PrimedStream> {
    const timeouts = this.runtime.guards.timeouts;
    if (!timeouts.connectMs && !timeouts.firstTokenMs) {
      const iterable = await target.provider.stream(target.request, context);
      return { iterator: batchesOf(iterable), first: undefined };
    }
    const connect = Guards.timer(timeouts.connectMs, `${target.modelId}: the response`);
    const deadline = new AbortController();
    const signal = AbortSignal.any([context.signal, deadline.signal, ...(connect.signal ? [connect.signal] : [])]);
    connect.signal?.addEventListener('abort', () => deadline.abort(connect.signal?.reason), { once: true });
    try {
      const iterable = await target.provider.stream(target.request, { ...context, signal });
      connect.clear();
      const iterator = batchesOf(iterable);
      if (!timeouts.firstTokenMs) return { iterator, first: undefined };
      const firstToken = Guards.timer(timeouts.firstTokenMs, `${target.modelId}: the first token`);
      firstToken.signal?.addEventListener('abort', () => deadline.abort(firstToken.signal?.reason), { once: true });
      try {
        const first = await iterator.next();
        return { iterator, first };
      } catch (error) {
        throw deadline.signal.aborted ? deadline.signal.reason : error;
      } finally {
        firstToken.clear();
      }
    } catch (error) {
      throw deadline.signal.aborted && !context.signal.aborted ? deadline.signal.reason : error;
    } finally {
      connect.clear();
    }
  }

  /** Streams events; the first one yielded is `start`, the last `finish` (or an `error` once streaming). */
  async *stream(): AsyncGenerator<ChatEvent> {
    for await (const batch of this.batches()) yield* batch;
  }

  /**
   * The same events in the arrays the provider sent them in: `[start]` first, then what each
   * network chunk held, `[finish]` (or `[error]`) last. A stream at full speed is hundreds of
   * events; forwarding them one async step per chunk instead of per event roughly halves the
   * work between the provider's socket and the client's.
   */
  async *batches(): AsyncGenerator<ChatEvent[]> {
    const recorder = this.recorder;
    let reservation: Reservation | null = null;
    let opened: Opened<PrimedStream>;
    try {
      await this.runtime.prices.ready();
      reservation = await this.reserveQuota();
      opened = await this.open((target, context) => this.openStream(target, context));
      recorder.started();
    } catch (error) {
      if (reservation) await this.runtime.guards.quotas.settle(reservation, null);
      throw this.fail(error);
    }

    yield [
      {
        type: 'start',
        requestId: recorder.requestId,
        model: opened.target.modelId,
        provider: opened.target.provider.id,
        ...(opened.target.warnings.length ? { warnings: opened.target.warnings } : {}),
      },
    ];

    let finishReason: FinishReason = 'other';
    let completed = false;
    let failure: AiuError | undefined;
    const { iterator } = opened.value;
    try {
      let next = opened.value.first ?? (await iterator.next());
      while (!next.done) {
        const out: ChatEvent[] = [];
        for (const event of next.value) {
          switch (event.type) {
            case 'text':
            case 'reasoning':
              recorder.generated(event.text);
              out.push({ type: event.type === 'text' ? 'delta' : 'reasoning', text: event.text });
              break;
            case 'usage':
              recorder.reportUsage(event.usage, event.costUsd);
              break;
            case 'finish':
              finishReason = event.finishReason;
              break;
          }
        }
        if (out.length) yield out;
        next = await iterator.next();
      }
      completed = true;
    } catch (error) {
      failure = toAiuError(error);
    } finally {
      if (!completed) await iterator.return?.().catch(() => undefined);
      await opened.finish(completed || (failure !== undefined && !isHealthFailure(failure)));
      if (reservation) {
        const { usage, cost } = recorder.current();
        await this.runtime.guards.quotas.settle(reservation, { tokens: usage.totalTokens, costUsd: cost?.total ?? null });
      }
      // The consumer stopped reading (client gone) without an error reaching us.
      if (!completed && !failure && !recorder.isLogged) this.fail(new AiuError('aborted', 'The client stopped reading the stream.'));
    }
    if (failure) {
      const logged = this.fail(failure);
      if (logged.code !== 'aborted') yield [{ type: 'error', code: logged.code, message: logged.message, retryable: logged.retryable }];
      return;
    }
    this.settle();
    const { usage, cost, latencyMs, ttftMs } = recorder.succeed();
    this.endSpan();
    yield [{ type: 'finish', finishReason, usage, cost, latencyMs, ttftMs }];
  }

  async complete(): Promise<ChatResult> {
    const recorder = this.recorder;
    let reservation: Reservation | null = null;
    try {
      await this.runtime.prices.ready();
      reservation = await this.reserveQuota();
      const opened = await this.open((target, context) => target.provider.complete(target.request, context));
      recorder.started();
      const result = opened.value;
      recorder.generated(result.text + result.reasoning);
      recorder.reportUsage(result.usage, result.costUsd);
      await opened.finish(true);
      const { usage, cost, latencyMs } = recorder.succeed();
      if (reservation) await this.runtime.guards.quotas.settle(reservation, { tokens: usage.totalTokens, costUsd: cost?.total ?? null });
      this.settle();
      this.endSpan();
      return {
        requestId: recorder.requestId,
        model: opened.target.modelId,
        provider: opened.target.provider.id,
        text: result.text,
        ...(result.reasoning ? { reasoning: result.reasoning } : {}),
        finishReason: result.finishReason,
        usage,
        cost,
        latencyMs,
        ttftMs: null,
        ...(opened.target.warnings.length ? { warnings: opened.target.warnings } : {}),
      };
    } catch (error) {
      if (reservation) await this.runtime.guards.quotas.settle(reservation, null);
      throw this.fail(error);
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
