import { isSpecialServiceTier } from '@aiu/core';
import type { LogRecord } from './types';

/** The finest rollup slot: 15 minutes of UTC, which every real time zone's hour boundaries fall on. */
export const SLOT_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Every record is rolled up at three spans, coarsest first. A query reads each stretch of its
 * range at the coarsest span that no bucket boundary cuts: a month of UTC days is 30 day rows
 * per key, New York days are read from hour rows, Kathmandu's (+05:45) from hours plus a few
 * quarter hours around each midnight.
 */
export const ROLLUP_SPANS = [DAY_MS, HOUR_MS, SLOT_MS] as const;

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
  /** One of ROLLUP_SPANS. */
  span: number;
  /** Start of the slot: a multiple of `span` in UTC milliseconds. */
  slot: number;
  provider: string;
  model: string;
  status: LogRecord['status'];
  /** '' when the call had no user. */
  userId: string;
  /** '' when the call came without a client key. */
  clientKeyId: string;
  /** '' when the call had no project. */
  projectId: string;
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
  cacheWrite1hTokens: number;
  audioInputTokens: number;
  audioOutputTokens: number;
  imageInputTokens: number;
  /** Requests to provider-run tools, every kind together. */
  serverToolRequests: number;
  /** Nano-dollars of `costNano` billed for audio tokens. */
  audioCostNano: number;
  /** Nano-dollars of `costNano` from calls served at a tier other than the standard one, and how many. */
  tierCostNano: number;
  tierRequests: number;
  /** Latency histogram: bin → count. */
  latencyBins: StoredHistogram;
  /** Time-to-first-token histogram: bin → count. */
  ttftBins: StoredHistogram;
}

/** Bin → count. Kept inline with its rollup row: one row per slot and key, however spread the values. */
export type Histogram = Map<number, number>;

/**
 * A histogram as a store hands it back: SQLite's JSON text and PostgreSQL's parsed jsonb are
 * read where they are summed, so a month of rows never becomes a month of Maps. Text may be
 * several encoded histograms back to back (`{…}{…}`, rows a store concatenated): their sum.
 */
export type StoredHistogram = Histogram | string | Readonly<Record<string, number>>;

/** Calls `visit` for every bin of a histogram in any of its forms. */
export function forEachBin(histogram: StoredHistogram, visit: (bin: number, count: number) => void): void {
  if (typeof histogram === 'string') forEachEncodedBin(histogram, visit);
  else if (histogram instanceof Map) for (const [bin, count] of histogram) visit(bin, count);
  else for (const bin in histogram) visit(Number(bin), Number(histogram[bin]));
}

/** Scans `{"bin":count,…}` without building an object (bins and counts are non-negative integers). */
function forEachEncodedBin(text: string, visit: (bin: number, count: number) => void): void {
  const length = text.length;
  let i = 0;
  while (i < length) {
    if (text.charCodeAt(i++) !== 34 /* " */) continue;
    let bin = 0;
    for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) bin = bin * 10 + c - 48;
    i++; // closing quote
    let c = text.charCodeAt(i);
    while (i < length && (c < 48 || c > 57)) c = text.charCodeAt(++i);
    let count = 0;
    for (; c >= 48 && c <= 57; c = text.charCodeAt(++i)) count = count * 10 + c - 48;
    visit(bin, count);
  }
}

/** `{"bin":count,…}`: JSON that SQLite's json functions and PostgreSQL's jsonb both read. */
export function encodeHistogram(histogram: StoredHistogram): string {
  if (typeof histogram === 'string') return histogram;
  let text = '';
  forEachBin(histogram, (bin, count) => (text += `${text ? ',' : ''}"${bin}":${count}`));
  return `{${text}}`;
}

export function decodeHistogram(stored: StoredHistogram): Histogram {
  const histogram: Histogram = new Map();
  forEachBin(stored, (bin, count) => histogram.set(bin, (histogram.get(bin) ?? 0) + count));
  return histogram;
}

/** Merges two stored histograms (SQLite's upsert calls this as a SQL function). */
export function mergeEncodedHistograms(a: unknown, b: unknown): string {
  const merged = decodeHistogram(String(a ?? '{}'));
  forEachBin(String(b ?? '{}'), (bin, count) => merged.set(bin, (merged.get(bin) ?? 0) + count));
  return encodeHistogram(merged);
}

export function slotOf(time: number, span: number = SLOT_MS): number {
  return Math.floor(time / span) * span;
}

/**
 * What a batch of log records adds to the rollups at every span, combined per key (one upsert
 * per key), coarsest span first. One pass: a record's histogram bins and its group (provider,
 * model, status, user) are worked out once for all three spans, and a batch mostly falls in one
 * slot per span, so each span keeps its last slot's rows at hand.
 */
export function rollupDeltas(records: ReadonlyArray<LogRecord>): RollupRow[] {
  const spans = ROLLUP_SPANS.map((span) => ({ span, slots: new Map<number, Map<string, RollupRow>>(), slot: NaN, rows: new Map<string, RollupRow>() }));
  for (const record of records) {
    const userId = record.userId ?? '';
    const clientKeyId = record.clientKeyId ?? '';
    const projectId = record.projectId ?? '';
    const group = `${record.provider}\u0000${record.model}\u0000${record.status}\u0000${userId}\u0000${clientKeyId}\u0000${projectId}`;
    const latencyBin = binOf(record.latencyMs);
    const ttftBin = record.ttftMs === null ? -1 : binOf(record.ttftMs);
    const costNano = record.costTotal === null ? 0 : Math.round(record.costTotal * 1e9);
    const savedNano = Math.round(record.savedUsd * 1e9);
    const audioCostNano = record.costAudio ? Math.round(record.costAudio * 1e9) : 0;
    const tiered = isSpecialServiceTier(record.serviceTier);
    const serverTools = record.serverToolRequests ? countRequests(record.serverToolRequests) : 0;
    for (const at of spans) {
      const slot = slotOf(record.time, at.span);
      if (slot !== at.slot) {
        at.slot = slot;
        let rows = at.slots.get(slot);
        if (!rows) at.slots.set(slot, (rows = new Map()));
        at.rows = rows;
      }
      let row = at.rows.get(group);
      if (!row) {
        row = {
          span: at.span, slot, provider: record.provider, model: record.model, status: record.status, userId, clientKeyId, projectId,
          requests: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0,
          costNano: 0, unpriced: 0, savedNano: 0, latencySum: 0, ttftSum: 0, ttftCount: 0, cacheWrite1hTokens: 0, audioInputTokens: 0,
          audioOutputTokens: 0, imageInputTokens: 0, serverToolRequests: 0, audioCostNano: 0, tierCostNano: 0, tierRequests: 0,
          latencyBins: new Map(), ttftBins: new Map(),
        };
        at.rows.set(group, row);
      }
      row.requests += 1;
      row.inputTokens += record.inputTokens;
      row.outputTokens += record.outputTokens;
      row.cachedInputTokens += record.cachedInputTokens;
      row.cacheWriteTokens += record.cacheWriteTokens;
      row.reasoningTokens += record.reasoningTokens;
      if (record.costTotal === null) row.unpriced += 1;
      else row.costNano += costNano;
      row.savedNano += savedNano;
      row.cacheWrite1hTokens += record.cacheWrite1hTokens ?? 0;
      row.audioInputTokens += record.audioInputTokens ?? 0;
      row.audioOutputTokens += record.audioOutputTokens ?? 0;
      row.imageInputTokens += record.imageInputTokens ?? 0;
      row.serverToolRequests += serverTools;
      row.audioCostNano += audioCostNano;
      if (tiered) {
        row.tierRequests += 1;
        row.tierCostNano += costNano;
      }
      row.latencySum += record.latencyMs;
      count(row.latencyBins as Histogram, latencyBin);
      if (record.ttftMs !== null) {
        row.ttftSum += record.ttftMs;
        row.ttftCount += 1;
        count(row.ttftBins as Histogram, ttftBin);
      }
    }
  }
  return spans.flatMap((at) => [...at.slots.values()].flatMap((rows) => [...rows.values()]));
}

/** Every kind's requests in a stored `{ webSearch?, webFetch?, codeExecution? }`. */
function countRequests(json: string): number {
  try {
    const value: unknown = JSON.parse(json);
    if (!value || typeof value !== 'object') return 0;
    let total = 0;
    for (const requests of Object.values(value)) if (typeof requests === 'number' && requests > 0) total += requests;
    return total;
  } catch {
    return 0;
  }
}

function count(histogram: Histogram, bin: number): void {
  histogram.set(bin, (histogram.get(bin) ?? 0) + 1);
}

/** Slots `from <= slot < to` at one span. */
export interface SlotRange {
  span: number;
  from: number;
  to: number;
}

export interface RollupQuery {
  ranges: ReadonlyArray<SlotRange>;
  provider?: string | undefined;
  model?: string | undefined;
  /** Restrict to one user ('' = calls without a user); undefined = everyone. */
  userId?: string | undefined;
  /**
   * The report does not tell users apart: a store may sum its rows over users (returning them
   * with userId '') and hand back a tenth of the rows. Stores that ignore it stay correct.
   */
  acrossUsers?: boolean | undefined;
  /** Restrict to one project ('' = calls without one): with `userId`, the tenant. */
  projectId?: string | undefined;
  /** Restrict to one client key ('' = calls without one). */
  clientKeyId?: string | undefined;
  /** As `acrossUsers`, for client keys. */
  acrossClientKeys?: boolean | undefined;
}

export function matchesRollup(key: RollupKey, query: RollupQuery): boolean {
  return (
    query.ranges.some((range) => key.span === range.span && key.slot >= range.from && key.slot < range.to) &&
    (query.provider === undefined || key.provider === query.provider) &&
    (query.model === undefined || key.model === query.model) &&
    (query.userId === undefined || key.userId === query.userId) &&
    (query.projectId === undefined || key.projectId === query.projectId) &&
    (query.clientKeyId === undefined || key.clientKeyId === query.clientKeyId)
  );
}

/**
 * Covers [from, to) with the fewest rollup rows: at each point the coarsest span that starts
 * there, ends inside the range and is not cut by a bucket boundary, so every row read falls
 * wholly inside one bucket. Consecutive slots of one span become one range.
 */
export function planRanges(from: number, to: number, boundaries: ReadonlyArray<number>): SlotRange[] {
  const cuts = [...boundaries].sort((a, b) => a - b);
  const ranges: SlotRange[] = [];
  let next = 0;
  for (let t = slotOf(from); t < to; ) {
    while (next < cuts.length && (cuts[next] as number) <= t) next++;
    const cut = cuts[next] ?? Infinity;
    const span = ROLLUP_SPANS.find((s) => t % s === 0 && t + s <= to && t + s <= cut) ?? SLOT_MS;
    const last = ranges[ranges.length - 1];
    if (last && last.span === span && last.to === t) last.to = t + span;
    else ranges.push({ span, from: t, to: t + span });
    t += span;
  }
  return ranges;
}
