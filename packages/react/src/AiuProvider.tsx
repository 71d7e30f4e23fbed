import { QueryClient, QueryClientContext, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useContext, useMemo, useState } from 'react';
import { AiuContext, type AiuConfig } from './context';

export interface AiuProviderProps {
  /** Where the aiu handler is mounted. Default `/api/aiu`. */
  baseUrl?: string;
  /** Sent with every request (auth headers, tenant ids); a function is called per request. */
  headers?: AiuConfig['headers'];
  fetch?: typeof fetch;
  /** Use this QueryClient; otherwise the app's own (if any) is reused, else one is created. */
  queryClient?: QueryClient;
  children?: ReactNode;
}

export function AiuProvider({ baseUrl = '/api/aiu', headers, fetch, queryClient, children }: AiuProviderProps) {
  const value = useMemo<AiuConfig>(
    () => ({ baseUrl, ...(headers ? { headers } : {}), ...(fetch ? { fetch } : {}) }),
    [baseUrl, headers, fetch],
  );
  const hostClient = useContext(QueryClientContext);
  const [ownClient] = useState(() => (queryClient || hostClient ? null : new QueryClient()));
  const client = queryClient ?? hostClient ?? ownClient;
  const content = <AiuContext.Provider value={value}>{children}</AiuContext.Provider>;
  // Only wrap when the host app has no QueryClient of its own (or we were given one).
  if (client && client !== hostClient) return <QueryClientProvider client={client}>{content}</QueryClientProvider>;
  return content;
}
