import { type AiuError, toAiuError } from '@aiu/core';
import type { Identity } from '../identity';
import type { Guards } from '../limits/guards';
import type { Taken } from '../limits/rateLimiter';
import { CallContext } from '../providers/context';
import type { Abort } from '../util/abort';
import type { CallRecorder, CallRuntime } from './callRecorder';
import type { Target } from './target';

/** What an attempt needs from the call it belongs to. */
export interface CallScope {
  readonly runtime: CallRuntime & { guards: Guards };
  readonly identity: Identity;
  readonly keyAlias: string | undefined;
  readonly recorder: CallRecorder;
  /** Aborted by the client, the call's deadline, or a shutdown that ran out of patience. */
  readonly cancel: Abort;
  readonly estimatedTokens: number;
  limited(model: string, scope: 'rate' | 'concurrency', waitedMs: number, refused: boolean): void;
}

/**
 * An attempt that got through: its result, and its bookkeeping to settle once the outcome is known.
 * A class, not an object literal: it lives as long as the call and reaches all of it, and V8
 * pretenures a literal's allocation site once its objects outlive a few collections — every
 * call's data then outlived young collections with it (ARCHITECTURE.md, "Pretenuring").
 */
export class Admitted<T> {
  constructor(
    readonly value: T,
    /** Releases the slot and records the outcome with the breaker and the rate windows. Once. */
    readonly settle: (success: boolean) => Promise<void>,
  ) {}
}

/** Failures that say something about the provider's health (not about the request or the key). */
export function isHealthFailure(error: AiuError): boolean {
  return error.code === 'upstream_error' || error.code === 'upstream_unreachable' || error.code === 'upstream_timeout' || error.code === 'stream_truncated';
}

/**
 * One try at one target: its key, the rate windows and a concurrency slot let it in, then `run`
 * makes the call. A failure is settled here and thrown, typed; a success is settled by the caller
 * once the outcome is known (a stream's only at its end).
 */
export async function attempt<T>(scope: CallScope, target: Target, run: (context: CallContext) => Promise<T>): Promise<Admitted<T>> {
  const { runtime, recorder } = scope;
  const guards = runtime.guards;
  const started = performance.now();
  let release: (() => void) | undefined;
  let taken: Taken[] = [];
  try {
    const { apiKey, stored } = await runtime.keys.resolve(scope.identity, target.provider, scope.keyAlias, 'chat');
    recorder.key = stored;
    const label = `${target.provider.id} (${target.modelId})`;
    const keyId = stored ? `${stored.owner}/${stored.alias}` : 'shared';
    const rate = await guards.rate.acquire(guards.takesFor(target.provider.id, keyId, scope.estimatedTokens), scope.cancel, label).catch((error: unknown) => {
      scope.limited(target.modelId, 'rate', 0, true);
      throw error;
    });
    taken = rate.taken;
    if (rate.waitedMs > 0) {
      recorder.waited(rate.waitedMs);
      scope.limited(target.modelId, 'rate', rate.waitedMs, false);
    }
    const semaphore = guards.semaphore(target.provider.id);
    if (semaphore) {
      const queued = Date.now();
      release = await semaphore.acquire(scope.cancel, guards.queueTimeoutMs, label);
      const waited = Date.now() - queued;
      if (waited > 0) {
        recorder.waited(waited);
        scope.limited(target.modelId, 'concurrency', waited, false);
      }
    }
    const value = await run(new CallContext(apiKey, scope.cancel));
    recorder.attempt(target.modelId, 'success', null, performance.now() - started);
    const slot = release;
    release = undefined;
    let settled = false;
    return new Admitted(value, async (success) => {
      if (settled) return;
      settled = true;
      slot?.();
      const bookkeeping = Promise.all([
        guards.breakers.record(target.modelId, success),
        guards.rate.reconcile(taken, recorder.billableUsage().totalTokens),
      ]);
      // With a shared state backend each is a round trip (two for the breaker): a success
      // answers without waiting for them, while a failure is counted before anyone retries.
      if (success) runtime.inflight.defer(bookkeeping, `Recording the call to ${target.modelId} with the breaker and rate limits`);
      else await bookkeeping;
    });
  } catch (error) {
    release?.();
    // The request reached (or tried to reach) the provider: it counts for rpm, but used no tokens.
    await guards.rate.reconcile(taken, 0);
    const failure = toAiuError(error);
    recorder.attempt(target.modelId, 'error', failure.code, performance.now() - started);
    if (failure.code === 'invalid_api_key') runtime.keys.rejected(target.provider.id, recorder.key);
    if (isHealthFailure(failure)) await guards.breakers.record(target.modelId, false);
    throw failure;
  }
}
