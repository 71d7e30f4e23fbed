import type { LogRecord } from './types';

/** Rollup slots: 15 minutes of UTC, which every real time zone's hour boundaries fall on. */
export const SLOT_MS = 15 * 60_000;

/** Log-spaced histogram bins 2% apart: percentiles read from them are within 2% of exact. */
export const BIN_RATIO = 1.02;
const LOG_RATIO = Math.log(BIN_RATIO);

export function binOf(ms: number): number {
  return ms <= 1 ? 0 : Math.ceil(Math.log(ms) / LOG_RATIO);
}

/** The bin's upper edge: a percentile reported from bins never understates. */
export function binValue(bin: number): number {
  return bin <= 0 ? 1 : BIN_RATIO ** bin;
}

export interface RollupKey {
  slot: number;
  provider: string;
  model: string;
  status: LogRecord['status'];
  /** '' when the call had no user. */
  userId: string;
}

export interface RollupRow extends RollupKey {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Integer nano-dollars, so sums stay exact. */
  costNano: number;
  unpriced: number;
  savedNano: number;
  latencySum: number;
  ttftSum: number;
  ttftCount: number;
}

export interface BinRow extends RollupKey {
  metric: 'latency' | 'ttft';
  bin: number;
  count: number;
}

export function slotOf(time: number): number {
  return Math.floor(time / SLOT_MS) * SLOT_MS;
}

function keyOf(record: LogRecord): RollupKey {
  return { slot: slotOf(record.time), provider: record.provider, model: record.model, status: record.status, userId: record.userId ?? '' };
}

const id = (key: RollupKey) => `${key.slot}\u0000${key.provider}\u0000${key.model}\u0000${key.status}\u0000${key.userId}`;

/** What a batch of log records adds to the rollups, combined per key (one upsert per key). */
export function rollupDeltas(records: ReadonlyArray<LogRecord>): { rows: RollupRow[]; bins: BinRow[] } {
  const rows = new Map<string, RollupRow>();
  const bins = new Map<string, BinRow>();
  const bin = (key: RollupKey, metric: 'latency' | 'ttft', value: number) => {
    const b = binOf(value);
    const binId = `${id(key)}\u0000${metric}\u0000${b}`;
    const found = bins.get(binId);
    if (found) found.count += 1;
    else bins.set(binId, { ...key, metric, bin: b, count: 1 });
  };
  for (const record of records) {
    const key = keyOf(record);
    let row = rows.get(id(key));
    if (!row) {
      row = { ...key, requests: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costNano: 0, unpriced: 0, savedNano: 0, latencySum: 0, ttftSum: 0, ttftCount: 0 };
      rows.set(id(key), row);
    }
    row.requests += 1;
    row.inputTokens += record.inputTokens;
    row.outputTokens += record.outputTokens;
    row.cachedInputTokens += record.cachedInputTokens;
    row.cacheWriteTokens += record.cacheWriteTokens;
    row.reasoningTokens += record.reasoningTokens;
    if (record.costTotal === null) row.unpriced += 1;
    else row.costNano += Math.round(record.costTotal * 1e9);
    row.savedNano += Math.round(record.savedUsd * 1e9);
    row.latencySum += record.latencyMs;
    bin(key, 'latency', record.latencyMs);
    if (record.ttftMs !== null) {
      row.ttftSum += record.ttftMs;
      row.ttftCount += 1;
      bin(key, 'ttft', record.ttftMs);
    }
  }
  return { rows: [...rows.values()], bins: [...bins.values()] };
}

export interface RollupQuery {
  fromSlot: number;
  toSlot: number;
  provider?: string | undefined;
  model?: string | undefined;
  /** Restrict to one user ('' = calls without a user); undefined = everyone. */
  userId?: string | undefined;
}

export function matchesRollup(key: RollupKey, query: RollupQuery): boolean {
  return (
    key.slot >= query.fromSlot &&
    key.slot < query.toSlot &&
    (query.provider === undefined || key.provider === query.provider) &&
    (query.model === undefined || key.model === query.model) &&
    (query.userId === undefined || key.userId === query.userId)
  );
}
