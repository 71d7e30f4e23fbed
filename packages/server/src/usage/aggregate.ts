import type { Granularity, GroupBy, ModelComparison, UsageReport, UsageStats } from '@aiu/core';
import { binValue, forEachBin, type RollupKey, type RollupRow } from '../log/rollup';
import { bucketIndex, isoInZone } from './buckets';

/** Fields a rollup row and an accumulator both carry, summed as they are. */
const SUMMED = [
  'requests', 'inputTokens', 'outputTokens', 'cachedInputTokens', 'cacheWriteTokens', 'reasoningTokens',
  'costNano', 'unpriced', 'savedNano', 'latencySum', 'ttftSum', 'ttftCount', 'cacheWrite1hTokens', 'audioInputTokens',
  'audioOutputTokens', 'imageInputTokens', 'serverToolRequests', 'audioCostNano', 'tierCostNano', 'tierRequests',
] as const;

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
  cacheWrite1hTokens = 0;
  audioInputTokens = 0;
  audioOutputTokens = 0;
  imageInputTokens = 0;
  serverToolRequests = 0;
  audioCostNano = 0;
  tierCostNano = 0;
  tierRequests = 0;
  readonly latency = new DenseBins();
  readonly ttft = new DenseBins();

  add(row: RollupRow): void {
    for (const field of SUMMED) this[field] += row[field];
    if (row.status === 'error') this.errors += row.requests;
    forEachBin(row.latencyBins, this.latency.add);
    forEachBin(row.ttftBins, this.ttft.add);
  }

  merge(other: Accumulator): void {
    for (const field of SUMMED) this[field] += other[field];
    this.errors += other.errors;
    this.latency.merge(other.latency);
    this.ttft.merge(other.ttft);
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
      cacheWrite1hTokens: this.cacheWrite1hTokens,
      audioInputTokens: this.audioInputTokens,
      audioOutputTokens: this.audioOutputTokens,
      imageInputTokens: this.imageInputTokens,
      serverToolRequests: this.serverToolRequests,
      audioCost: this.audioCostNano / 1e9,
      tierCost: this.tierCostNano / 1e9,
      tierRequests: this.tierRequests,
      latencyMeanMs: this.requests ? round(this.latencySum / this.requests) : null,
      latencyP50Ms: this.latency.percentile(0.5),
      latencyP95Ms: this.latency.percentile(0.95),
      ttftP50Ms: this.ttft.percentile(0.5),
    };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Counts indexed by bin: summing thousands of rows' histograms is an array add per bin. */
class DenseBins {
  private counts = new Float64Array(0);
  /** One past the highest bin seen. */
  private size = 0;
  private total = 0;

  readonly add = (bin: number, count: number): void => {
    if (bin >= this.size) this.reach(bin + 1);
    this.counts[bin] = (this.counts[bin] as number) + count;
    this.total += count;
  };

  merge(other: DenseBins): void {
    if (other.size > this.size) this.reach(other.size);
    for (let bin = 0; bin < other.size; bin++) this.counts[bin] = (this.counts[bin] as number) + (other.counts[bin] as number);
    this.total += other.total;
  }

  /** Nearest-rank percentile from the bins' upper edges: within 2% above exact, never below. */
  percentile(p: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(p * this.total));
    let seen = 0;
    for (let bin = 0; bin < this.size; bin++) {
      seen += this.counts[bin] as number;
      if (seen >= rank) return round(binValue(bin));
    }
    return null;
  }

  private reach(size: number): void {
    if (size > this.counts.length) {
      const bigger = new Float64Array(Math.max(size, Math.min(this.counts.length * 2, 4096)));
      bigger.set(this.counts);
      this.counts = bigger;
    }
    this.size = size;
  }
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
    case 'clientKey':
      return key.clientKeyId || 'none';
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
export function buildReport(rows: RollupRow[], shape: ReportShape): UsageReport {
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
  }
  // Each row is read once, into its bucket; groups and totals are sums of buckets.
  for (const bucket of perBucket) {
    for (const [key, acc] of bucket) {
      at(perGroup, key).merge(acc);
      totals.merge(acc);
    }
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
export function buildComparison(rows: RollupRow[]): ModelComparison {
  const perModel = new Map<string, { provider: string; acc: Accumulator }>();
  const at = (key: RollupKey) => {
    let found = perModel.get(key.model);
    if (!found) perModel.set(key.model, (found = { provider: key.provider, acc: new Accumulator() }));
    return found.acc;
  };
  for (const row of rows) at(row).add(row);
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
