import type { IncomingHttpHeaders } from 'node:http';
import type * as Undici from 'undici';
import type { Abort } from '../util/abort';
import { headerValue, webHeaders } from '../util/nodeHeaders';

/**
 * undici, loaded at run time and only on Node: an import statement would put it in every
 * bundle of this package, edge runtimes included. Where it cannot be loaded (an app bundler
 * that left our dependencies behind), calls go through `fetch`.
 */
let undici: typeof Undici | null | undefined;
let agent: Undici.Agent | undefined;

function loadUndici(): typeof Undici | null {
  if (undici !== undefined) return undici;
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof getBuiltin !== 'function') return (undici = null);
  try {
    const { createRequire } = getBuiltin('node:module') as typeof import('node:module');
    undici = createRequire(import.meta.url)('undici') as typeof Undici;
  } catch {
    undici = null;
  }
  return undici;
}

function upstreamAgent(library: typeof Undici): Undici.Agent {
  // No header or body deadline of undici's own: aiu's timeouts (connect, first token, total,
  // per provider) decide how long a model may think or pause. 256 connections per origin.
  agent ??= new library.Agent({ connections: 256, headersTimeout: 0, bodyTimeout: 0 });
  return agent;
}

/** Network errors carry their code where `fetch` would put it: on `cause`. */
function networkError(error: Error & { code?: string }): TypeError {
  return Object.assign(new TypeError('fetch failed'), { cause: error });
}

/**
 * What provider code reads from an upstream answer: a Web `Response` satisfies it, and so
 * does the lighter object the Node transport hands back.
 */
export interface UpstreamResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: Headers;
  readonly body: UpstreamBody | null;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export type UpstreamBody = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body: string | null;
  abort: Abort;
}

/**
 * `fetch` for upstream calls. On Node it dispatches straight to undici's connection pool and
 * takes the answer through its handler callbacks — no `Response`, no stream objects, and none
 * of `node:http`'s per-request agent bookkeeping (ARCHITECTURE.md, "Upstream calls"). Elsewhere: `fetch`.
 */
export function upstreamFetch(url: string, init: FetchInit): Promise<UpstreamResponse> {
  const library = loadUndici();
  const abort = init.abort;
  if (!library) return fetch(url, { method: init.method, headers: init.headers, body: init.body, signal: abort.signal });
  const dispatcher = upstreamAgent(library);
  const target = new URL(url);
  const options: Undici.Dispatcher.DispatchOptions = {
    origin: target.origin,
    path: `${target.pathname}${target.search}`,
    method: init.method,
    headers: { accept: '*/*', ...init.headers },
    body: init.body,
  };
  const send = (staleLeft: number): Promise<UpstreamResponse> =>
    new Promise((resolve, reject) => {
      if (abort.aborted) return reject(abort.reason);
      let response: DispatchedResponse | undefined;
      let stopListening = () => {};
      dispatcher.dispatch(options, {
        onRequestStart(controller) {
          stopListening = abort.onAbort(() => controller.abort(abort.reason instanceof Error ? abort.reason : new Error('aborted')));
        },
        onResponseStart(controller, statusCode, headers) {
          if (statusCode < 200) return;
          response = new DispatchedResponse(controller, statusCode, headers, abort);
          resolve(response);
        },
        onResponseData(_controller, chunk) {
          response?.push(chunk);
        },
        onResponseEnd() {
          stopListening();
          response?.end();
        },
        onResponseError(_controller, error: Error & { code?: string }) {
          stopListening();
          if (response) return response.fail(bodyFailure(abort, error));
          if (abort.aborted) return reject(abort.reason);
          // A pooled connection the server closed while it sat idle (its keep-alive timeout) fails
          // before any answer. The server never got the call: send it again at once, on the next
          // pooled or a new connection, instead of spending one of the caller's attempts on it.
          if (staleLeft > 0 && closedWhileIdle(error)) return resolve(send(staleLeft - 1));
          reject(networkError(error));
        },
      });
    });
  return send(MAX_STALE_CONNECTIONS);
}

/**
 * The other side closed a connection that had already carried an answer, before this call got
 * one: a kept-alive connection closed at its idle timeout. A new connection that fails (nothing
 * read on it yet) is an unreachable upstream, not this.
 */
function closedWhileIdle(error: Error & { code?: string; socket?: { bytesRead?: number } }): boolean {
  return error.code === 'UND_ERR_SOCKET' && (error.socket?.bytesRead ?? 0) > 0;
}

/** Why a body stopped: the caller's abort, or the network (a TypeError with the cause, as `fetch` has it). */
function bodyFailure(abort: Abort, error: Error): unknown {
  return abort.aborted ? abort.reason : networkError(error);
}

/** Connections that go idle together time out together: skip a few before calling it a failure. */
const MAX_STALE_CONNECTIONS = 4;
/** Body bytes held for a consumer that has not asked yet, before the connection pauses. */
const MAX_BUFFERED_BYTES = 64 * 1024;
/** How long the rest of a body that nobody wants may take to arrive before its connection is closed instead. */
const DRAIN_MS = 1000;

/**
 * An answer as undici's handler callbacks deliver it. A JSON answer is collected from the moment
 * it arrives (while the caller's awaits unwind); any other body is handed over as chunks, what
 * arrived together in one piece (a provider sends one HTTP chunk per SSE event, and passing them
 * on one by one would cost an async step per event all the way to the client). Up to 64 kB wait
 * for the consumer; past that the connection pauses until it asks for more.
 */
class DispatchedResponse implements UpstreamResponse {
  readonly ok: boolean;
  private cachedHeaders: Headers | undefined;
  private parts: Buffer[] = [];
  private bytes = 0;
  private ended = false;
  private failure: unknown;
  private waiting: { resolve: (result: IteratorResult<Uint8Array>) => void; reject: (error: unknown) => void } | null = null;
  private delivering = false;
  /** Set once the whole body is wanted (`text()`, or a JSON answer): no chunks, no pausing. */
  private whole: { promise: Promise<Buffer>; resolve: (body: Buffer) => void; reject: (error: unknown) => void } | undefined;
  /** Set when the consumer stopped early: the rest is read and dropped, so the connection is reused. */
  private draining: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly controller: Undici.Dispatcher.DispatchController,
    readonly status: number,
    private readonly rawHeaders: IncomingHttpHeaders,
    private readonly abort: Abort,
  ) {
    this.ok = status >= 200 && status < 300;
    if (/^application\/json/i.test(headerValue(rawHeaders, 'content-type') ?? '')) {
      // Nobody may ask (a caller that only wanted the status): no unhandled rejection then.
      this.collect().catch(() => {});
    }
  }

  /** Built on first use: most calls never read a response header. */
  get headers(): Headers {
    this.cachedHeaders ??= webHeaders(this.rawHeaders);
    return this.cachedHeaders;
  }

  push(chunk: Buffer): void {
    if (this.draining) return;
    this.parts.push(chunk);
    this.bytes += chunk.length;
    if (this.whole) return;
    if (this.bytes >= MAX_BUFFERED_BYTES) this.controller.pause();
    this.schedule();
  }

  end(): void {
    this.ended = true;
    clearTimeout(this.draining);
    this.whole?.resolve(this.take());
    this.schedule();
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    clearTimeout(this.draining);
    this.whole?.reject(error);
    this.schedule();
  }

  private take(): Buffer {
    const value = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    if (this.controller.paused && !this.ended) this.controller.resume();
    return value;
  }

  /** Wakes a waiting consumer once everything that arrived together has been pushed. */
  private schedule(): void {
    if (this.delivering || !this.waiting) return;
    this.delivering = true;
    queueMicrotask(() => this.deliver());
  }

  private deliver(): void {
    this.delivering = false;
    const waiter = this.waiting;
    if (!waiter) return;
    this.waiting = null;
    if (this.parts.length) waiter.resolve({ done: false, value: this.take() });
    else if (this.failure !== undefined) waiter.reject(this.failure);
    else if (this.ended) waiter.resolve({ done: true, value: undefined });
    else this.waiting = waiter;
  }

  private collect(): Promise<Buffer> {
    if (!this.whole) {
      let resolve!: (body: Buffer) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<Buffer>((ok, fail) => {
        resolve = ok;
        reject = fail;
      });
      this.whole = { promise, resolve, reject };
      if (this.failure !== undefined) reject(this.failure);
      else if (this.ended) resolve(this.take());
      else if (this.controller.paused) this.controller.resume();
    }
    return this.whole.promise;
  }

  get body(): AsyncIterable<Uint8Array> {
    if (this.whole) {
      const whole = this.whole.promise;
      return (async function* () {
        yield await whole;
      })();
    }
    return { [Symbol.asyncIterator]: () => this.chunks() };
  }

  /**
   * Stopping early — the parser saw `[DONE]` before the chunked terminator arrived — reads the
   * rest so the keep-alive connection is reused; a cancelled call closes it at once.
   */
  private chunks(): AsyncIterator<Uint8Array> {
    return {
      next: () => {
        // What is already here goes at once; what the rest of this read brings, with the next call.
        if (this.parts.length) return Promise.resolve({ done: false, value: this.take() });
        if (this.failure !== undefined) return Promise.reject(this.failure);
        if (this.ended) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
      },
      return: () => {
        this.parts = [];
        this.bytes = 0;
        if (!this.ended) {
          if (this.abort.aborted) this.controller.abort(new Error('aborted'));
          else this.drain();
        }
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  private drain(): void {
    if (this.draining) return;
    const giveUp = setTimeout(() => this.controller.abort(new Error('The rest of the body took too long; closing its connection.')), DRAIN_MS);
    giveUp.unref?.();
    this.draining = giveUp;
    if (this.controller.paused) this.controller.resume();
  }

  text(): Promise<string> {
    return this.collect().then((bytes) => bytes.toString('utf8'));
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}
