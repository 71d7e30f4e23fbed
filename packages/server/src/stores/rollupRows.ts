import type { BinRow, RollupRow } from '../log/rollup';

/** Rollup columns in the order SQL stores read and write them. */
export const ROLLUP_COLUMNS =
  'slot, provider, model, status, user_id, requests, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, ' +
  'reasoning_tokens, cost_nano, unpriced, saved_nano, latency_sum, ttft_sum, ttft_count';

/** The columns an upsert adds to. */
export const ROLLUP_SUMS = ROLLUP_COLUMNS.split(', ').slice(5);

export function rollupValues(row: RollupRow): unknown[] {
  return [
    row.slot, row.provider, row.model, row.status, row.userId, row.requests, row.inputTokens, row.outputTokens, row.cachedInputTokens,
    row.cacheWriteTokens, row.reasoningTokens, row.costNano, row.unpriced, row.savedNano, row.latencySum, row.ttftSum, row.ttftCount,
  ];
}

export function fromRollupValues(values: unknown[]): RollupRow {
  const n = (i: number) => Number(values[i]);
  return {
    slot: n(0), provider: String(values[1]), model: String(values[2]), status: values[3] as RollupRow['status'], userId: String(values[4]),
    requests: n(5), inputTokens: n(6), outputTokens: n(7), cachedInputTokens: n(8), cacheWriteTokens: n(9), reasoningTokens: n(10),
    costNano: n(11), unpriced: n(12), savedNano: n(13), latencySum: n(14), ttftSum: n(15), ttftCount: n(16),
  };
}

export function fromBinValues(values: unknown[]): BinRow {
  return {
    slot: Number(values[0]), provider: String(values[1]), model: String(values[2]), status: values[3] as BinRow['status'], userId: String(values[4]),
    metric: values[5] as BinRow['metric'], bin: Number(values[6]), count: Number(values[7]),
  };
}
