export interface WindowResult {
  allowed: boolean;
  limit: number;
  /** What is left in the window after this take (or now, when refused). */
  remaining: number;
  /** Until the oldest entry leaves the window. */
  resetMs: number;
  /** When refused: how long until this weight would fit. */
  retryAfterMs: number;
  /** When allowed: the entry, to reconcile its weight later. */
  entryId: string | null;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface BreakerSnapshot {
  state: CircuitState;
  consecutiveFailures: number;
  openedAt: number | null;
  /** Outcomes in the current rate window. */
  windowStart: number;
  successes: number;
  failures: number;
  /** When the half-open probe started, while one is out. */
  probeStartedAt: number | null;
}

export const CLOSED: BreakerSnapshot = Object.freeze({
  state: 'closed',
  consecutiveFailures: 0,
  openedAt: null,
  windowStart: 0,
  successes: 0,
  failures: 0,
  probeStartedAt: null,
});

/**
 * Where limits, quotas and breaker state live: in this process, or in Redis so that
 * many handler processes behave as one. Every operation is atomic in the backend.
 */
export interface StateBackend {
  readonly kind: string;
  /** Sliding window: records `weight` at `now` if the window's sum stays within `limit`. */
  windowTake(key: string, limit: number, windowMs: number, weight: number, now: number): Promise<WindowResult>;
  /** Changes a recorded entry's weight (token estimates reconciled with real usage; 0 releases it). */
  windowAdjust(key: string, entryId: string, weight: number): Promise<void>;
  /** Adds `amount` if the counter stays within `limit`; either way returns the counter. */
  counterReserve(key: string, limit: number, amount: number, ttlMs: number): Promise<{ allowed: boolean; used: number }>;
  counterAdd(key: string, amount: number, ttlMs: number): Promise<number>;
  counterGet(key: string): Promise<number>;
  /** Read-modify-write of one breaker, atomically. An update that returns the snapshot it was given changed nothing: backends may skip the write. */
  breakerUpdate<T>(key: string, update: (current: BreakerSnapshot) => { next: BreakerSnapshot; result: T }): Promise<T>;
  breakerAll(): Promise<Record<string, BreakerSnapshot>>;
  close?(): Promise<void>;
}

interface Entry {
  t: number;
  w: number;
  id: string;
}

let nextId = 0;

/** Shared by both backends: how long until `weight` fits, given the window's entries (oldest first). */
export function waitForCapacity(entries: ReadonlyArray<{ t: number; w: number }>, sum: number, limit: number, weight: number, windowMs: number, now: number): number {
  let left = sum;
  for (const entry of entries) {
    left -= entry.w;
    if (left + weight <= limit) return Math.max(0, entry.t + windowMs - now);
  }
  return windowMs;
}

/** State in this process only. */
export function memoryState(): StateBackend {
  const windows = new Map<string, Entry[]>();
  const counters = new Map<string, { value: number; expiresAt: number }>();
  const breakers = new Map<string, BreakerSnapshot>();

  const counter = (key: string) => {
    const found = counters.get(key);
    if (found && found.expiresAt > Date.now()) return found;
    const fresh = { value: 0, expiresAt: 0 };
    counters.set(key, fresh);
    return fresh;
  };

  return {
    kind: 'memory',
    async windowTake(key, limit, windowMs, weight, now) {
      const entries = (windows.get(key) ?? []).filter((entry) => entry.t > now - windowMs);
      windows.set(key, entries);
      const sum = entries.reduce((total, entry) => total + entry.w, 0);
      const resetMs = entries[0] ? entries[0].t + windowMs - now : 0;
      // An empty window admits even an oversized request, so it can never block forever.
      if (sum + weight <= limit || sum === 0) {
        const id = `m${++nextId}`;
        entries.push({ t: now, w: weight, id });
        return { allowed: true, limit, remaining: Math.max(0, limit - sum - weight), resetMs: resetMs || windowMs, retryAfterMs: 0, entryId: id };
      }
      return { allowed: false, limit, remaining: Math.max(0, limit - sum), resetMs, retryAfterMs: waitForCapacity(entries, sum, limit, weight, windowMs, now), entryId: null };
    },
    async windowAdjust(key, entryId, weight) {
      const entry = windows.get(key)?.find((e) => e.id === entryId);
      if (entry) entry.w = weight;
    },
    async counterReserve(key, limit, amount, ttlMs) {
      const found = counter(key);
      if (found.value + amount > limit) return { allowed: false, used: found.value };
      found.value += amount;
      if (!found.expiresAt) found.expiresAt = Date.now() + ttlMs;
      return { allowed: true, used: found.value };
    },
    async counterAdd(key, amount, ttlMs) {
      const found = counter(key);
      found.value += amount;
      if (!found.expiresAt) found.expiresAt = Date.now() + ttlMs;
      return found.value;
    },
    async counterGet(key) {
      return counter(key).value;
    },
    async breakerUpdate(key, update) {
      const { next, result } = update(breakers.get(key) ?? CLOSED);
      breakers.set(key, next);
      return result;
    },
    async breakerAll() {
      return Object.fromEntries(breakers);
    },
  };
}
