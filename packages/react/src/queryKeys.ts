/** Query-key factories, so apps can invalidate and prefetch what aiu's hooks cache. */
export const aiuKeys = {
  all: ['aiu'] as const,
  models: (filter?: unknown) => ['aiu', 'models', filter ?? {}] as const,
  providers: () => ['aiu', 'providers'] as const,
  clientKeys: () => ['aiu', 'client-keys'] as const,
  logs: (query?: unknown) => ['aiu', 'logs', query ?? {}] as const,
  usage: (query?: unknown) => ['aiu', 'usage', query ?? {}] as const,
};
