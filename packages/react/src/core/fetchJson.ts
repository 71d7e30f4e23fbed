import type { AiuConfig } from '../context';
import { errorFromResponse, networkError, type AiuClientError } from './errors';
import { routeUrl } from './url';

/** An error thrown by the hooks' fetchers: what react-query hands back as `error`. */
export class AiuRequestError extends Error implements AiuClientError {
  readonly code: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  constructor(error: AiuClientError) {
    super(error.message);
    this.name = 'AiuRequestError';
    this.code = error.code;
    this.status = error.status;
    this.retryable = error.retryable;
  }
}

type Schema<T> = { safeParse(value: unknown): { success: true; data: T } | { success: false } };

interface RequestOptions {
  query?: URLSearchParams;
  signal?: AbortSignal;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  /** The body already as JSON text (so a caller that measured it does not serialise it twice). */
  bodyText?: string;
  /** Let the request finish after the page is left (browsers allow it for bodies up to 64 kB in all). */
  keepalive?: boolean;
  /** This request's own headers (`If-Match`…), over the provider's. */
  headers?: Record<string, string>;
}

/** Calls an aiu route; a non-2xx answer becomes an AiuRequestError with the server's code. */
export async function request(config: AiuConfig, route: string, options: RequestOptions = {}): Promise<Response> {
  const headers = typeof config.headers === 'function' ? config.headers() : config.headers;
  const body = options.bodyText ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  let response: Response;
  try {
    response = await (config.fetch ?? fetch)(routeUrl(config.baseUrl, route, options.query), {
      method: options.method ?? 'GET',
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers, ...options.headers },
      ...(body === undefined ? {} : { body }),
      ...(options.keepalive ? { keepalive: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    throw new AiuRequestError(networkError(error));
  }
  if (!response.ok) throw new AiuRequestError(await errorFromResponse(response));
  return response;
}

/** Calls an aiu route and parses the body with the same core schema the server answers with. */
export async function fetchJson<T>(config: AiuConfig, route: string, schema: Schema<T>, options: RequestOptions = {}): Promise<T> {
  const response = await request(config, route, options);
  const parsed = schema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) {
    throw new AiuRequestError({ code: 'invalid_response', message: `The server's ${route} answer does not match this client's version.`, retryable: false });
  }
  return parsed.data;
}

/** React Query's retry rule for aiu reads: retry what may pass next time (network, 5xx), at most twice. */
export function retryRetryable(failures: number, error: unknown): boolean {
  return failures < 2 && (error as { retryable?: boolean } | null)?.retryable === true;
}
