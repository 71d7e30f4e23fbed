import type { ClientKeySummary, CreateClientKeyRequest, CreatedClientKey } from '@aiu/core';
import { ClientKeyListSchema, ClientKeySummarySchema, CreatedClientKeySchema } from '@aiu/core/lite';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useAiuConfig } from './context';
import { type AiuRequestError, fetchJson, retryRetryable } from './core/fetchJson';
import { aiuKeys } from './queryKeys';
import { useAnyQueryClient } from './useModels';

export interface UseClientKeysResult {
  /** The caller's client keys, newest first: hints only, with spend to date. */
  keys: ClientKeySummary[];
  isLoading: boolean;
  error: AiuRequestError | null;
  refetch: () => void;
  /** Issues a key. The answer's `key` is the secret: shown this once, never again — hand it over and drop it. */
  create: (input: CreateClientKeyRequest) => Promise<CreatedClientKey>;
  /** Revokes a key at once (every instance within a second). */
  revoke: (id: string) => Promise<ClientKeySummary>;
  isCreating: boolean;
  isRevoking: boolean;
}

const NONE: ClientKeySummary[] = [];

/** Keys aiu issues to the apps and people that call it (`/client-keys`); creating or revoking refetches. */
export function useClientKeys(): UseClientKeysResult {
  const config = useAiuConfig();
  const client = useAnyQueryClient();
  const query = useQuery({ queryKey: aiuKeys.clientKeys(), queryFn: () => fetchJson(config, '/client-keys', ClientKeyListSchema), retry: retryRetryable }, client);
  const invalidate = () => client.invalidateQueries({ queryKey: aiuKeys.clientKeys() });
  const create = useMutation(
    { mutationFn: (input: CreateClientKeyRequest) => fetchJson(config, '/client-keys', CreatedClientKeySchema, { method: 'POST', body: input }), onSettled: invalidate },
    client,
  );
  const revoke = useMutation(
    { mutationFn: (id: string) => fetchJson(config, `/client-keys/${encodeURIComponent(id)}`, ClientKeySummarySchema, { method: 'DELETE' }), onSettled: invalidate },
    client,
  );
  return {
    keys: query.data?.keys ?? NONE,
    isLoading: query.isLoading,
    error: (query.error as AiuRequestError | null) ?? null,
    refetch: () => void query.refetch(),
    create: (input) => create.mutateAsync(input),
    revoke: (id) => revoke.mutateAsync(id),
    isCreating: create.isPending,
    isRevoking: revoke.isPending,
  };
}
