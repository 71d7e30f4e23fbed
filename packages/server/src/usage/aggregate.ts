import type { Granularity, GroupBy, ModelComparison, UsageReport, UsageStats } from '@aiu/core';
import { type BinRow, binValue, type RollupKey, type RollupRow } from '../log/rollup';
import { bucketIndex, isoInZone } from './buckets';

class Accumulator {
  requests = 0;
  errors = 0;
  inputTokens = 0;
  outputTokens = 0;
  cachedInputTokens = 0;
  cacheWriteTokens = 0;
  reasoningTokens = 0;
  costNano = 0;
  unpriced = 0;
  savedNano = 0;
  latencySum = 0;
  ttftSum = 0;
  ttftCount = 0;
  readonly latency = new Map<number, number>();
  readonly ttft = new Map<number, number>();

  add(row: RollupRow): void {
    this.requests += row.requests;
    if (row.status === 'error') this.errors += row.requests;
    this.inputTokens += row.inputTokens;
    this.outputTokens += row.outputTokens;
    this.cachedInputTokens += row.cachedInputTokens;
    this.cacheWriteTokens += row.cacheWriteTokens;
    this.reasoningTokens += row.reasoningTokens;
    this.costNano += row.costNano;
    this.unpriced += row.unpriced;
    this.savedNano += row.savedNano;
    this.latencySum += row.latencySum;
    this.ttftSum += row.ttftSum;
    this.ttftCount += row.ttftCount;
  }

  addBin(row: BinRow): void {
    const map = row.metric === 'latency' ? this.latency : this.ttft;
    map.set(row.bin, (map.get(row.bin) ?? 0) + row.count);
  }

  stats(): UsageStats {
    return {
      requests: this.requests,
      errors: this.errors,
      errorRate: this.requests ? this.errors / this.requests : 0,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      cachedInputTokens: this.cachedInputTokens,
      cacheWriteTokens: this.cacheWriteTokens,
      reasoningTokens: this.reasoningTokens,
      totalTokens: this.inputTokens + this.outputTokens,
      cost: this.costNano / 1e9,
      unpricedRequests: this.unpriced,
      cachedShare: this.inputTokens ? this.cachedInputTokens / this.inputTokens : 0,
      savedByCache: this.savedNano / 1e9,
      latencyMeanMs: this.requests ? round(this.latencySum / this.requests) : null,
      latencyP50Ms: percentile(this.latency, 0.5),
      latencyP95Ms: percentile(this.latency, 0.95),
      ttftP50Ms: percentile(this.ttft, 0.5),
    };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Nearest-rank percentile from histogram bins (upper edges, so within 2% above exact). */
function percentile(bins: Map<number, number>, p: number): number | null {
  let total = 0;
  for (const count of bins.values()) total += count;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const bin of [...bins.keys()].sort((a, b) => a - b)) {
    seen += bins.get(bin) as number;
    if (seen >= rank) return round(binValue(bin));
  }
  return null;
}

export function groupKey(key: RollupKey, groupBy: GroupBy | null): string {
  switch (groupBy) {
    case 'model':
      return key.model;
    case 'provider':
      return key.provider;
    case 'status':
      return key.status;
    case 'user':
      return key.userId || 'anonymous';
    default:
      return 'all';
  }
}

export interface ReportShape {
  starts: number[];
  end: number;
  granularity: Granularity;
  groupBy: GroupBy | null;
  tz: string;
}

/** Buckets (gap-filled), per-group stats and totals from rollup rows. */
export function buildReport(rows: RollupRow[], bins: BinRow[], shape: ReportShape): UsageReport {
  const { starts, end, granularity, groupBy, tz } = shape;
  const perBucket = starts.map(() => new Map<string, Accumulator>());
  const perGroup = new Map<string, Accumulator>();
  const totals = new Accumulator();
  const at = (map: Map<string, Accumulator>, key: string) => {
    let found = map.get(key);
    if (!found) map.set(key, (found = new Accumulator()));
    return found;
  };
  for (const row of rows) {
    const index = bucketIndex(starts, end, row.slot);
    if (index < 0) continue;
    const key = groupKey(row, groupBy);
    at(perBucket[index] as Map<string, Accumulator>, key).add(row);
    at(perGroup, key).add(row);
    totals.add(row);
  }
  for (const row of bins) {
    const index = bucketIndex(starts, end, row.slot);
    if (index < 0) continue;
    const key = groupKey(row, groupBy);
    at(perBucket[index] as Map<string, Accumulator>, key).addBin(row);
    at(perGroup, key).addBin(row);
    totals.addBin(row);
  }
  const toStats = (map: Map<string, Accumulator>) => Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)).map(([key, acc]) => [key, acc.stats()]));
  return {
    from: isoInZone(starts[0] ?? end, tz),
    to: isoInZone(end, tz),
    granularity,
    groupBy,
    tz,
    buckets: starts.map((start, i) => ({
      start: isoInZone(start, tz),
      end: isoInZone(starts[i + 1] ?? end, tz),
      groups: toStats(perBucket[i] as Map<string, Accumulator>),
    })),
    groups: toStats(perGroup),
    totals: totals.stats(),
  };
}

/** The side-by-side model comparison: one row per model over the range. */
export function buildComparison(rows: RollupRow[], bins: BinRow[]): ModelComparison {
  const perModel = new Map<string, { provider: string; acc: Accumulator }>();
  const at = (key: RollupKey) => {
    let found = perModel.get(key.model);
    if (!found) perModel.set(key.model, (found = { provider: key.provider, acc: new Accumulator() }));
    return found.acc;
  };
  for (const row of rows) at(row).add(row);
  for (const row of bins) at(row).addBin(row);
  return {
    models: [...perModel]
      .map(([model, { provider, acc }]) => {
        const stats = acc.stats();
        const priced = stats.requests - stats.unpricedRequests;
        return {
          model,
          provider,
          requests: stats.requests,
          meanCost: priced > 0 ? stats.cost / priced : null,
          latencyP50Ms: stats.latencyP50Ms,
          latencyP95Ms: stats.latencyP95Ms,
          ttftP50Ms: stats.ttftP50Ms,
          errorRate: stats.errorRate,
        };
      })
      .sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model)),
  };
}
