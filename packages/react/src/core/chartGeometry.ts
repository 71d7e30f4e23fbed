import type { Granularity, UsageReport, UsageStats } from '@aiu/core';

/** What the chart shows: `latency` is the median (p50), `latencyP95` the 95th percentile; neither stacks. */
export type UsageMetric = 'cost' | 'tokens' | 'requests' | 'latency' | 'latencyP95';

const isLatency = (metric: UsageMetric) => metric === 'latency' || metric === 'latencyP95';

export interface ChartPoint {
  bucket: number;
  value: number;
  /** Stacked bounds (value units): y0 below, y1 on top. Latency is not stacked (y0 = 0). */
  y0: number;
  y1: number;
}

export interface ChartSeries {
  key: string;
  total: number;
  points: ChartPoint[];
}

export interface ChartBucket {
  start: string;
  end: string;
  label: string;
  /** The bucket's stacked total (for latency: its highest group value). */
  total: number;
  values: Record<string, number>;
}

export interface ChartTick {
  value: number;
  label: string;
}

export interface ChartScale {
  width: number;
  height: number;
  padding: { top: number; right: number; bottom: number; left: number };
  /** Width of one bucket's band, in px. */
  bandWidth: number;
  /** Left edge of bucket `index`'s band. */
  x: (index: number) => number;
  /** Vertical position of a value (0 at the bottom of the plot). */
  y: (value: number) => number;
}

export interface ChartGeometry {
  series: ChartSeries[];
  buckets: ChartBucket[];
  max: number;
  ticks: ChartTick[];
  scale: ChartScale;
  isEmpty: boolean;
}

export function metricValue(stats: UsageStats, metric: UsageMetric): number {
  switch (metric) {
    case 'cost':
      return stats.cost;
    case 'tokens':
      return stats.totalTokens;
    case 'requests':
      return stats.requests;
    case 'latency':
      return stats.latencyP50Ms ?? 0;
    case 'latencyP95':
      return stats.latencyP95Ms ?? 0;
  }
}

/** 1, 2 or 5 × 10ⁿ: the step that gives about `count` ticks up to (at least) `max`. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const rough = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let value = 0; value < max + step / 2; value += step) ticks.push(Number(value.toPrecision(12)));
  if ((ticks[ticks.length - 1] as number) < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

export function formatMetric(value: number, metric: UsageMetric): string {
  switch (metric) {
    case 'cost':
      return value === 0 ? '$0' : value < 0.01 ? `$${value.toPrecision(2)}` : `$${value.toFixed(2)}`;
    case 'tokens':
    case 'requests':
      return new Intl.NumberFormat('en-US', { notation: value >= 10_000 ? 'compact' : 'standard', maximumFractionDigits: 1 }).format(value);
    case 'latency':
    case 'latencyP95':
      return value >= 1000 ? `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)} s` : `${Math.round(value)} ms`;
  }
}

const LABEL_FORMAT: Record<Granularity, Intl.DateTimeFormatOptions> = {
  hour: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  day: { month: 'short', day: 'numeric' },
  week: { month: 'short', day: 'numeric' },
  month: { month: 'short', year: 'numeric' },
};

export function bucketLabel(start: string, granularity: Granularity, tz: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale ?? 'en-US', { ...LABEL_FORMAT[granularity], timeZone: tz }).format(new Date(start));
}

export interface GeometryOptions {
  metric: UsageMetric;
  width?: number;
  height?: number;
  padding?: Partial<ChartScale['padding']>;
  locale?: string;
}

/**
 * A usage report as chart geometry: series stacked largest-first (latency side by side),
 * nice ticks, a linear y scale and a band x scale. Plain data: render it as SVG or hand
 * it to any chart library.
 */
export function usageChartGeometry(report: UsageReport | null | undefined, options: GeometryOptions): ChartGeometry {
  const width = options.width ?? 640;
  const height = options.height ?? 240;
  const padding = { top: 8, right: 8, bottom: 24, left: 48, ...options.padding };
  const stacked = !isLatency(options.metric);
  const buckets = report?.buckets ?? [];
  const keys = Object.keys(report?.groups ?? {});
  const totals = new Map(keys.map((key) => [key, report?.groups[key] ? metricValue(report.groups[key], options.metric) : 0]));
  // Largest at the bottom of the stack, then by name for a stable order.
  keys.sort((a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0) || a.localeCompare(b));

  const series: ChartSeries[] = keys.map((key) => ({ key, total: totals.get(key) ?? 0, points: [] }));
  const chartBuckets: ChartBucket[] = buckets.map((bucket, index) => {
    let base = 0;
    let top = 0;
    const values: Record<string, number> = {};
    series.forEach((s) => {
      const stats = bucket.groups[s.key];
      const value = stats ? metricValue(stats, options.metric) : 0;
      values[s.key] = value;
      const y0 = stacked ? base : 0;
      const y1 = y0 + value;
      if (stacked) base = y1;
      top = Math.max(top, y1);
      s.points.push({ bucket: index, value, y0, y1 });
    });
    return { start: bucket.start, end: bucket.end, label: report ? bucketLabel(bucket.start, report.granularity, report.tz, options.locale) : '', total: top, values };
  });

  const max = Math.max(0, ...chartBuckets.map((b) => b.total));
  const tickValues = niceTicks(max);
  const top = tickValues[tickValues.length - 1] || 1;
  const plotWidth = Math.max(0, width - padding.left - padding.right);
  const plotHeight = Math.max(0, height - padding.top - padding.bottom);
  const bandWidth = chartBuckets.length ? plotWidth / chartBuckets.length : plotWidth;
  return {
    series,
    buckets: chartBuckets,
    max,
    ticks: tickValues.map((value) => ({ value, label: formatMetric(value, options.metric) })),
    scale: {
      width,
      height,
      padding,
      bandWidth,
      x: (index) => padding.left + index * bandWidth,
      y: (value) => padding.top + plotHeight - (value / top) * plotHeight,
    },
    isEmpty: !report || report.totals.requests === 0,
  };
}

/** One paragraph a screen reader can read instead of the chart. */
export function usageSummary(report: UsageReport | null | undefined, geometry: ChartGeometry, metric: UsageMetric): string {
  if (!report) return '';
  const first = geometry.buckets[0]?.label;
  const last = geometry.buckets[geometry.buckets.length - 1]?.label;
  const range = first && last ? `${first} to ${last}` : 'this period';
  if (geometry.isEmpty) return `No requests from ${range}.`;
  const t = report.totals;
  const parts = [
    `From ${range}: ${formatMetric(t.requests, 'requests')} requests`,
    `${formatMetric(t.cost, 'cost')} spent${t.unpricedRequests ? ` (${t.unpricedRequests} without a known price)` : ''}`,
    `${formatMetric(t.totalTokens, 'tokens')} tokens`,
    `${Math.round(t.errorRate * 1000) / 10}% errors`,
  ];
  if (metric === 'cost') {
    const costParts = [
      t.savedByCache > 0 && `the prompt cache saved ${formatMetric(t.savedByCache, 'cost')}`,
      t.audioCost && `audio ${formatMetric(t.audioCost, 'cost')}`,
      t.tierRequests && `${formatMetric(t.tierCost ?? 0, 'cost')} from ${t.tierRequests} calls at a non-standard service tier`,
    ].filter(Boolean);
    if (costParts.length) parts.push(costParts.join(', '));
  }
  const peak = geometry.buckets.reduce((best, b) => (b.total > best.total ? b : best), geometry.buckets[0] as ChartBucket);
  let text = `${parts.join(', ')}.`;
  if (peak && peak.total > 0) text += ` Highest ${metric}: ${peak.label} (${formatMetric(peak.total, metric)}).`;
  if (report.groupBy && geometry.series.length) {
    const top3 = geometry.series.slice(0, 3).map((s) => `${s.key} ${formatMetric(s.total, metric)}`);
    text += ` By ${report.groupBy}: ${top3.join(', ')}${geometry.series.length > 3 ? `, and ${geometry.series.length - 3} more` : ''}.`;
  }
  return text;
}
