import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Aiu } from '../createAiu';
import { setClientAddress } from '../handler/access';

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
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.once('close', onClose);
  req.socket.setNoDelay?.(true);

  const url = `http://${req.headers.host ?? 'localhost'}${(req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/'}`;
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }

  let body: BodyInit | null = null;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    if (options.parsedBody !== undefined) {
      body = serialiseParsedBody(options.parsedBody);
      headers.delete('content-length');
      headers.delete('transfer-encoding');
    } else if (!req.readableEnded) {
      body = await readBody(req, options.maxBodyBytes ?? 4 * 1024 * 1024);
      headers.delete('transfer-encoding');
    }
  }

  const request = new Request(url, { method: req.method ?? 'GET', headers, body, signal: controller.signal });
  // The socket's own peer address (never a forwarded header): what "loopback only" checks.
  setClientAddress(request, req.socket.remoteAddress);
  const response = options.path === undefined ? await aiu.handler(request) : await aiu.handleRoute(request, options.path);
  await writeResponse(response, res as FlushableResponse, controller.signal);
  res.off('close', onClose);
}

function serialiseParsedBody(value: unknown): BodyInit {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return value as Uint8Array<ArrayBuffer>;
  return JSON.stringify(value);
}

/** Reads the body, but never buffers past the cap: the rest is drained and dropped. */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (size <= maxBytes) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks) as Uint8Array<ArrayBuffer>;
}

async function writeResponse(response: Response, res: FlushableResponse, signal: AbortSignal): Promise<void> {
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
  const cancel = () => void reader.cancel().catch(() => {});
  signal.addEventListener('abort', cancel, { once: true });
  // Events produced in the same tick (one upstream packet often holds several) leave in one
  // write; the next tick flushes them, so nothing waits longer than the current tick.
  let corked = false;
  let first = true;
  const uncork = () => {
    corked = false;
    res.uncork();
    res.flush?.();
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) break;
      // The first chunk (the `start` event) goes out at once: time to first byte is never held back.
      if (!corked && !first) {
        corked = true;
        res.cork();
        setImmediate(uncork);
      }
      first = false;
      if (!res.write(value)) {
        if (corked) uncork();
        await drained(res);
      }
    }
    if (!res.destroyed) res.end();
  } catch {
    // The client went away or the stream failed after headers were sent: nothing left to tell.
    if (!res.destroyed) res.destroy();
  } finally {
    signal.removeEventListener('abort', cancel);
  }
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
