import { QuotaExceededError } from '@aiu/core';
import type { StateBackend } from './state';

export interface QuotaLimit {
  costUsd?: number;
  tokens?: number;
}

export interface QuotasOption {
  /** Per owner, per UTC day. */
  daily?: QuotaLimit;
  /** Per owner, per UTC month. */
  monthly?: QuotaLimit;
}

export interface Reservation {
  owner: string;
  parts: Array<{ key: string; unit: 'tokens' | 'cost'; amount: number; ttlMs: number }>;
}

export interface QuotaStatus {
  period: 'daily' | 'monthly';
  limitTokens: number | null;
  usedTokens: number;
  limitCostUsd: number | null;
  usedCostUsd: number;
  resetAt: string;
}

const NANO = 1e9;

function periodOf(period: 'daily' | 'monthly', now: Date): { id: string; resetAt: Date } {
  if (period === 'daily') {
    const resetAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
    return { id: `d:${now.toISOString().slice(0, 10)}`, resetAt };
  }
  const resetAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { id: `m:${now.toISOString().slice(0, 7)}`, resetAt };
}

/**
 * Budgets per owner: a call reserves its estimate before it runs (refused when the
 * budget could not cover it) and is charged its real usage after. Counters are integer
 * tokens and integer nano-dollars, so no float drift accumulates.
 */
export class Quotas {
  constructor(
    private readonly state: StateBackend,
    private readonly option: QuotasOption,
  ) {}

  get enabled(): boolean {
    return Boolean(this.option.daily || this.option.monthly);
  }

  /**
   * `limits` in place of the configured budgets (a client key's own), and `whose` to name them
   * in the refusal ("This client key's").
   */
  async reserve(
    owner: string,
    estimate: { tokens: number; costUsd: number | null },
    { now = new Date(), limits = this.option, whose = 'The' }: { now?: Date; limits?: QuotasOption; whose?: string } = {},
  ): Promise<Reservation> {
    const reservation: Reservation = { owner, parts: [] };
    for (const period of ['daily', 'monthly'] as const) {
      const limit = limits[period];
      if (!limit) continue;
      const { id, resetAt } = periodOf(period, now);
      const ttlMs = resetAt.getTime() - now.getTime() + 86_400_000;
      const checks: Array<[unit: 'tokens' | 'cost', limitValue: number | undefined, amount: number]> = [
        ['tokens', limit.tokens, estimate.tokens],
        // At least a nano-dollar: a call whose cost cannot be estimated is still refused once the budget is spent.
        ['cost', limit.costUsd === undefined ? undefined : Math.round(limit.costUsd * NANO), Math.max(1, Math.round((estimate.costUsd ?? 0) * NANO))],
      ];
      for (const [unit, limitValue, amount] of checks) {
        if (limitValue === undefined) continue;
        const key = `quota:${owner}:${id}:${unit}`;
        const { allowed } = await this.state.counterReserve(key, limitValue, amount, ttlMs);
        if (!allowed) {
          await this.settle(reservation, null);
          const what = unit === 'cost' ? `$${limit.costUsd} ${period} budget` : `${limit.tokens} ${period} tokens`;
          throw new QuotaExceededError(`${whose} ${what} is used up; it resets at ${resetAt.toISOString()}.`, {
            retryAfterMs: resetAt.getTime() - now.getTime(),
            details: { period, unit, resetAt: resetAt.toISOString() },
          });
        }
        reservation.parts.push({ key, unit, amount, ttlMs });
      }
    }
    return reservation;
  }

  /** Charges the real usage in place of the estimate (or refunds it all when `actual` is null). */
  async settle(reservation: Reservation, actual: { tokens: number; costUsd: number | null } | null): Promise<void> {
    await Promise.all(
      reservation.parts.map((part) => {
        const real = actual === null ? 0 : part.unit === 'tokens' ? actual.tokens : Math.round((actual.costUsd ?? 0) * NANO);
        return real === part.amount ? Promise.resolve() : this.state.counterAdd(part.key, real - part.amount, part.ttlMs);
      }),
    );
  }

  async status(owner: string, now = new Date()): Promise<QuotaStatus[]> {
    const statuses: QuotaStatus[] = [];
    for (const period of ['daily', 'monthly'] as const) {
      const limit = this.option[period];
      if (!limit) continue;
      const { id, resetAt } = periodOf(period, now);
      statuses.push({
        period,
        limitTokens: limit.tokens ?? null,
        usedTokens: await this.state.counterGet(`quota:${owner}:${id}:tokens`),
        limitCostUsd: limit.costUsd ?? null,
        usedCostUsd: (await this.state.counterGet(`quota:${owner}:${id}:cost`)) / NANO,
        resetAt: resetAt.toISOString(),
      });
    }
    return statuses;
  }
}
