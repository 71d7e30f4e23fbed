import {
  AbortedError,
  AiuError,
  BadRequestError,
  InvalidApiKeyError,
  RateLimitedError,
  StreamTruncatedError,
  UpstreamError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
  isAbortError,
} from '@aiu/core';
import { createParser } from 'eventsource-parser';
import { Abort } from '../util/abort';
import { redactSecrets } from '../util/redact';
import { CallContext } from './context';
import { type UpstreamBody, type UpstreamResponse, upstreamFetch } from './transport';
import type { ProviderCallContext, ProviderEvent } from './types';

export interface UpstreamRequest {
  provider: string;
  url: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: unknown;
  /** What aborts the call (no AbortSignal is made for it unless something needs one). */
  abort: Abort;
  timeoutMs?: number | undefined;
  /** Secrets to scrub from anything the provider echoes back. */
  secrets: ReadonlyArray<string | undefined>;
}

/**
 * Builds a provider's upstream requests: its base URL, its configured headers and timeout,
 * and the key in the header that provider wants (never in the URL). The key is also listed
 * as a secret, so anything the provider echoes back is scrubbed.
 */
export function upstreamRequests(
  provider: string,
  baseURL: string,
  settings: { headers?: Record<string, string>; timeoutMs?: number | undefined },
  keyHeaders: (apiKey: string) => Record<string, string>,
  fixedHeaders: Record<string, string> = {},
) {
  const base = baseURL.replace(/\/+$/, '');
  return (path: string, context: ProviderCallContext, body?: unknown): UpstreamRequest => ({
    provider,
    url: `${base}${path}`,
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...fixedHeaders, ...settings.headers, ...(context.apiKey ? keyHeaders(context.apiKey) : {}) },
    body,
    abort: CallContext.abortOf(context),
    timeoutMs: settings.timeoutMs,
    secrets: [context.apiKey],
  });
}

/** fetch() with every failure turned into a typed AiuError; resolves only for 2xx. */
export async function fetchUpstream(request: UpstreamRequest): Promise<UpstreamResponse> {
  // A provider's own deadline (`timeoutMs`) covers the whole answer, body included.
  let abort = request.abort;
  if (request.timeoutMs) {
    abort = new Abort();
    abort.follow(request.abort);
    abort.after(request.timeoutMs, () => new UpstreamTimeoutError(`${request.provider} did not answer in time.`));
  }
  let response: UpstreamResponse;
  try {
    response = await upstreamFetch(request.url, {
      method: request.method ?? 'POST',
      headers: request.body === undefined ? request.headers : { 'content-type': 'application/json', ...request.headers },
      body: request.body === undefined ? null : JSON.stringify(request.body),
      abort,
    });
  } catch (error) {
    throw transportError({ ...request, abort }, error);
  }
  if (!response.ok) throw await errorFromResponse(request, response);
  return response;
}

/** Maps a failure while sending or reading to the error the caller should see. */
export function transportError(request: Pick<UpstreamRequest, 'provider' | 'url' | 'abort'>, error: unknown): AiuError {
  if (AiuError.isInstance(error)) return error;
  // Our own deadlines abort with a typed reason (upstream_timeout); the client's abort has none.
  if (request.abort.aborted) {
    return AiuError.isInstance(request.abort.reason) ? request.abort.reason : new AbortedError('The client aborted the request.', { cause: error });
  }
  if (isAbortError(error) && (error as Error).name === 'TimeoutError') {
    return new UpstreamTimeoutError(`${request.provider} did not answer in time.`);
  }
  if (isAbortError(error)) return new AbortedError('The request was aborted.', { cause: error });
  return new UpstreamUnreachableError(
    `Could not reach ${request.provider} at ${safeOrigin(request.url)}: ${describeNetworkError(error)}.`,
  );
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'its configured URL';
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return 'network error';
}

const MAX_ERROR_BODY = 16 * 1024;

export async function errorFromResponse(request: UpstreamRequest, response: UpstreamResponse): Promise<AiuError> {
  return errorFromBody(request, response.status, await response.text().catch(() => ''), response.headers.get('retry-after'));
}

/** The typed error for a provider's error body: from an HTTP answer, or an error event inside a stream. */
export function errorFromBody(request: Pick<UpstreamRequest, 'provider' | 'secrets'>, status: number, text: string, retryAfter: string | null = null): AiuError {
  const raw = text.slice(0, MAX_ERROR_BODY);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    body = undefined;
  }
  const providerMessage = redactSecrets(extractMessage(body) ?? raw.trim().slice(0, 500), request.secrets);
  const prefix = `${request.provider} answered ${status}`;
  const message = providerMessage ? `${prefix}: ${providerMessage}` : `${prefix}.`;
  const options = { upstreamStatus: status };
  if (status === 401 || status === 403) {
    return new InvalidApiKeyError(
      providerMessage ? `${request.provider} rejected the API key: ${providerMessage}` : `${request.provider} rejected the API key.`,
      options,
    );
  }
  if (status === 429) {
    const retryAfterMs = retryAfterFromHeader(retryAfter) ?? retryAfterFromBody(body);
    return new RateLimitedError(message, { ...options, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  if (status === 408 || status === 504) return new UpstreamTimeoutError(message, options);
  if (status >= 500) return new UpstreamError(message, options);
  return new BadRequestError(message, options);
}

function extractMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object') {
    const message = (error as Record<string, unknown>).message;
    if (typeof message === 'string') return message;
  }
  if (typeof record.message === 'string') return record.message;
  return undefined;
}

/** `Retry-After` is either delay-seconds or an HTTP date. */
export function retryAfterFromHeader(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Google's `google.rpc.RetryInfo` carries `retryDelay: "34.4s"` inside `error.details`. */
function retryAfterFromBody(body: unknown): number | undefined {
  const details = (body as { error?: { details?: unknown } } | undefined)?.error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    const delay = (detail as { retryDelay?: unknown } | null)?.retryDelay;
    if (typeof delay === 'string') {
      const match = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
      if (match?.[1]) return Math.round(Number(match[1]) * 1000);
    }
  }
  return undefined;
}

/**
 * The decoded text of an upstream body as it arrives. Once the body started, a dropped
 * connection means a cut stream (`stream_truncated`), not an unreachable host.
 */
async function* readText(
  body: UpstreamBody,
  request: Pick<UpstreamRequest, 'provider' | 'url' | 'abort'>,
): AsyncGenerator<string> {
  const decode = utf8Decoder();
  const chunks = chunksOf(body);
  try {
    for (let chunk = await nextChunk(chunks, request); chunk; chunk = await nextChunk(chunks, request)) yield decode(chunk);
    const rest = decode(null);
    if (rest) yield rest;
  } finally {
    chunks.return?.(undefined)?.catch(() => {});
  }
}

/** The next chunk, or null at the end. Once the body started, a dropped connection is a cut stream. */
async function nextChunk(chunks: AsyncIterator<Uint8Array>, request: Pick<UpstreamRequest, 'provider' | 'url' | 'abort'>): Promise<Uint8Array | null> {
  try {
    const result = await chunks.next();
    return result.done ? null : result.value;
  } catch (error) {
    const failure = transportError(request, error);
    if (failure.code === 'upstream_unreachable') {
      throw new StreamTruncatedError(`${request.provider} closed the connection before the stream finished.`);
    }
    throw failure;
  }
}

type NodeBuffer = Uint8Array & { toString(encoding: 'utf8'): string };
const isNodeBuffer = (globalThis as { Buffer?: { isBuffer(value: unknown): boolean } }).Buffer?.isBuffer ?? (() => false);

/**
 * UTF-8 text of a body's chunks, in order (`null` flushes). A chunk that starts and ends on
 * character boundaries — SSE chunks end in a newline — is decoded on its own by Node's
 * Buffer, cheaper than a streaming TextDecoder; otherwise the TextDecoder carries the
 * partial character across chunks.
 */
function utf8Decoder(): (chunk: Uint8Array | null) => string {
  const decoder = new TextDecoder();
  let carrying = false;
  return (chunk) => {
    if (chunk === null) return decoder.decode();
    const last = chunk[chunk.length - 1] ?? 0;
    if (!carrying && last < 0x80 && isNodeBuffer(chunk)) return (chunk as NodeBuffer).toString('utf8');
    carrying = last >= 0x80;
    return decoder.decode(chunk, { stream: true });
  };
}

/** An iterator over a body's chunks, whether a Web stream (fetch) or a Node stream (our transport). */
function chunksOf(body: UpstreamBody): AsyncIterator<Uint8Array> {
  if (Symbol.asyncIterator in body) return (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  return {
    next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
    return: async () => {
      await reader.cancel().catch(() => {});
      return { done: true, value: undefined };
    },
  };
}

/**
 * A provider's SSE stream (parsed by eventsource-parser) as our events, what one network read
 * brought in one array: a consumer pays one async step per read, not per event, and reading,
 * parsing and translating are one generator, not one per stage (each stage was an async step
 * per read). `onMessage` turns each message's data into events (pushed onto `out`) and answers
 * true once the stream is complete; when it throws, the events the read held before the failure
 * still go out first. `onEnd` hears whether a message completed the stream once it ends (throwing
 * for a cut one) and adds the last events. Returns whether a message completed the stream.
 */
export async function* sseEventBatches(
  body: UpstreamBody | null,
  request: Pick<UpstreamRequest, 'provider' | 'url' | 'abort'>,
  onMessage: (data: string, out: ProviderEvent[]) => boolean | void,
  onEnd?: (complete: boolean, out: ProviderEvent[]) => void,
): AsyncGenerator<ProviderEvent[], boolean> {
  if (!body) throw new StreamTruncatedError(`${request.provider} sent an empty stream.`);
  // One array for the stream, emptied after each read: the messages are read before anything is yielded.
  const held: string[] = [];
  const parser = createParser({ onEvent: (event) => held.push(event.data) });
  const decode = utf8Decoder();
  const chunks = chunksOf(body);
  let complete = false;
  try {
    for (;;) {
      const chunk = await nextChunk(chunks, request);
      if (chunk) parser.feed(decode(chunk));
      else {
        parser.feed(decode(null));
        parser.reset({ consume: true });
      }
      if (held.length) {
        const out: ProviderEvent[] = [];
        try {
          for (const data of held) if ((complete = onMessage(data, out) === true)) break;
        } catch (error) {
          if (out.length) yield out;
          throw error;
        } finally {
          held.length = 0;
        }
        if (out.length) yield out;
      }
      if (complete || !chunk) break;
    }
  } finally {
    chunks.return?.(undefined)?.catch(() => {});
  }
  const last: ProviderEvent[] = [];
  onEnd?.(complete, last);
  if (last.length) yield last;
  return complete;
}

/** One streamed JSON value (an SSE event's data, a JSON line), or a typed error naming what was malformed. */
export function parseStreamJson<T>(text: string, provider: string, what: 'chunk' | 'event' | 'line'): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UpstreamError(`${provider} sent a malformed stream ${what}.`);
  }
}

/**
 * Newline-delimited JSON (Ollama's stream) as our events, the lines of one network read in one
 * array. `onLine` turns each parsed line into events (pushed onto `out`) and answers true once the
 * stream is complete. Returns whether a line completed it.
 */
export async function* jsonLineBatches(
  body: UpstreamBody,
  request: Pick<UpstreamRequest, 'provider' | 'url' | 'abort'>,
  onLine: (value: unknown, out: ProviderEvent[]) => boolean | void,
): AsyncGenerator<ProviderEvent[], boolean> {
  let buffer = '';
  const take = (line: string, out: ProviderEvent[]) => onLine(parseStreamJson(line, request.provider, 'line'), out) === true;
  for await (const text of readText(body, request)) {
    buffer += text;
    const out: ProviderEvent[] = [];
    let complete = false;
    try {
      for (let newline = buffer.indexOf('\n'); newline !== -1 && !complete; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) complete = take(line, out);
      }
    } catch (error) {
      if (out.length) yield out;
      throw error;
    }
    if (out.length) yield out;
    if (complete) return true;
  }
  const out: ProviderEvent[] = [];
  const complete = buffer.trim() ? take(buffer.trim(), out) : false;
  if (out.length) yield out;
  return complete;
}

/** Parses a JSON response body, or fails with a typed error naming the provider. */
export async function readJsonBody<T>(response: UpstreamResponse, provider: string): Promise<T> {
  try {
    return (await response.json()) as T;
  } catch {
    throw new UpstreamError(`${provider} sent a response that is not JSON.`);
  }
}
