import type { LogEntry, RequestStatus } from '@aiu/core';
import { LogPageSchema } from '@aiu/core/lite';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useAiuConfig } from './context';
import { type AiuRequestError, fetchJson, retryRetryable } from './core/fetchJson';
import { routeUrl } from './core/url';
import { aiuKeys } from './queryKeys';
import { usageSearchParams } from './useUsage';
import { useAnyQueryClient } from './useModels';

export interface RequestLogQuery {
  limit?: number;
  provider?: string;
  model?: string;
  status?: RequestStatus;
  /** Only calls made with this client key (its id). */
  clientKey?: string;
  from?: string | Date;
  to?: string | Date;
}

export interface UseRequestLogResult {
  entries: LogEntry[];
  fetchNextPage: () => void;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isLoading: boolean;
  error: AiuRequestError | null;
  refetch: () => void;
  /** A link for the browser to download the (filtered) log: CSV or JSON Lines. */
  exportUrl: (format: 'csv' | 'jsonl') => string;
}

const NONE: LogEntry[] = [];

/** `GET /logs` page by page (newest first) through the server's opaque cursor. */
export function useRequestLog(query: RequestLogQuery = {}): UseRequestLogResult {
  const config = useAiuConfig();
  const { limit = 50, ...filters } = query;
  const params = usageSearchParams(filters);
  const result = useInfiniteQuery(
    {
      queryKey: aiuKeys.logs({ ...Object.fromEntries(params), limit }),
      initialPageParam: null as string | null,
      // No abort signal: a page that unmounts mid-fetch still caches the answer for the next visit.
      queryFn: ({ pageParam }) => {
        const page = new URLSearchParams(params);
        page.set('limit', String(limit));
        if (pageParam) page.set('cursor', pageParam);
        return fetchJson(config, '/logs', LogPageSchema, { query: page });
      },
      getNextPageParam: (last) => last.nextCursor,
      retry: retryRetryable,
    },
    useAnyQueryClient(),
  );
  return {
    entries: result.data?.pages.flatMap((page) => page.entries) ?? NONE,
    fetchNextPage: () => void result.fetchNextPage(),
    hasNextPage: result.hasNextPage,
    isFetchingNextPage: result.isFetchingNextPage,
    isLoading: result.isLoading,
    error: (result.error as AiuRequestError | null) ?? null,
    refetch: () => void result.refetch(),
    exportUrl: (format) => {
      const exportParams = new URLSearchParams(params);
      exportParams.set('format', format);
      return routeUrl(config.baseUrl, '/logs/export', exportParams);
    },
  };
}
