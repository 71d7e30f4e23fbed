import { decodeHistogram, ROLLUP_SPANS, type RollupQuery, type RollupRow } from '../src/log/rollup';

/** Every stored rollup row, at every span. */
export const EVERY_SLOT: RollupQuery = { ranges: ROLLUP_SPANS.map((span) => ({ span, from: 0, to: Number.MAX_SAFE_INTEGER })) };

/** Rollups in a stable order, float sums rounded and histograms as sorted [bin, count] lists (stored JSON keeps no order). */
export function comparableRollups(rows: RollupRow[]) {
  const key = (r: RollupRow) => `${r.span}|${r.slot}|${r.provider}|${r.model}|${r.status}|${r.userId}`;
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
