import type { UsageReport } from '@aiu/core';
import { type HTMLAttributes, type SVGAttributes, useId, useMemo } from 'react';
import {
  type ChartBucket,
  type ChartScale,
  type ChartSeries,
  type ChartTick,
  type UsageMetric,
  usageChartGeometry,
  usageSummary,
} from './core/chartGeometry';
import type { AiuRequestError } from './core/fetchJson';
import { propsOrEmpty } from './utils/mergeProps';
import { type UsageQueryInput, useUsage } from './useUsage';

export type { UsageMetric, ChartSeries, ChartBucket, ChartTick, ChartScale } from './core/chartGeometry';

export interface UseUsageChartProps extends UsageQueryInput {
  metric?: UsageMetric;
  /** The drawing size the `scale` helpers map into. Default 640 × 240. */
  width?: number;
  height?: number;
  /** Chart this report instead of fetching one. */
  report?: UsageReport | null;
  locale?: string;
}

export interface CostBreakdown {
  total: number;
  savedByCache: number;
  audio: number;
  tier: number;
  tierRequests: number;
  serverToolRequests: number;
  unpricedRequests: number;
}

export interface UsageChartApi {
  series: ChartSeries[];
  buckets: ChartBucket[];
  totals: UsageReport['totals'] | null;
  max: number;
  ticks: ChartTick[];
  scale: ChartScale;
  metric: UsageMetric;
  report: UsageReport | null;
  isLoading: boolean;
  error: AiuRequestError | null;
  /** True when the range holds no request: show an empty state, never invented data. */
  isEmpty: boolean;
  /**
   * What the cost is made of, over the whole range (USD): what the prompt cache saved, the audio
   * part, the part from calls at a non-standard service tier (flex, priority, …) and how many
   * such calls, and calls whose price is unknown. Null before a report.
   */
  costBreakdown: CostBreakdown | null;
  /** The chart as one sentence or three, for screen readers (and anyone). */
  summary: string;
  getChartProps: <P extends SVGAttributes<SVGSVGElement>>(props?: P) => P & SVGAttributes<SVGSVGElement>;
  getSummaryProps: <P extends HTMLAttributes<HTMLElement>>(props?: P) => P & HTMLAttributes<HTMLElement>;
}

/** Usage over time as headless chart geometry, with a text summary wired to the chart. */
export function useUsageChart(props: UseUsageChartProps = {}): UsageChartApi {
  const { metric = 'cost', width, height, report: given, locale, ...query } = props;
  const fetched = useUsage({ ...query, enabled: given === undefined });
  const report = given === undefined ? fetched.report : given;
  const geometry = useMemo(() => usageChartGeometry(report, { metric, ...(width ? { width } : {}), ...(height ? { height } : {}), ...(locale ? { locale } : {}) }), [report, metric, width, height, locale]);
  const summary = useMemo(() => usageSummary(report, geometry, metric), [report, geometry, metric]);
  const summaryId = `aiu-usage-summary${useId().replace(/:/g, '')}`;
  const state = given === undefined && fetched.isLoading ? 'loading' : fetched.error && given === undefined ? 'error' : geometry.isEmpty ? 'empty' : 'ready';
  const t = report?.totals;
  return {
    ...geometry,
    totals: t ?? null,
    costBreakdown: t
      ? {
          total: t.cost,
          savedByCache: t.savedByCache,
          audio: t.audioCost ?? 0,
          tier: t.tierCost ?? 0,
          tierRequests: t.tierRequests ?? 0,
          serverToolRequests: t.serverToolRequests ?? 0,
          unpricedRequests: t.unpricedRequests,
        }
      : null,
    metric,
    report,
    isLoading: given === undefined && fetched.isLoading,
    error: given === undefined ? fetched.error : null,
    summary,
    getChartProps: <P extends SVGAttributes<SVGSVGElement>>(user?: P) => ({
      role: 'img',
      'aria-describedby': summaryId,
      'aria-label': `Usage by ${metric}`,
      viewBox: `0 0 ${geometry.scale.width} ${geometry.scale.height}`,
      'data-state': state,
      ...propsOrEmpty(user),
    }),
    getSummaryProps: <P extends HTMLAttributes<HTMLElement>>(user?: P) => ({ id: summaryId, children: summary, 'data-state': state, ...propsOrEmpty(user) }),
  };
}
