import { RateLimitedError } from '@aiu/core';
import { type Abort, sleep } from '../util/abort';
import type { StateBackend, WindowResult } from './state';

export interface LimitOptions {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens per minute: estimated before the call, reconciled with real usage after. */
  tpm?: number;
  /** Calls in flight at once (per process). */
  maxConcurrency?: number;
}

export interface LimitsOption {
  /** Applied to every provider. */
  perProvider?: LimitOptions;
  /** Per-provider overrides, by provider id. */
  providers?: Record<string, LimitOptions>;
  /** Applied to each API key (a stored key per owner, or the shared configured key). */
  perKey?: Pick<LimitOptions, 'rpm' | 'tpm'>;
  /** How long a call may wait for capacity before `rate_limited`. Default 10 s. */
  queueTimeoutMs?: number;
}

export interface WindowTake {
  key: string;
  limit: number;
  weight: number;
  /** Token windows are reconciled with real usage after the call. */
  tokens: boolean;
}

export interface Taken {
  key: string;
  entryId: string;
  tokens: boolean;
}

const MINUTE = 60_000;

/**
 * Sliding-window rpm/tpm limits. Takes every window or none; when one is full, waits
 * (up to the queue timeout) exactly as long as the window needs, then answers
 * `rate_limited` with Retry-After and the X-RateLimit-* figures.
 */
export class RateLimiter {
  constructor(
    private readonly state: StateBackend,
    private readonly queueTimeoutMs: number,
  ) {}

  async acquire(takes: WindowTake[], abort: Abort, label: string): Promise<{ taken: Taken[]; waitedMs: number }> {
    const started = Date.now();
    for (;;) {
      const taken: Taken[] = [];
      let refused: (WindowResult & { take: WindowTake }) | undefined;
      for (const take of takes) {
        const result = await this.state.windowTake(take.key, take.limit, MINUTE, take.weight, Date.now());
        if (!result.allowed || !result.entryId) {
          refused = { ...result, take };
          break;
        }
        taken.push({ key: take.key, entryId: result.entryId, tokens: take.tokens });
      }
      if (!refused) return { taken, waitedMs: Date.now() - started };
      await this.release(taken);
      const waited = Date.now() - started;
      if (waited + refused.retryAfterMs > this.queueTimeoutMs) {
        throw new RateLimitedError(
          `${label}: ${refused.take.tokens ? 'tokens' : 'requests'} per minute limit of ${refused.limit} reached.`,
          { retryAfterMs: refused.retryAfterMs, rateLimit: { limit: refused.limit, remaining: refused.remaining, resetMs: refused.resetMs } },
        );
      }
      await sleep(Math.max(5, refused.retryAfterMs), abort);
    }
  }

  /** Puts real token counts in place of the estimates. */
  async reconcile(taken: Taken[], tokens: number): Promise<void> {
    await Promise.all(taken.filter((t) => t.tokens).map((t) => this.state.windowAdjust(t.key, t.entryId, tokens)));
  }

  release(taken: Taken[]): Promise<unknown> {
    return Promise.all(taken.map((t) => this.state.windowAdjust(t.key, t.entryId, 0)));
  }
}
