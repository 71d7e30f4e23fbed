import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { PayloadTooLargeError } from '@aiu/core';
import { tooLarge } from './bodyLimit';
import type { Abort } from '../util/abort';
import { headerValue, webHeaders } from '../util/nodeHeaders';

/** What a Node request is made from: the message, and what middleware before us did with its body. */
export interface NodeRequestInit {
  /** The socket's own peer address (never a forwarded header): what "loopback only" checks. */
  clientAddress: string | undefined;
  /** Aborts when the client goes away. */
  abort: Abort;
  /** A body some middleware already read: a parsed value (`express.json()`), or its bytes/text. */
  consumed?: { value: unknown } | { bytes: Uint8Array };
  /** Bytes read from the socket before a read gives up with 413 (on top of the route's own cap). */
  maxBodyBytes?: number;
}

/**
 * A Web `Request` over Node's `IncomingMessage`, made of plain fields until someone asks for more:
 * headers are read from Node's own parsed record, the body is read from the socket only when a
 * route or a hook reads it, and the signal is made only when someone asks for it (the call
 * follows the cheaper `Abort`). Anything else a `Request` has is handed to a real one, built on
 * first use. The pattern is @hono/node-server's, without replacing the global `Request`.
 */
// The class is a `Request` through its prototype chain (set below), which the interface tells TypeScript.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface NodeRequest extends Request {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class NodeRequest {
  readonly method: string;
  readonly url: string;
  readonly #incoming: IncomingMessage;
  readonly #init: NodeRequestInit;
  #headers: Headers | undefined;
  #bytes: Promise<Uint8Array<ArrayBuffer>> | undefined;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;
  #real: Request | undefined;

  constructor(incoming: IncomingMessage, url: string, init: NodeRequestInit) {
    this.method = incoming.method ?? 'GET';
    this.url = url;
    this.#incoming = incoming;
    this.#init = init;
  }

  /** The Abort behind `signal`, for a request built here. */
  static abortOf(request: Request): Abort | undefined {
    return #init in request ? request.#init.abort : undefined;
  }

  static clientAddressOf(request: Request): string | undefined {
    return #init in request ? request.#init.clientAddress : undefined;
  }

  get headers(): Headers {
    // Bytes handed on as they are lose the framing headers; a parsed value keeps content-length,
    // so the route's size cap still applies to what came over the wire.
    const consumed = this.#init.consumed;
    this.#headers ??= new LightHeaders(this.#incoming.headers, consumed ? ('bytes' in consumed ? BODY_FRAMING : CHUNKING) : undefined) as unknown as Headers;
    return this.#headers;
  }

  get signal(): AbortSignal {
    return this.#init.abort.signal;
  }

  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    if (!hasBody(this.method)) return null;
    if (this.#real) return this.#real.body;
    if (this.#stream) return this.#stream;
    if (this.#init.consumed || this.#bytes || this.#incoming.readableEnded) {
      const bytes = this.bytes();
      this.#stream = new ReadableStream({ start: async (controller) => (controller.enqueue(await bytes), controller.close()) });
    } else this.#stream = this.#socketStream();
    return this.#stream;
  }

  bytes(): Promise<Uint8Array<ArrayBuffer>> {
    if (!hasBody(this.method)) return Promise.resolve(new Uint8Array(0));
    if (this.#real) return this.#real.arrayBuffer().then((buffer) => new Uint8Array(buffer));
    this.#bytes ??= this.#readBytes();
    return this.#bytes;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }

  text(): Promise<string> {
    return this.bytes().then(decode);
  }

  json(): Promise<unknown> {
    const consumed = this.#init.consumed;
    if (consumed && 'value' in consumed && !this.#real) return Promise.resolve(consumed.value);
    return this.bytes().then(parseJson);
  }

  /** The real `Request` for what only one can do (clone, formData…); it shares this one's body. */
  toRequest(): Request {
    if (this.#real) return this.#real;
    const body = hasBody(this.method) ? this.body : null;
    this.#real = new Request(this.url, {
      method: this.method,
      // A body handed on is re-framed: a parsed one re-serialised (its length is not the original's).
      headers: webHeaders(this.#incoming.headers, this.#init.consumed ? BODY_FRAMING : CHUNKING),
      body,
      signal: this.signal,
      ...(body ? { duplex: 'half' } : {}),
    });
    return this.#real;
  }

  #readBytes(): Promise<Uint8Array<ArrayBuffer>> {
    const consumed = this.#init.consumed;
    if (consumed) {
      const bytes = 'bytes' in consumed ? (consumed.bytes as Uint8Array<ArrayBuffer>) : encoder.encode(JSON.stringify(consumed.value) ?? '');
      return this.#withinCap(bytes.byteLength) ? Promise.resolve(bytes) : Promise.reject(this.#tooLarge());
    }
    // A parser before us read it without saying so: nothing is left to read.
    if (this.#incoming.readableEnded) return Promise.resolve(new Uint8Array(0));
    return readIncoming(this.#incoming, this.#init.maxBodyBytes ?? Infinity, () => this.#tooLarge());
  }

  #withinCap(size: number): boolean {
    return size <= (this.#init.maxBodyBytes ?? Infinity);
  }

  #tooLarge(): PayloadTooLargeError {
    const max = this.#init.maxBodyBytes ?? 0;
    return tooLarge(max);
  }

  /** The body as it arrives, pausing the socket while nobody reads; a reader that stops early lets the rest drain. */
  #socketStream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    const incoming = this.#incoming;
    const max = this.#init.maxBodyBytes ?? Infinity;
    let size = 0;
    let stop = () => {};
    return new ReadableStream<Uint8Array<ArrayBuffer>>(
      {
        start: (controller) => {
          stop = listenToBody(incoming, {
            data: (chunk) => {
              size += chunk.length;
              if (size > max) {
                stop();
                incoming.resume();
                controller.error(this.#tooLarge());
                return;
              }
              controller.enqueue(new Uint8Array(chunk.buffer as ArrayBuffer, chunk.byteOffset, chunk.byteLength));
              if ((controller.desiredSize ?? 1) <= 0) incoming.pause();
            },
            end: () => controller.close(),
            fail: (error) => controller.error(error),
          });
        },
        pull: () => {
          incoming.resume();
        },
        cancel: () => {
          // Drained and dropped, so the connection can carry the answer (a 413) and the next request.
          stop();
          incoming.resume();
        },
      },
      { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
    );
  }
}

const BODY_FRAMING: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding']);
const CHUNKING: ReadonlySet<string> = new Set(['transfer-encoding']);
const decoder = new TextDecoder();
const decode = (bytes: Uint8Array) => decoder.decode(bytes);
const parseJson = (bytes: Uint8Array): unknown => JSON.parse(decoder.decode(bytes));
const encoder = new TextEncoder();

function hasBody(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

/**
 * Listens to a body until it ends or fails (the client left before sending all of it); `end` and
 * `fail` come after the listeners are gone. Plain listeners: a stream's async iterator costs more
 * than the rest of a small body's read. Returns how to stop listening early.
 */
function listenToBody(incoming: IncomingMessage, on: { data: (chunk: Buffer) => void; end: () => void; fail: (error: Error) => void }): () => void {
  const onEnd = () => {
    cleanup();
    on.end();
  };
  const onError = (error?: Error) => {
    cleanup();
    on.fail(error ?? new Error('The client closed the connection before sending the whole body.'));
  };
  const onClose = () => {
    if (!incoming.complete) onError();
  };
  const cleanup = () => {
    incoming.off('data', on.data);
    incoming.off('end', onEnd);
    incoming.off('error', onError);
    incoming.off('close', onClose);
  };
  incoming.on('data', on.data);
  incoming.on('end', onEnd);
  incoming.on('error', onError);
  incoming.on('close', onClose);
  return cleanup;
}

/** The whole body, but never buffered past the cap: the rest is drained and dropped. */
function readIncoming(incoming: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    listenToBody(incoming, {
      data: (chunk) => {
        size += chunk.length;
        if (size <= maxBytes) chunks.push(chunk);
      },
      end: () => {
        if (size > maxBytes) return reject(tooLarge());
        const only = chunks.length === 1 ? (chunks[0] as Buffer) : null;
        resolve((only as Uint8Array<ArrayBuffer> | null) ?? concat(chunks, size));
      },
      fail: reject,
    });
  });
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/**
 * A `Headers` over Node's parsed record: `get` and `has` read the record (no copy, no validation
 * of every name and value); anything else — iterating, changing — is done on a real `Headers`
 * built on first use.
 */
class LightHeaders {
  #real: Headers | undefined;

  constructor(
    private readonly record: IncomingHttpHeaders,
    private readonly skip: ReadonlySet<string> | undefined,
  ) {}

  get(name: string): string | null {
    if (this.#real) return this.#real.get(name);
    const key = name.toLowerCase();
    return this.skip?.has(key) ? null : headerValue(this.record, key);
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  realize(): Headers {
    this.#real ??= webHeaders(this.record, this.skip);
    return this.#real;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.realize()[Symbol.iterator]();
  }
}

for (const key of ['append', 'delete', 'entries', 'forEach', 'getSetCookie', 'keys', 'set', 'values'] as const) {
  Object.defineProperty(LightHeaders.prototype, key, {
    value(this: LightHeaders, ...args: unknown[]) {
      const real = this.realize();
      return Reflect.apply(real[key] as (...args: unknown[]) => unknown, real, args);
    },
  });
}
Object.setPrototypeOf(LightHeaders.prototype, Headers.prototype);

for (const key of ['cache', 'credentials', 'destination', 'duplex', 'integrity', 'keepalive', 'mode', 'redirect', 'referrer', 'referrerPolicy', 'bodyUsed'] as const) {
  Object.defineProperty(NodeRequest.prototype, key, {
    get(this: NodeRequest) {
      return (this.toRequest() as unknown as Record<string, unknown>)[key];
    },
  });
}
for (const key of ['blob', 'clone', 'formData'] as const) {
  Object.defineProperty(NodeRequest.prototype, key, {
    value(this: NodeRequest, ...args: unknown[]) {
      const real = this.toRequest() as unknown as Record<string, (...args: unknown[]) => unknown>;
      return real[key]?.(...args);
    },
  });
}
Object.setPrototypeOf(NodeRequest.prototype, Request.prototype);
