import { type AiuError, type ChatRequest, UnsupportedError, UpstreamError } from '@aiu/core';
import type { ModelCatalog } from '../catalog/catalog';
import { backoffMs } from '../limits/retry';
import type { ProviderRegistry } from '../providers/registry';
import { sleep } from '../util/abort';
import type { Admitted, CallScope } from './attempt';
import type { Capability } from '../providers/types';
import { cannotHonour } from './capabilities';
import { resolveTarget, type StepRequest, type Target } from './target';

export interface FallbackEvents {
  retry(model: string, attempt: number, delayMs: number, error: AiuError): void;
  fallback(from: string, to: string, reason: string): void;
}

/**
 * The retry and fallback policy around attempts: each target in order, behind its circuit
 * breaker; a retryable failure is tried again with backoff (never past the retry budget), then
 * the next target takes over. Only the last failure is thrown.
 */
export async function firstToAnswer<T>(
  scope: CallScope & { readonly providers: ProviderRegistry; readonly startedAt: number },
  ids: readonly string[],
  request: ChatRequest,
  step: StepRequest & { needs: readonly Capability[]; catalog: ModelCatalog },
  open: (target: Target) => Promise<Admitted<T>>,
  events: FallbackEvents,
): Promise<{ target: Target; admitted: Admitted<T> }> {
  const guards = scope.runtime.guards;
  let lastError: AiuError | undefined;
  let unsupported: UnsupportedError | undefined;
  for (let index = 0; index < ids.length; index++) {
    const target = resolveTarget(ids[index] as string, request, step, scope.providers);
    scope.recorder.target(target.provider.id, target.modelId);
    // A target that cannot take what the request holds is passed over, not tried.
    const lacking = cannotHonour(target, step.needs, step.catalog);
    if (lacking) {
      scope.recorder.attempt(target.modelId, 'skipped', 'unsupported', 0);
      unsupported ??= new UnsupportedError(`${lacking.reason} Pick a model that does, or leave it out of the request.`, { details: { capability: lacking.capability, model: target.modelId } });
      lastError = lastError ?? unsupported;
    } else if ((await guards.breakers.admit(target.modelId)) === 'open') {
      scope.recorder.attempt(target.modelId, 'skipped', 'circuit_open', 0);
      lastError = new UpstreamError(`The circuit for ${target.modelId} is open after repeated failures.`);
    } else {
      for (let attempt = 0; ; attempt++) {
        try {
          return { target, admitted: await open(target) };
        } catch (error) {
          const failure = error as AiuError;
          if (!failure.retryable || scope.cancel.aborted) throw failure;
          lastError = failure;
          // Our own limits are not retried on the same target: the next one may have room.
          const localLimit = failure.code === 'rate_limited' && failure.upstreamStatus === undefined;
          if (localLimit || attempt + 1 >= guards.retry.maxAttempts) break;
          const delayMs = backoffMs(attempt, guards.retry, failure.retryAfterMs);
          if (Date.now() - scope.startedAt + delayMs > guards.retry.maxTotalMs) break;
          events.retry(target.modelId, attempt + 1, Math.round(delayMs), failure);
          await sleep(delayMs, scope.cancel);
        }
      }
    }
    const next = ids[index + 1];
    if (next) events.fallback(target.modelId, next, lastError?.code ?? 'unknown');
  }
  throw lastError ?? unsupported ?? new UpstreamError('No model could answer.');
}
