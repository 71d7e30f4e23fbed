import { UpstreamTimeoutError } from '@aiu/core';
import { type BreakerOptions, CircuitBreakers } from './breaker';
import { type QuotasOption, Quotas } from './quotas';
import { type LimitOptions, type LimitsOption, RateLimiter, type WindowTake } from './rateLimiter';
import { retryConfig, type RetryOptions } from './retry';
import { Semaphore } from './semaphore';
import type { StateBackend } from './state';

export interface TimeoutOptions {
  /** Until the provider's response headers. */
  connectMs?: number;
  /** From the headers until the first token (before it, a slow model can still fall back). */
  firstTokenMs?: number;
  /** The whole call, retries and streaming included. */
  totalMs?: number;
}

export interface GuardOptions {
  limits?: LimitsOption;
  retries?: RetryOptions;
  breaker?: BreakerOptions;
  quotas?: QuotasOption;
  timeouts?: TimeoutOptions;
}

/** Everything that protects a provider account and a budget, over one state backend. */
export class Guards {
  readonly rate: RateLimiter;
  /** The same windows, refused at once instead of queued (a client key's own rpm/tpm). */
  readonly rateNow: RateLimiter;
  readonly breakers: CircuitBreakers;
  readonly quotas: Quotas;
  readonly retry: Required<RetryOptions>;
  readonly timeouts: TimeoutOptions;
  readonly queueTimeoutMs: number;
  private readonly semaphores = new Map<string, Semaphore>();

  constructor(
    readonly state: StateBackend,
    private readonly options: GuardOptions,
  ) {
    this.queueTimeoutMs = options.limits?.queueTimeoutMs ?? 10_000;
    this.rate = new RateLimiter(state, this.queueTimeoutMs);
    this.rateNow = new RateLimiter(state, 0);
    this.breakers = new CircuitBreakers(state, options.breaker);
    this.quotas = new Quotas(state, options.quotas ?? {});
    this.retry = retryConfig(options.retries);
    this.timeouts = options.timeouts ?? {};
  }

  limitsFor(provider: string): LimitOptions {
    return { ...this.options.limits?.perProvider, ...this.options.limits?.providers?.[provider] };
  }

  /** The windows a call to `provider` with key `keyId` must fit into. */
  takesFor(provider: string, keyId: string, estimatedTokens: number): WindowTake[] {
    const takes: WindowTake[] = [];
    const limits = this.limitsFor(provider);
    if (limits.rpm) takes.push({ key: `rate:provider:${provider}:rpm`, limit: limits.rpm, weight: 1, tokens: false });
    if (limits.tpm) takes.push({ key: `rate:provider:${provider}:tpm`, limit: limits.tpm, weight: estimatedTokens, tokens: true });
    const perKey = this.options.limits?.perKey;
    if (perKey?.rpm) takes.push({ key: `rate:key:${provider}:${keyId}:rpm`, limit: perKey.rpm, weight: 1, tokens: false });
    if (perKey?.tpm) takes.push({ key: `rate:key:${provider}:${keyId}:tpm`, limit: perKey.tpm, weight: estimatedTokens, tokens: true });
    return takes;
  }

  semaphore(provider: string): Semaphore | null {
    const max = this.limitsFor(provider).maxConcurrency;
    if (!max) return null;
    let semaphore = this.semaphores.get(provider);
    if (!semaphore || semaphore.max !== max) this.semaphores.set(provider, (semaphore = new Semaphore(max)));
    return semaphore;
  }

  /** A signal that aborts with `upstream_timeout` after `ms` (or never), and a way to stop it. */
  static timer(ms: number | undefined, what: string): { signal: AbortSignal | undefined; clear: () => void } {
    if (!ms) return { signal: undefined, clear: () => {} };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new UpstreamTimeoutError(`${what} took longer than ${ms} ms.`)), ms);
    return { signal: controller.signal, clear: () => clearTimeout(timer) };
  }
}
