export interface RetryOptions {
  /** Attempts per target (the first included). Default 3. */
  maxAttempts?: number;
  /** Backoff base and cap: full jitter, `random(0, min(cap, base × 2^attempt))`. Defaults 250 ms / 8 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** No retry starts after this much time since the call began. Default 30 s. */
  maxTotalMs?: number;
}

export function retryConfig(options: RetryOptions = {}): Required<RetryOptions> {
  return {
    maxAttempts: options.maxAttempts ?? 3,
    baseDelayMs: options.baseDelayMs ?? 250,
    maxDelayMs: options.maxDelayMs ?? 8_000,
    maxTotalMs: options.maxTotalMs ?? 30_000,
  };
}

/** Exponential backoff with full jitter, never shorter than what the provider asked for. */
export function backoffMs(attempt: number, config: Required<RetryOptions>, retryAfterMs: number | undefined, random = Math.random): number {
  const jitter = random() * Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** attempt);
  return Math.max(jitter, retryAfterMs ?? 0);
}
