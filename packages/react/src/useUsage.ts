import type { Granularity, GroupBy, UsageReport } from '@aiu/core';
import { UsageReportSchema } from '@aiu/core/lite';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useAiuConfig } from './context';
import { type AiuRequestError, fetchJson, retryRetryable } from './core/fetchJson';
import { aiuKeys } from './queryKeys';
import { useAnyQueryClient } from './useModels';

export interface UsageQueryInput {
  from?: string | Date;
  to?: string | Date;
  granularity?: Granularity;
  groupBy?: GroupBy;
  tz?: string;
  provider?: string;
  model?: string;
  /** Only calls made with this client key (its id). */
  clientKey?: string;
}

export interface UseUsageResult {
  report: UsageReport | null;
  isLoading: boolean;
  error: AiuRequestError | null;
  refetch: () => void;
}

export function usageSearchParams(query: UsageQueryInput): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, value instanceof Date ? value.toISOString() : String(value));
  }
  return params;
}

/** `GET /usage`: gap-filled buckets, per-group stats and totals; the previous report stays while a new range loads. */
export function useUsage(query: UsageQueryInput & { enabled?: boolean } = {}): UseUsageResult {
  const config = useAiuConfig();
  const { enabled = true, ...filters } = query;
  const params = usageSearchParams(filters);
  const result = useQuery(
    {
      queryKey: aiuKeys.usage(Object.fromEntries(params)),
      queryFn: () => fetchJson(config, '/usage', UsageReportSchema, { query: params }),
      placeholderData: keepPreviousData,
      staleTime: 30_000,
      retry: retryRetryable,
      enabled,
    },
    useAnyQueryClient(),
  );
  return {
    report: result.data ?? null,
    isLoading: result.isLoading,
    error: (result.error as AiuRequestError | null) ?? null,
    refetch: () => void result.refetch(),
  };
}
