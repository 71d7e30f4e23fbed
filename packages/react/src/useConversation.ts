import { useQuery } from '@tanstack/react-query';
import { useAiuConfig } from './context';
import { fetchConversation, type StoredConversation } from './core/conversations';
import { type AiuRequestError, retryRetryable } from './core/fetchJson';
import { aiuKeys } from './queryKeys';
import { useAnyQueryClient } from './useModels';

export interface UseConversationResult {
  /** The thread as last saved (its `messages` go straight into `useChat({ initialMessages })`); null while loading or when missing. */
  conversation: StoredConversation | null;
  isLoading: boolean;
  /** `code === 'not_found'` for a thread that is gone (or never was the caller's). */
  error: AiuRequestError | null;
  refetch: () => void;
}

/** One stored thread (`GET /conversations/:id`); `null` id waits. Saves through `useConversations` land here at once. */
export function useConversation(id: string | null | undefined): UseConversationResult {
  const config = useAiuConfig();
  const query = useQuery(
    {
      queryKey: aiuKeys.conversation(id ?? ''),
      queryFn: () => fetchConversation(config, id ?? ''),
      enabled: Boolean(id),
      // A thread changes only when this app saves it, and a save updates this cache itself.
      staleTime: Number.POSITIVE_INFINITY,
      retry: retryRetryable,
    },
    useAnyQueryClient(),
  );
  return {
    conversation: query.data ?? null,
    isLoading: query.isLoading,
    error: (query.error as AiuRequestError | null) ?? null,
    refetch: () => void query.refetch(),
  };
}
