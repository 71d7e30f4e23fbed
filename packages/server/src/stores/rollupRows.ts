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

const GROUP_COLUMN = { model: 'model', provider: 'provider', status: 'status', user: 'user_id' } as const;

/**
 * SQL that sums rollups per bucket and group: the bucket index comes from a CASE over the
 * bucket starts, so a month of 15-minute slots collapses to a few dozen rows.
 * `p(value)` adds a bind parameter and returns its placeholder.
 */
export function bucketedRollupSql(
  table: { rollup: string; histogram: string },
  query: { starts: number[]; groupBy: keyof typeof GROUP_COLUMN | null; provider?: string | undefined; model?: string | undefined; userId?: string | undefined; fromSlot: number; toSlot: number },
  p: (value: unknown) => string,
): { rows: string; bins: string } {
  const bucket = `CASE ${query.starts.slice(1).map((start, i) => `WHEN slot < ${p(start)} THEN ${p(query.starts[i])}`).join(' ')} ELSE ${p(query.starts[query.starts.length - 1] ?? 0)} END`;
  const where = [`slot >= ${p(query.fromSlot)}`, `slot < ${p(query.toSlot)}`];
  if (query.provider !== undefined) where.push(`provider = ${p(query.provider)}`);
  if (query.model !== undefined) where.push(`model = ${p(query.model)}`);
  if (query.userId !== undefined) where.push(`user_id = ${p(query.userId)}`);
  const group = query.groupBy ? GROUP_COLUMN[query.groupBy] : null;
  // Columns the report does not group by are folded into one value; it keeps status for error counts.
  // A model's provider is kept with it (the comparison names both).
  const kept = new Set([group, ...(group === 'model' ? ['provider'] : [])]);
  const keyColumns = ['provider', 'model', 'user_id'].map((c) => (kept.has(c) ? c : `'' AS ${c}`));
  const select = `(${bucket}) AS b, ${keyColumns[0]}, ${keyColumns[1]}, status, ${keyColumns[2]}`;
  const groupBy = ['b', ...[...kept].filter((c): c is string => Boolean(c) && c !== 'status'), 'status'].join(', ');
  const sums = ROLLUP_SUMS.map((c) => `SUM(${c})`).join(', ');
  return {
    rows: `SELECT ${select}, ${sums} FROM ${table.rollup} WHERE ${where.join(' AND ')} GROUP BY ${groupBy}`,
    bins: `SELECT ${select}, metric, bin, SUM(count) FROM ${table.histogram} WHERE ${where.join(' AND ')} GROUP BY ${groupBy}, metric, bin`,
  };
}
