import type { ConversationSummary } from '@aiu/core';
import { ConversationListSchema } from '@aiu/core/lite';
import { type InfiniteData, useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { useAiuConfig } from './context';
import { deleteConversation, type SaveConversationInput, type SaveConversationOptions, saveConversation, type StoredConversation } from './core/conversations';
import { type AiuRequestError, fetchJson, retryRetryable } from './core/fetchJson';
import { aiuKeys } from './queryKeys';
import { useAnyQueryClient } from './useModels';

export interface UseConversationsOptions {
  /** Threads per page (the server allows up to 200). Default 50. */
  limit?: number;
}

export interface UseConversationsResult {
  /** The caller's threads, last saved first: titles and counts, not their messages. */
  conversations: ConversationSummary[];
  hasNextPage: boolean;
  fetchNextPage: () => void;
  isLoading: boolean;
  error: AiuRequestError | null;
  refetch: () => void;
  /** Creates or replaces the thread with this id (`PUT`); `options.version` refuses to overwrite a newer save. */
  save: (id: string, input: SaveConversationInput, options?: SaveConversationOptions) => Promise<ConversationSummary>;
  /** A new thread under an id the server picks (`POST`). */
  create: (input: SaveConversationInput) => Promise<ConversationSummary>;
  remove: (id: string) => Promise<void>;
  isSaving: boolean;
}

type ListData = InfiniteData<{ conversations: ConversationSummary[]; nextCursor: string | null }, string | null>;

const NONE: ConversationSummary[] = [];

/**
 * Threads kept in aiu's store (`/conversations`), so a chat survives reloads, other browsers and
 * restarts. A save updates the list and the thread's own cache (`useConversation`) at once.
 */
export function useConversations(options: UseConversationsOptions = {}): UseConversationsResult {
  const config = useAiuConfig();
  const client = useAnyQueryClient();
  const limit = options.limit ?? 50;
  const list = useInfiniteQuery(
    {
      queryKey: aiuKeys.conversations({ limit }),
      initialPageParam: null as string | null,
      queryFn: ({ pageParam }) => {
        const query = new URLSearchParams({ limit: String(limit) });
        if (pageParam) query.set('cursor', pageParam);
        return fetchJson(config, '/conversations', ConversationListSchema, { query });
      },
      getNextPageParam: (last) => last.nextCursor,
      retry: retryRetryable,
    },
    client,
  );

  /** Every cached list without the thread `id`, then (for a save) with `top` first: at once, before the refetch. */
  const updateLists = (id: string, top?: ConversationSummary) =>
    client.setQueriesData<ListData>({ queryKey: aiuKeys.conversations() }, (data) => {
      if (!data?.pages) return data;
      const pages = data.pages.map((page) => ({ ...page, conversations: page.conversations.filter((c) => c.id !== id) }));
      const [first, ...rest] = pages;
      return { ...data, pages: top && first ? [{ ...first, conversations: [top, ...first.conversations] }, ...rest] : pages };
    });
  const remember = (input: SaveConversationInput, summary: ConversationSummary) => {
    const stored: StoredConversation = { ...summary, messages: [...input.messages], metadata: input.metadata ?? {} };
    client.setQueryData(aiuKeys.conversation(summary.id), stored);
    updateLists(summary.id, summary);
  };
  const invalidateList = () => client.invalidateQueries({ queryKey: aiuKeys.conversations() });

  const save = useMutation(
    {
      mutationFn: ({ id, input, options: saveOptions }: { id: string | undefined; input: SaveConversationInput; options?: SaveConversationOptions }) => saveConversation(config, id, input, saveOptions),
      onSuccess: (summary, { input }) => remember(input, summary),
      onSettled: invalidateList,
    },
    client,
  );
  const remove = useMutation(
    {
      mutationFn: (id: string) => deleteConversation(config, id),
      onSuccess: (_nothing, id) => {
        client.removeQueries({ queryKey: aiuKeys.conversation(id), exact: true });
        updateLists(id);
      },
      onSettled: invalidateList,
    },
    client,
  );

  return {
    conversations: list.data?.pages.flatMap((page) => page.conversations) ?? NONE,
    hasNextPage: list.hasNextPage,
    fetchNextPage: () => void list.fetchNextPage(),
    isLoading: list.isLoading,
    error: (list.error as AiuRequestError | null) ?? null,
    refetch: () => void list.refetch(),
    save: (id, input, saveOptions) => save.mutateAsync({ id, input, options: saveOptions }),
    create: (input) => save.mutateAsync({ id: undefined, input }),
    remove: (id) => remove.mutateAsync(id),
    isSaving: save.isPending,
  };
}
