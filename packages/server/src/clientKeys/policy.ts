import { ForbiddenError } from '@aiu/core';
import type { Guards } from '../limits/guards';
import { Abort } from '../util/abort';
import type { Reservation } from '../limits/quotas';
import type { Taken, WindowTake } from '../limits/rateLimiter';
import type { ClientKeyRow } from './types';

/**
 * Whether a key's model list lets it call `model` (as the caller named it): listed as is,
 * under a listed `provider:*`, or a route whose every target the list allows.
 */
export function allowsModel(row: ClientKeyRow, model: string, routes: Readonly<Record<string, string[]>>): boolean {
  const patterns = row.models;
  if (patterns === null) return true;
  const direct = (id: string) => patterns.includes(id) || patterns.some((pattern) => pattern.endsWith(':*') && id.startsWith(pattern.slice(0, -1)));
  if (direct(model)) return true;
  const targets = Object.hasOwn(routes, model) ? routes[model] : undefined;
  return targets !== undefined && targets.every(direct);
}

/** Every model the caller named (a fallback list names several) must be on the key's list. */
export function assertModelAllowed(row: ClientKeyRow, models: string | readonly string[], routes: Readonly<Record<string, string[]>>): void {
  for (const model of typeof models === 'string' ? [models] : models) {
    if (allowsModel(row, model, routes)) continue;
    throw new ForbiddenError(`Client key ${row.id} may not use ${model}; it may use ${row.models?.join(', ')}.`, { details: { model, clientKeyId: row.id } });
  }
}

/** With a zero queue timeout the limiter never waits, so nothing ever listens to this. */
const NEVER_ABORTED = new Abort();

/** What a call took from rate windows and budgets before it ran: given back, or charged its real usage, when it ends. */
export interface Hold {
  settle(actual: { tokens: number; costUsd: number | null } | null): Promise<void>;
}

/**
 * A key's rpm/tpm and budget, taken before the call. A key's limits answer 429 at once, with
 * Retry-After: its caller is told to slow down rather than queued behind others.
 */
export async function holdForClientKey(row: ClientKeyRow, guards: Guards, estimate: { tokens: number; costUsd: number | null }): Promise<Hold | null> {
  const takes: WindowTake[] = [];
  if (row.rpm !== null) takes.push({ key: `rate:client:${row.id}:rpm`, limit: row.rpm, weight: 1, tokens: false });
  if (row.tpm !== null) takes.push({ key: `rate:client:${row.id}:tpm`, limit: row.tpm, weight: estimate.tokens, tokens: true });
  const budgeted = row.dailyUsd !== null || row.monthlyUsd !== null;
  if (!takes.length && !budgeted) return null;
  const limiter = guards.rateNow;
  const { taken } = takes.length ? await limiter.acquire(takes, NEVER_ABORTED, `Client key ${row.id}`) : { taken: [] as Taken[] };
  let reservation: Reservation | null = null;
  if (budgeted) {
    try {
      // A key's budget is a spending cap: a call is admitted while anything is left and charged
      // its real cost after, so the call that crosses the cap completes and the next is refused.
      // Reserving the estimate instead (as owner quotas do) would refuse calls that fit, because
      // an estimate counts every token maxTokens allows.
      reservation = await guards.quotas.reserve(`client:${row.id}`, { tokens: estimate.tokens, costUsd: 0 }, {
        limits: {
          ...(row.dailyUsd !== null ? { daily: { costUsd: row.dailyUsd } } : {}),
          ...(row.monthlyUsd !== null ? { monthly: { costUsd: row.monthlyUsd } } : {}),
        },
        whose: `Client key ${row.id}'s`,
      });
    } catch (error) {
      await limiter.release(taken);
      throw error;
    }
  }
  return {
    async settle(actual) {
      await Promise.all([
        actual === null ? limiter.release(taken) : limiter.reconcile(taken, actual.tokens),
        reservation ? guards.quotas.settle(reservation, actual) : undefined,
      ]);
    },
  };
}
