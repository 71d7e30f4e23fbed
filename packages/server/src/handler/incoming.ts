import type { AbortSource, ClientGone } from '../util/callerGone';

/**
 * What routes read from a request. A Web `Request` has all of it; the Node bridge builds just
 * this, because constructing a `Request` (URL parsing, a header copy, a linked AbortSignal)
 * costs more than routing does. Hooks users write (`identify`, `authorize`) still get a real
 * `Request`, built on first use.
 */
export interface IncomingRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderReader;
  readonly signal: AbortSignal;
  readonly body: ReadableStream<Uint8Array> | null;
}

/** The headers routes read: a Web `Headers` is one, and so is the Node bridge's view of Node's own. */
export interface HeaderReader {
  get(name: string): string | null;
  has(name: string): boolean;
}

/** Headers a Web `Request` can be built from when a hook asks for one. */
export interface ConvertibleHeaders extends HeaderReader {
  toHeaders(): Headers;
}

/** What a call should follow to learn that its caller went away. */
export function callerGoneOf(request: IncomingRequest): AbortSource {
  return request instanceof BridgedRequest ? request.gone : request.signal;
}

/**
 * A request the Node bridge read: its body is already bytes (see `rawBodyOf`), or the value a
 * body parser before us (`express.json()`) made of it (see `parsedBodyOf`).
 */
export class BridgedRequest implements IncomingRequest {
  readonly body = null;
  private web: Request | undefined;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: ConvertibleHeaders,
    readonly gone: ClientGone,
    readonly bytes: Uint8Array | undefined,
    /** The socket's own peer address (never a forwarded header): what "loopback only" checks. */
    readonly clientAddress?: string,
    readonly parsed?: { readonly value: unknown },
  ) {}

  get signal(): AbortSignal {
    return this.gone.signal;
  }

  toRequest(): Request {
    if (this.web) return this.web;
    const hasBody = this.method !== 'GET' && this.method !== 'HEAD';
    const headers = this.headers.toHeaders();
    let body: Uint8Array<ArrayBuffer> | string | null = hasBody && this.bytes ? (this.bytes as Uint8Array<ArrayBuffer>) : null;
    if (hasBody && !body && this.parsed) {
      // Re-serialised for a hook that reads the body: its length is not the original's.
      body = JSON.stringify(this.parsed.value);
      headers.delete('content-length');
    }
    this.web = new Request(this.url, { method: this.method, headers, body, signal: this.signal });
    return this.web;
  }
}

/** The body the Node bridge already read, as bytes; undefined for a Web `Request` (read its stream). */
export function rawBodyOf(request: IncomingRequest): Uint8Array | undefined {
  return request instanceof BridgedRequest ? request.bytes : undefined;
}

/** The JSON a body parser already made of the body (still to be validated), when one ran before us. */
export function parsedBodyOf(request: IncomingRequest): { readonly value: unknown } | undefined {
  return request instanceof BridgedRequest ? request.parsed : undefined;
}

/** The Web `Request` to hand a user's hook. */
export function webRequest(request: IncomingRequest): Request {
  return request instanceof BridgedRequest ? request.toRequest() : (request as Request);
}
