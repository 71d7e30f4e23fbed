/**
 * What routes read from a request. A Web `Request` has all of it; the Node bridge builds just
 * this, because constructing a `Request` (URL parsing, a header copy, a linked AbortSignal)
 * costs more than routing does. Hooks users write (`identify`, `authorize`) still get a real
 * `Request`, built on first use.
 */
export interface IncomingRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly signal: AbortSignal;
  readonly body: ReadableStream<Uint8Array> | null;
}

/** A request the Node bridge read: its body is already bytes (see `rawBodyOf`). */
export class BridgedRequest implements IncomingRequest {
  readonly body = null;
  private web: Request | undefined;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: Headers,
    readonly signal: AbortSignal,
    readonly bytes: Uint8Array | undefined,
    /** The socket's own peer address (never a forwarded header): what "loopback only" checks. */
    readonly clientAddress?: string,
  ) {}

  toRequest(): Request {
    this.web ??= new Request(this.url, {
      method: this.method,
      headers: this.headers,
      body: this.bytes && this.method !== 'GET' && this.method !== 'HEAD' ? (this.bytes as Uint8Array<ArrayBuffer>) : null,
      signal: this.signal,
    });
    return this.web;
  }
}

/** The body the Node bridge already read, as bytes; undefined for a Web `Request` (read its stream). */
export function rawBodyOf(request: IncomingRequest): Uint8Array | undefined {
  return request instanceof BridgedRequest ? request.bytes : undefined;
}

/** The Web `Request` to hand a user's hook. */
export function webRequest(request: IncomingRequest): Request {
  return request instanceof BridgedRequest ? request.toRequest() : (request as Request);
}
