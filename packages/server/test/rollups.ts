import { decodeHistogram, ROLLUP_SPANS, type RollupQuery, type RollupRow } from '../src/log/rollup';

/** Every stored rollup row, at every span. */
export const EVERY_SLOT: RollupQuery = { ranges: ROLLUP_SPANS.map((span) => ({ span, from: 0, to: Number.MAX_SAFE_INTEGER })) };

/** Rollups in a stable order, float sums rounded and histograms as sorted [bin, count] lists (stored JSON keeps no order). */
export function comparableRollups(rows: RollupRow[]) {
  const key = (r: RollupRow) => `${r.span}|${r.slot}|${r.provider}|${r.model}|${r.status}|${r.userId}|${r.clientKeyId}|${r.projectId}`;
  return [...rows]
    .sort((a, b) => key(a).localeCompare(key(b)))
    .map((r) => ({
      ...r,
      latencySum: Math.round(r.latencySum),
      ttftSum: Math.round(r.ttftSum),
      latencyBins: [...decodeHistogram(r.latencyBins)].sort(([a], [b]) => a - b),
      ttftBins: [...decodeHistogram(r.ttftBins)].sort(([a], [b]) => a - b),
    }));
}

/** The rows a store may return across users (and so across projects): summed per (span, slot, provider, model, status, client key). */
export function summedOverUsers(rows: RollupRow[]): RollupRow[] {
  const sums = new Map<string, RollupRow>();
  for (const row of rows) {
    const key = `${row.span}|${row.slot}|${row.provider}|${row.model}|${row.status}|${row.clientKeyId}`;
    const sum = sums.get(key);
    if (!sum) {
      sums.set(key, { ...row, userId: '', projectId: '', latencyBins: decodeHistogram(row.latencyBins), ttftBins: decodeHistogram(row.ttftBins) });
      continue;
    }
    for (const field of ['requests', 'inputTokens', 'outputTokens', 'cachedInputTokens', 'cacheWriteTokens', 'reasoningTokens', 'costNano', 'unpriced', 'savedNano', 'latencySum', 'ttftSum', 'ttftCount', 'cacheWrite1hTokens', 'audioInputTokens', 'audioOutputTokens', 'imageInputTokens', 'serverToolRequests', 'audioCostNano', 'tierCostNano', 'tierRequests'] as const) sum[field] += row[field];
    for (const [into, from] of [[sum.latencyBins, row.latencyBins], [sum.ttftBins, row.ttftBins]] as const) {
      for (const [bin, count] of decodeHistogram(from)) (into as Map<number, number>).set(bin, ((into as Map<number, number>).get(bin) ?? 0) + count);
    }
  }
  return [...sums.values()];
}
