/** Query-key factories, so apps can invalidate and prefetch what aiu's hooks cache. */
export const aiuKeys = {
  all: ['aiu'] as const,
  models: (filter?: unknown) => ['aiu', 'models', filter ?? {}] as const,
  providers: () => ['aiu', 'providers'] as const,
  clientKeys: () => ['aiu', 'client-keys'] as const,
  /** Every cached list of threads (any page size) starts with `conversations()`. */
  conversations: (query?: unknown) => (query === undefined ? (['aiu', 'conversations', 'list'] as const) : (['aiu', 'conversations', 'list', query] as const)),
  conversation: (id: string) => ['aiu', 'conversations', 'thread', id] as const,
  logs: (query?: unknown) => ['aiu', 'logs', query ?? {}] as const,
  usage: (query?: unknown) => ['aiu', 'usage', query ?? {}] as const,
};
