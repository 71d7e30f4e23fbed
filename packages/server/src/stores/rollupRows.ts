import { encodeHistogram, type RollupQuery, type RollupRow, type StoredHistogram } from '../log/rollup';

/** Rollup columns in the order SQL stores read and write them. */
export const ROLLUP_COLUMNS =
  'span, slot, provider, model, status, user_id, client_key_id, project_id, requests, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, ' +
  'reasoning_tokens, cost_nano, unpriced, saved_nano, latency_sum, ttft_sum, ttft_count, cache_write_1h_tokens, audio_input_tokens, ' +
  'audio_output_tokens, image_input_tokens, server_tool_requests, audio_cost_nano, tier_cost_nano, tier_requests, latency_hist, ttft_hist';

const COLUMN_LIST = ROLLUP_COLUMNS.split(', ');

/** How many leading columns are the key. */
const KEY_COLUMNS = 8;

/** The columns an upsert adds to. */
export const ROLLUP_SUMS = COLUMN_LIST.slice(KEY_COLUMNS, -2);

/** The primary key an upsert conflicts on. */
export const ROLLUP_KEY = COLUMN_LIST.slice(0, KEY_COLUMNS).join(', ');

/** The histogram columns an upsert merges. */
export const ROLLUP_HISTOGRAMS = COLUMN_LIST.slice(-2);

export function rollupValues(row: RollupRow): unknown[] {
  return [
    row.span, row.slot, row.provider, row.model, row.status, row.userId, row.clientKeyId, row.projectId, row.requests, row.inputTokens, row.outputTokens, row.cachedInputTokens,
    row.cacheWriteTokens, row.reasoningTokens, row.costNano, row.unpriced, row.savedNano, row.latencySum, row.ttftSum, row.ttftCount,
    row.cacheWrite1hTokens, row.audioInputTokens, row.audioOutputTokens, row.imageInputTokens, row.serverToolRequests, row.audioCostNano,
    row.tierCostNano, row.tierRequests,
    encodeHistogram(row.latencyBins), encodeHistogram(row.ttftBins),
  ];
}

export function fromRollupValues(values: unknown[]): RollupRow {
  const n = (i: number) => Number(values[i]);
  return {
    span: n(0), slot: n(1), provider: String(values[2]), model: String(values[3]), status: values[4] as RollupRow['status'], userId: String(values[5]),
    clientKeyId: String(values[6]), projectId: String(values[7]),
    requests: n(8), inputTokens: n(9), outputTokens: n(10), cachedInputTokens: n(11), cacheWriteTokens: n(12), reasoningTokens: n(13),
    costNano: n(14), unpriced: n(15), savedNano: n(16), latencySum: n(17), ttftSum: n(18), ttftCount: n(19),
    cacheWrite1hTokens: n(20), audioInputTokens: n(21), audioOutputTokens: n(22), imageInputTokens: n(23), serverToolRequests: n(24),
    audioCostNano: n(25), tierCostNano: n(26), tierRequests: n(27),
    // Left as stored (JSON text or parsed jsonb): the report reads the bins where it sums them.
    latencyBins: (values[28] ?? '{}') as StoredHistogram, ttftBins: (values[29] ?? '{}') as StoredHistogram,
  };
}

/**
 * The SELECT for a rollup query. Across users (or client keys) it sums each remaining key in the
 * database and concatenates the histograms' JSON text, which the report reads as their sum: a
 * tenth of the rows cross into JavaScript.
 */
export function rollupSelect(query: RollupQuery, table: string, where: string, histogram: (column: string, grouped: boolean) => string): string {
  // The report never groups by project: across users, projects are summed too (a scoped query filters to one).
  const summed = new Set([...(query.acrossUsers ? ['user_id', 'project_id'] : []), ...(query.acrossClientKeys ? ['client_key_id'] : [])]);
  if (summed.size === 0) return `SELECT ${COLUMN_LIST.map((column) => (ROLLUP_HISTOGRAMS.includes(column) ? histogram(column, false) : column)).join(', ')} FROM ${table} WHERE ${where}`;
  const key = COLUMN_LIST.slice(0, KEY_COLUMNS);
  const kept = key.filter((column) => !summed.has(column));
  const columns = [
    ...key.map((column) => (summed.has(column) ? `'' AS ${column}` : column)),
    ...ROLLUP_SUMS.map((column) => `SUM(${column})`),
    ...ROLLUP_HISTOGRAMS.map((column) => histogram(column, true)),
  ];
  return `SELECT ${columns.join(', ')} FROM ${table} WHERE ${where} GROUP BY ${kept.join(', ')}`;
}

/** WHERE clause for the query's slot ranges and filters; `p(value)` adds a bind parameter and returns its placeholder. */
export function rollupWhere(query: RollupQuery, p: (value: unknown) => string): string {
  if (query.ranges.length === 0) return 'FALSE';
  const ranges = query.ranges.map((r) => `(span = ${p(r.span)} AND slot >= ${p(r.from)} AND slot < ${p(r.to)})`);
  const where = [`(${ranges.join(' OR ')})`];
  if (query.provider !== undefined) where.push(`provider = ${p(query.provider)}`);
  if (query.model !== undefined) where.push(`model = ${p(query.model)}`);
  if (query.userId !== undefined) where.push(`user_id = ${p(query.userId)}`);
  if (query.projectId !== undefined) where.push(`project_id = ${p(query.projectId)}`);
  if (query.clientKeyId !== undefined) where.push(`client_key_id = ${p(query.clientKeyId)}`);
  return where.join(' AND ');
}
