import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ChatEvent, PayloadTooLargeError } from '@aiu/core';
import { type Aiu, internalsOf } from '../createAiu';
import { BridgedRequest, type ConvertibleHeaders } from '../handler/incoming';
import { ClientGone } from '../util/callerGone';
import { headerValue, webHeaders } from '../util/nodeHeaders';
import { type Reply, type RouteResult } from '../handler/reply';
import { errorResponse } from '../handler/respond';
import { SSE_PING, sseBatchText, sseText } from '../handler/sse';

export interface NodeBridgeOptions {
  /** The route path relative to the mount point; omit to route on the URL's path. */
  path?: string;
  /**
   * A body some middleware already read (Express's `express.json()`): objects are sent
   * on as JSON, strings and Buffers as they are.
   */
  parsedBody?: unknown;
  /** Bytes read from the socket before giving up on a body (the handler answers 413). */
  maxBodyBytes?: number;
}

type FlushableResponse = ServerResponse & { flush?: () => void };

/**
 * Node's http → the Web-standard handler and back. The `Request` gets a signal that
 * aborts when the client goes away, and the response body streams out with
 * backpressure, flushed per chunk so compression middleware cannot hold SSE back.
 */
export async function handleNodeRequest(
  aiu: Aiu,
  req: IncomingMessage,
  res: ServerResponse,
  options: NodeBridgeOptions = {},
): Promise<void> {
  const gone = new ClientGone();
  const onClose = () => {
    if (!res.writableFinished) gone.abort();
  };
  res.once('close', onClose);
  req.socket.setNoDelay?.(true);

  const url = `http://${req.headers.host ?? 'localhost'}${(req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/'}`;
  const headers = new NodeHeaders(req);

  let bytes: Uint8Array | undefined;
  let parsed: { value: unknown } | undefined;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const given = options.parsedBody;
    if (given !== undefined && (given instanceof Uint8Array || typeof given === 'string')) {
      bytes = typeof given === 'string' ? Buffer.from(given) : given;
      headers.delete('content-length');
      headers.delete('transfer-encoding');
    } else if (given !== undefined) {
      // A JSON parser ran before us: the route validates its value as it is. The original
      // content-length stays, so the size cap still applies to what came over the wire.
      parsed = { value: given };
      headers.delete('transfer-encoding');
    } else if (!req.readableEnded) {
      const maxBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
      const read = await readBody(req, maxBytes);
      if (!read.complete) {
        writeText(errorResponse(new PayloadTooLargeError(`The request body is larger than the ${Math.round(maxBytes / 1024)} kB limit.`)), res);
        res.off('close', onClose);
        return;
      }
      bytes = read.bytes;
      headers.delete('transfer-encoding');
    }
  }

  // Not a Web Request: routes read only these fields, and hooks get a real one built on demand.
  const request = new BridgedRequest(req.method ?? 'GET', url, headers, gone, bytes, req.socket.remoteAddress, parsed);
  const internals = internalsOf(aiu);
  const result: RouteResult = internals
    ? options.path === undefined
      ? await internals.routeByUrl(request)
      : await internals.route(request, options.path)
    : options.path === undefined
      ? await aiu.handler(request.toRequest())
      : await aiu.handleRoute(request.toRequest(), options.path);
  if (result instanceof Response) await writeResponse(result, res as FlushableResponse, gone);
  else if (result.events) await writeEvents(result, result.events, res as FlushableResponse, gone);
  else if (result.chunks) await writeChunks(result, result.chunks, res, gone);
  else writeText(result, res);
  res.off('close', onClose);
}

/**
 * Node's own parsed headers (as middleware before us left them), read as routes read `Headers`.
 * A Web `Headers` (a copy with every name and value validated again) is built only when a hook
 * asks for a `Request`.
 */
class NodeHeaders implements ConvertibleHeaders {
  private dropped: Set<string> | undefined;

  constructor(private readonly req: IncomingMessage) {}

  get(name: string): string | null {
    const key = name.toLowerCase();
    return this.dropped?.has(key) ? null : headerValue(this.req.headers, key);
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  /** Leaves a header out: one that described the body as it arrived, not as it is passed on. */
  delete(name: string): void {
    (this.dropped ??= new Set()).add(name.toLowerCase());
  }

  toHeaders(): Headers {
    return webHeaders(this.req.headers, this.dropped);
  }
}

/**
 * Reads the body, but never buffers past the cap: the rest is drained and dropped. Plain
 * 'data'/'end' listeners: a stream's async iterator costs more than the rest of a small body's read.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<{ bytes: Uint8Array<ArrayBuffer>; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      if (size <= maxBytes) chunks.push(chunk);
      size += chunk.length;
    };
    const onEnd = () => {
      cleanup();
      const bytes = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) as Uint8Array<ArrayBuffer>;
      resolve({ bytes, complete: size <= maxBytes });
    };
    // The client went away mid-body ('close' without 'end'), or the socket failed.
    const onAbort = (error?: Error) => {
      cleanup();
      reject(error ?? new Error('The client closed the connection before sending the whole body.'));
    };
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}

/** A complete body: headers and body leave in one write. */
function writeText(reply: Reply, res: ServerResponse): void {
  const text = reply.text ?? '';
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** Text pulled a piece at a time and written as text (Node encodes it into the socket's own buffers). */
async function writeChunks(reply: Reply, chunks: AsyncGenerator<string>, res: FlushableResponse, gone: ClientGone): Promise<void> {
  res.writeHead(reply.status, reply.headers);
  const stopListening = gone.onAbort(() => void chunks.return(undefined).catch(() => {}));
  try {
    await pump(res, chunks, (piece) => piece);
  } finally {
    stopListening();
  }
}

/**
 * Chat events straight from the call to the socket. Events produced in the same tick (one
 * upstream packet often holds several) leave in one write; the first (`start`) goes at once.
 * Backpressure reaches the provider: the next event is not pulled while the socket is full.
 */
async function writeEvents(reply: Reply, events: NonNullable<Reply['events']>, res: FlushableResponse, gone: ClientGone): Promise<void> {
  const { first, rest, pingIntervalMs } = events;
  res.writeHead(reply.status, reply.headers);
  res.write(sseText(first));
  res.flush?.();
  const ping = setInterval(() => {
    if (!res.destroyed) res.write(SSE_PING);
  }, pingIntervalMs);
  ping.unref?.();
  // The client went away: end the call now (the generator's cleanup aborts the upstream request).
  const stopListening = gone.onAbort(() => void rest.return(undefined).catch(() => {}));
  try {
    await pump(res, rest, sseBatchText);
  } finally {
    clearInterval(ping);
    stopListening();
  }
}

async function writeResponse(response: Response, res: FlushableResponse, gone: ClientGone): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key === 'set-cookie') return;
    headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  res.flushHeaders();

  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const stopListening = gone.onAbort(() => void reader.cancel().catch(() => {}));
  const chunks = { next: () => reader.read() as Promise<IteratorResult<Uint8Array>> };
  try {
    // The first chunk (the `start` event) goes out at once: time to first byte is never held back.
    const first = await chunks.next();
    if (!first.done && !res.write(first.value)) await drained(res);
    if (first.done) res.end();
    else await pump(res, chunks, (chunk) => chunk);
  } catch {
    if (!res.destroyed) res.destroy();
  } finally {
    stopListening();
  }
}

/**
 * Pulls pieces and writes them tick-batched, then ends the response; if the source fails
 * after headers were sent there is nothing left to tell, so the response is cut.
 */
async function pump<T>(res: FlushableResponse, source: { next(): Promise<IteratorResult<T>> }, format: (piece: T) => string | Uint8Array): Promise<void> {
  const out = tickBatched(res);
  try {
    for (;;) {
      const next = await source.next();
      if (next.done || res.destroyed) break;
      const full = out.write(format(next.value));
      if (full) await full;
    }
    if (!res.destroyed) out.end();
  } catch {
    if (!res.destroyed) res.destroy();
  }
}

/** Text gathered before one write; past it, the batch goes out at once (and backpressure applies). */
const MAX_BATCH_CHARS = 64 * 1024;
/** A piece this large is worth a write of its own: joining it would only copy it (an export's pages). */
const OWN_WRITE_CHARS = 8 * 1024;

/**
 * Text written in the same tick (one upstream packet often holds dozens of events) is joined
 * and leaves in one write when the tick ends, so nothing waits longer than the current tick.
 * One string, not a corked write per piece: chunked encoding frames every write, and a writev
 * of hundreds of small pieces cost more than the events themselves. Flushed per batch, so
 * compression middleware cannot hold a stream back.
 */
export function tickBatched(res: FlushableResponse): { write(chunk: string | Uint8Array): Promise<void> | null; end(): void } {
  let pending = '';
  let scheduled = false;
  let blocked: Promise<void> | null = null;
  const send = (chunk: string | Uint8Array) => {
    if (res.destroyed) return;
    if (!res.write(chunk)) blocked ??= drained(res).then(() => void (blocked = null));
    res.flush?.();
  };
  const flush = () => {
    if (!pending) return;
    const text = pending;
    pending = '';
    send(text);
  };
  const flushAtTickEnd = () => {
    scheduled = false;
    flush();
  };
  return {
    /** A promise only when the socket is full: then wait for it before writing more. */
    write(chunk) {
      if (typeof chunk !== 'string' || chunk.length >= OWN_WRITE_CHARS) {
        flush();
        send(chunk);
      } else {
        pending += chunk;
        if (pending.length >= MAX_BATCH_CHARS) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flushAtTickEnd);
        }
      }
      return blocked;
    },
    /** The last batch and the end of the response leave together. */
    end() {
      const text = pending;
      pending = '';
      if (text) res.end(text);
      else res.end();
    },
  };
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** A plain `node:http` listener: `http.createServer(toNodeListener(aiu))`. */
export function toNodeListener(aiu: Aiu, options: Omit<NodeBridgeOptions, 'path' | 'parsedBody'> = {}) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handleNodeRequest(aiu, req, res, options).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'internal_error', message: 'Internal error.' } }));
      } else res.destroy();
    });
  };
}
