import type { ModelInfo, PriceData } from '@aiu/core';
import { ModelListSchema } from '@aiu/core/lite';
import { QueryClient, QueryClientContext, useQuery } from '@tanstack/react-query';
import { useContext, useMemo } from 'react';
import { useAiuConfig } from './context';
import { fetchJson, retryRetryable, type AiuRequestError } from './core/fetchJson';
import { applyModelFilter, type ModelFilter } from './core/modelFilter';
import { aiuKeys } from './queryKeys';

export type { ModelFilter } from './core/modelFilter';

export interface UseModelsResult {
  /** The models that pass the filter. */
  models: ModelInfo[];
  /** Everything the server lists. */
  allModels: ModelInfo[];
  /** Which price data release the prices come from (null before the list, or from an older server). */
  priceData: PriceData | null;
  isLoading: boolean;
  error: AiuRequestError | null;
  refetch: () => void;
}

const NONE: ModelInfo[] = [];

/** Used only when neither the app nor an AiuProvider supplies a QueryClient: hooks still work. */
let detachedClient: QueryClient | undefined;
export function useAnyQueryClient(): QueryClient {
  const client = useContext(QueryClientContext);
  if (client) return client;
  detachedClient ??= new QueryClient();
  return detachedClient;
}

/**
 * The server's model list (catalog + discovery), fetched once and cached by react-query;
 * filters apply in the browser, so changing them never refetches.
 */
export function useModels(filter: ModelFilter & { enabled?: boolean } = {}): UseModelsResult {
  const config = useAiuConfig();
  const query = useQuery(
    {
      queryKey: aiuKeys.models(),
      queryFn: () => fetchJson(config, '/models', ModelListSchema),
      staleTime: 5 * 60_000,
      retry: retryRetryable,
      enabled: filter.enabled ?? true,
    },
    useAnyQueryClient(),
  );
  const allModels = query.data?.models ?? NONE;
  const { kinds, providers, minContext, excludeDeprecated, capabilities, filter: custom } = filter;
  const models = useMemo(
    () => applyModelFilter(allModels, { kinds, providers, minContext, excludeDeprecated, capabilities, filter: custom }),
    // Arrays compared by content: callers usually pass fresh literals every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [allModels, kinds?.join(), providers?.join(), minContext, excludeDeprecated, capabilities?.join(), custom],
  );
  return {
    models,
    allModels,
    priceData: query.data?.priceData ?? null,
    isLoading: query.isLoading,
    error: (query.error as AiuRequestError | null) ?? null,
    refetch: () => void query.refetch(),
  };
}
