import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Aiu } from '../createAiu';
import { NodeRequest } from '../http/nodeRequest';
import { joinPieces, type TextPuller } from '../http/pull';
import { LightResponse, PulledResponse, TextResponse } from '../http/responses';
import { Abort } from '../util/abort';
import type { Piece } from '../util/pieceBuilder';
import { errorResponse } from '../handler/respond';
import { malformedTarget } from '../http/requestTarget';

export interface NodeBridgeOptions {
  /** The route path relative to the mount point; omit to route on the URL's path. */
  path?: string;
  /**
   * A body some middleware already read (Express's `express.json()`): objects are handed on
   * as their value (validated as they are), strings and Buffers as bytes.
   */
  parsedBody?: unknown;
  /** Bytes read from the socket before giving up on a body with 413, on top of aiu's own `maxBodyBytes`. */
  maxBodyBytes?: number;
}

type FlushableResponse = ServerResponse & { flush?: () => void };

/**
 * Node's http → the Web-standard handler and back. The handler gets a `Request` (a light one:
 * see `NodeRequest`) that aborts when the client goes away, and the answer goes to the socket
 * with backpressure: aiu's own responses are written from their fields, any other `Response`
 * from its body stream, flushed per write so compression middleware cannot hold SSE back.
 */
export async function handleNodeRequest(aiu: Aiu, req: IncomingMessage, res: ServerResponse, options: NodeBridgeOptions = {}): Promise<void> {
  const abort = new Abort();
  const onClose = () => {
    if (!res.writableFinished) abort.abort(new DOMException('The client went away.', 'AbortError'));
  };
  res.once('close', onClose);
  req.socket.setNoDelay?.(true);

  const target = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url;
  const malformed = malformedTarget(target, req.headers.host);
  if (malformed) {
    await writeResponse(errorResponse(malformed), res, abort);
    res.off('close', onClose);
    return;
  }
  const url = `http://${req.headers.host ?? 'localhost'}${target}`;
  const given = options.parsedBody;
  const request = new NodeRequest(req, url, {
    clientAddress: req.socket.remoteAddress,
    abort,
    ...(given === undefined ? {} : { consumed: given instanceof Uint8Array || typeof given === 'string' ? { bytes: typeof given === 'string' ? Buffer.from(given) : given } : { value: given } }),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
  });
  const response = options.path === undefined ? await aiu.handler(request) : await aiu.handleRoute(request, options.path);
  await writeResponse(response, res, abort);
  res.off('close', onClose);
}

async function writeResponse(response: Response, res: FlushableResponse, abort: Abort): Promise<void> {
  if (response instanceof LightResponse && !response.isRealized) {
    if (response instanceof TextResponse) return writeText(response, res);
    if (response instanceof PulledResponse) return writePulled(response, res, abort);
  }
  return writeWebResponse(response, res, abort);
}

/** A complete body: headers and body leave in one write. */
function writeText(response: TextResponse, res: ServerResponse): void {
  const text = response.bodyText;
  if (text === null) {
    res.writeHead(response.statusCode, response.headerRecord);
    res.end();
    return;
  }
  res.writeHead(response.statusCode, { ...response.headerRecord, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/**
 * Text pulled a piece at a time: the first (a chat's `start` event) goes at once, the rest
 * tick-batched. Backpressure reaches the producer: the next piece is not pulled while the socket
 * is full. If the producer fails after the head was sent, there is nothing left to tell: the
 * response is cut.
 */
async function writePulled(response: PulledResponse, res: FlushableResponse, abort: Abort): Promise<void> {
  const puller: TextPuller = response.puller;
  res.writeHead(response.statusCode, response.headerRecord);
  // The client went away: stop producing now (a chat call aborts its upstream request).
  const stopListening = abort.onAbort(() => void puller.cancel().catch(() => {}));
  const out = tickBatched(res);
  try {
    const first = await puller.next();
    if (first !== null && !res.destroyed) {
      res.write(first);
      res.flush?.();
      for (;;) {
        const piece = await puller.next();
        if (piece === null || res.destroyed) break;
        const full = out.write(piece);
        if (full) await full;
      }
    }
    if (!res.destroyed) out.end();
  } catch {
    if (!res.destroyed) res.destroy();
  } finally {
    stopListening();
  }
}

async function writeWebResponse(response: Response, res: FlushableResponse, abort: Abort): Promise<void> {
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
  const stopListening = abort.onAbort(() => void reader.cancel().catch(() => {}));
  const out = tickBatched(res);
  try {
    // The first chunk goes out at once: time to first byte is never held back.
    const first = await reader.read();
    if (!first.done) {
      if (!res.write(first.value)) await drained(res);
      for (;;) {
        const next = await reader.read();
        if (next.done || res.destroyed) break;
        const full = out.write(next.value);
        if (full) await full;
      }
    }
    if (!res.destroyed) out.end();
  } catch {
    if (!res.destroyed) res.destroy();
  } finally {
    stopListening();
  }
}

/**
 * What is gathered before one write (characters or bytes); past it, the batch goes out at once
 * (and backpressure applies). A piece that fills a batch alone gets a write of its own; smaller
 * ones are joined, large or not: an OpenAI-format stream read in one go is one ~58 kB piece, and
 * writing it apart from the stream's end cost /v1 streams 4–6% of their CPU (`bench:ab --route
 * v1`; the bound was 8 kB, for an export's pages, whose peak RSS it had moved by 1%).
 */
const MAX_BATCH = 64 * 1024;

/**
 * Pieces written in the same tick (one upstream packet often holds dozens of events) are joined
 * and leave in one write when the tick ends, so nothing waits longer than the current tick.
 * One piece, not a corked write per piece: chunked encoding frames every write, and a writev
 * of hundreds of small pieces cost more than the events themselves. Flushed per batch, so
 * compression middleware cannot hold a stream back.
 */
export function tickBatched(res: FlushableResponse): { write(chunk: Piece): Promise<void> | null; end(): void } {
  let pending: Piece[] = [];
  let size = 0;
  let scheduled = false;
  let blocked: Promise<void> | null = null;
  const send = (chunk: Piece) => {
    if (res.destroyed) return;
    if (!res.write(chunk)) blocked ??= drained(res).then(() => void (blocked = null));
    res.flush?.();
  };
  const take = (): Piece | null => {
    if (pending.length === 0) return null;
    const batch = joinPieces(pending);
    pending = [];
    size = 0;
    return batch;
  };
  const flush = () => {
    const batch = take();
    if (batch !== null) send(batch);
  };
  const flushAtTickEnd = () => {
    scheduled = false;
    flush();
  };
  return {
    /** A promise only when the socket is full: then wait for it before writing more. */
    write(chunk) {
      if (chunk.length >= MAX_BATCH) {
        flush();
        send(chunk);
      } else {
        pending.push(chunk);
        size += chunk.length;
        if (size >= MAX_BATCH) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flushAtTickEnd);
        }
      }
      return blocked;
    },
    /** The last batch and the end of the response leave together. */
    end() {
      const batch = take();
      if (batch !== null) res.end(batch);
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
