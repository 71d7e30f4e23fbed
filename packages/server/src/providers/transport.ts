import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { type AbortSource, onAbortOf, signalOf } from '../util/callerGone';

type NodeHttp = { http: typeof Http; https: typeof Https; agents: { http: Http.Agent; https: Https.Agent } };

/** Reached without an import statement, so edge runtimes never see `node:http`. */
let node: NodeHttp | null | undefined;

function nodeHttp(): NodeHttp | null {
  if (node !== undefined) return node;
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof getBuiltin !== 'function') return (node = null);
  const http = getBuiltin('node:http') as typeof Http;
  const https = getBuiltin('node:https') as typeof Https;
  node = {
    http,
    https,
    agents: {
      http: new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' }),
      https: new https.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' }),
    },
  };
  return node;
}

/** Reads what is left of a body so its connection goes back to the pool; gives up (and closes it) after a second. */
function drain(incoming: Http.IncomingMessage, request: Http.ClientRequest): void {
  const giveUp = setTimeout(() => request.destroy(), 1000);
  giveUp.unref?.();
  incoming.once('end', () => clearTimeout(giveUp));
  incoming.once('close', () => clearTimeout(giveUp));
  incoming.resume();
}

/** Node-style network errors carry their code where `fetch` would put it: on `cause`. */
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

/**
 * `fetch` for upstream calls. On Node it goes through `node:http(s)` with keep-alive agents
 * and hands the body over as the socket's own stream (backpressure included) — no Web
 * `Response` and `ReadableStream` per call, which cost more CPU than the proxying itself.
 * Elsewhere: `fetch`.
 */
export function upstreamFetch(url: string, init: { method: string; headers: Record<string, string>; body: string | null; abort: AbortSource }): Promise<UpstreamResponse> {
  const transport = nodeHttp();
  const abort = init.abort;
  if (!transport) return fetch(url, { method: init.method, headers: init.headers, body: init.body, signal: signalOf(abort) });
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const headers: Record<string, string | number> = { accept: '*/*', ...init.headers };
  if (init.body !== null) headers['content-length'] = Buffer.byteLength(init.body);
  const options: Http.RequestOptions = {
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    path: `${target.pathname}${target.search}`,
    method: init.method,
    headers,
    agent: secure ? transport.agents.https : transport.agents.http,
  };
  const send = (staleLeft: number): Promise<UpstreamResponse> =>
    new Promise((resolve, reject) => {
      if (abort.aborted) return reject(abort.reason);
      let answered = false;
      const request = (secure ? transport.https : transport.http).request(options, (incoming) => {
        answered = true;
        resolve(new NodeUpstreamResponse(incoming, request, abort));
      });
      const stopListening = onAbortOf(abort, () => request.destroy(abort.reason instanceof Error ? abort.reason : new Error('aborted')));
      request.once('close', stopListening);
      request.once('error', (error: Error & { code?: string }) => {
        if (abort.aborted) return reject(abort.reason);
        // A pooled connection the server closed while it sat idle (its keep-alive timeout) fails
        // before any answer. The server never got the call: send it again at once, on the next
        // pooled or a new connection, instead of spending one of the caller's attempts on it.
        if (!answered && request.reusedSocket && staleLeft > 0 && STALE_CONNECTION.has(error.code ?? '')) return resolve(send(staleLeft - 1));
        reject(networkError(error));
      });
      request.end(init.body ?? undefined);
    });
  return send(MAX_STALE_CONNECTIONS);
}

/** A whole body, read with plain listeners: an iterator costs a promise per chunk, and more than the read. */
function readWhole(incoming: Http.IncomingMessage, abort: AbortSource): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const fail = (error: Error) => reject(bodyFailure(abort, error));
    incoming.on('data', (chunk: Buffer) => parts.push(chunk));
    incoming.once('end', () => resolve(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)));
    incoming.once('error', fail);
    incoming.once('close', () => {
      if (!incoming.complete) fail(droppedMidBody());
    });
  });
}

/** Why a body stopped: the caller's abort, or the network (a TypeError with the cause, as `fetch` has it). */
function bodyFailure(abort: AbortSource, error: Error): unknown {
  return abort.aborted ? abort.reason : networkError(error);
}

/** 'close' before 'end': the connection dropped mid-body. ('close' follows every 'end' too, so build it only then.) */
function droppedMidBody(): Error {
  return Object.assign(new Error('terminated'), { code: 'ECONNRESET' });
}

/** How a reused connection that the server already closed fails: reset, or closed before the answer. */
const STALE_CONNECTION = new Set(['ECONNRESET', 'EPIPE']);
/** Connections that go idle together time out together: skip a few before calling it a failure. */
const MAX_STALE_CONNECTIONS = 4;
/** Body bytes held for a consumer that has not asked yet, before the socket pauses. */
const MAX_BUFFERED_BYTES = 64 * 1024;

class NodeUpstreamResponse implements UpstreamResponse {
  readonly status: number;
  readonly ok: boolean;
  private cachedHeaders: Headers | undefined;
  /** A JSON answer is read from the moment it arrives, while the caller's awaits unwind. */
  private readonly whole: Promise<Buffer> | undefined;

  constructor(
    private readonly incoming: Http.IncomingMessage,
    private readonly request: Http.ClientRequest,
    private readonly abort: AbortSource,
  ) {
    this.status = incoming.statusCode ?? 502;
    this.ok = this.status >= 200 && this.status < 300;
    if (/^application\/json/i.test(incoming.headers['content-type'] ?? '')) {
      this.whole = readWhole(incoming, abort);
      // Nobody may ask (a caller that only wanted the status): no unhandled rejection then.
      this.whole.catch(() => {});
    }
  }

  /** Built on first use: most calls never read a response header. */
  get headers(): Headers {
    if (!this.cachedHeaders) {
      const headers = new Headers();
      const raw = this.incoming.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
      this.cachedHeaders = headers;
    }
    return this.cachedHeaders;
  }

  get body(): AsyncIterable<Uint8Array> {
    const whole = this.whole;
    if (whole) {
      return (async function* () {
        yield await whole;
      })();
    }
    return { [Symbol.asyncIterator]: () => this.chunks() };
  }

  /**
   * The body's chunks. What one read of the socket held arrives as one chunk: Node hands over
   * every HTTP chunk separately (a provider sends one per SSE event), and passing them on one
   * by one would cost an async step per event all the way to the client. Up to 64 kB wait for
   * the consumer; past that the socket pauses until it asks for more. A connection lost
   * mid-body fails like `fetch` does (TypeError with the cause). Stopping early — the parser
   * saw `[DONE]` before the chunked terminator arrived — drains the rest so the keep-alive
   * connection is reused; a cancelled call frees it at once.
   */
  private chunks(): AsyncIterator<Uint8Array> {
    const { incoming, request, abort } = this;
    let buffered: Buffer[] = [];
    let bufferedBytes = 0;
    let ended = false;
    let failure: unknown;
    let delivering = false;
    let waiting: { resolve: (result: IteratorResult<Uint8Array>) => void; reject: (error: unknown) => void } | null = null;
    const take = (): Buffer => {
      const value = buffered.length === 1 ? (buffered[0] as Buffer) : Buffer.concat(buffered, bufferedBytes);
      buffered = [];
      bufferedBytes = 0;
      if (incoming.isPaused() && !ended) incoming.resume();
      return value;
    };
    // Runs once the current read has been parsed (every 'data' of it fired synchronously).
    const deliver = () => {
      delivering = false;
      const waiter = waiting;
      if (!waiter) return;
      waiting = null;
      if (buffered.length) waiter.resolve({ done: false, value: take() });
      else if (failure !== undefined) waiter.reject(failure);
      else if (ended) waiter.resolve({ done: true, value: undefined });
      else waiting = waiter;
    };
    const schedule = () => {
      if (delivering || !waiting) return;
      delivering = true;
      queueMicrotask(deliver);
    };
    const onData = (chunk: Buffer) => {
      buffered.push(chunk);
      bufferedBytes += chunk.length;
      if (bufferedBytes >= MAX_BUFFERED_BYTES) incoming.pause();
      schedule();
    };
    const fail = (error: Error) => {
      if (ended) return;
      ended = true;
      failure = bodyFailure(abort, error);
      schedule();
    };
    incoming.on('data', onData);
    incoming.once('end', () => {
      ended = true;
      schedule();
    });
    incoming.once('error', fail);
    incoming.once('close', () => {
      if (!ended) fail(droppedMidBody());
    });
    return {
      next: () => {
        // What is already here goes at once; what the rest of this read brings, with the next call.
        if (buffered.length) return Promise.resolve({ done: false, value: take() });
        if (failure !== undefined) return Promise.reject(failure);
        if (ended) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve, reject) => (waiting = { resolve, reject }));
      },
      return: () => {
        incoming.off('data', onData);
        buffered = [];
        bufferedBytes = 0;
        if (!ended) {
          if (abort.aborted) request.destroy();
          else drain(incoming, request);
        }
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  text(): Promise<string> {
    return (this.whole ?? readWhole(this.incoming, this.abort)).then((bytes) => bytes.toString('utf8'));
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}
