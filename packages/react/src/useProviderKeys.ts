import type { KeyScope, KeySummary, KeyValidation, ProviderSummary } from '@aiu/core';
import { KeySummarySchema, KeyValidationSchema, ProviderListSchema } from '@aiu/core/lite';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useAiuConfig } from './context';
import { type AiuRequestError, fetchJson, request, retryRetryable } from './core/fetchJson';
import { aiuKeys } from './queryKeys';
import { useAnyQueryClient } from './useModels';

export interface SaveKeyInput {
  provider: string;
  alias?: string;
  key: string;
  scopes?: KeyScope[];
  /** Let the server ask the provider first; a rejected key is not stored. */
  validate?: boolean;
  replace?: boolean;
}

export interface UseProviderKeysResult {
  providers: ProviderSummary[];
  isLoading: boolean;
  error: AiuRequestError | null;
  refetch: () => void;
  saveKey: (input: SaveKeyInput) => Promise<KeySummary>;
  validateKey: (input: { provider: string; key: string }) => Promise<KeyValidation>;
  deleteKey: (provider: string, alias: string) => Promise<void>;
  isSaving: boolean;
  isDeleting: boolean;
}

const NONE: ProviderSummary[] = [];

/** The configured providers with the caller's stored keys (hints only); saving or deleting refetches. */
export function useProviderKeys(): UseProviderKeysResult {
  const config = useAiuConfig();
  const client = useAnyQueryClient();
  const query = useQuery(
    { queryKey: aiuKeys.providers(), queryFn: () => fetchJson(config, '/providers', ProviderListSchema), retry: retryRetryable },
    client,
  );
  const invalidate = () => client.invalidateQueries({ queryKey: aiuKeys.providers() });
  const save = useMutation(
    {
      mutationFn: (input: SaveKeyInput) => fetchJson(config, '/keys', KeySummarySchema, { method: 'POST', body: input }),
      onSettled: invalidate,
    },
    client,
  );
  const remove = useMutation(
    {
      mutationFn: async ({ provider, alias }: { provider: string; alias: string }) => {
        await request(config, `/keys/${encodeURIComponent(provider)}/${encodeURIComponent(alias)}`, { method: 'DELETE' });
      },
      onSettled: invalidate,
    },
    client,
  );
  return {
    providers: query.data?.providers ?? NONE,
    isLoading: query.isLoading,
    error: (query.error as AiuRequestError | null) ?? null,
    refetch: () => void query.refetch(),
    saveKey: (input) => save.mutateAsync(input),
    validateKey: (input) => fetchJson(config, '/keys/validate', KeyValidationSchema, { method: 'POST', body: input }),
    deleteKey: (provider, alias) => remove.mutateAsync({ provider, alias }),
    isSaving: save.isPending,
    isDeleting: remove.isPending,
  };
}
