import { pulledStream, type TextPuller } from './pull';

/**
 * Responses routes build: real `Response`s to anyone who reads them (`instanceof Response`, every
 * member), but made of plain fields until someone does. The Node bridge writes their fields to
 * the socket directly; building a Web `Response` (headers object, body stream) would cost more
 * than routing does (ARCHITECTURE.md, "The Node fast path"). The pattern is @hono/node-server's,
 * without replacing the global `Response`.
 */
// The class is a `Response` through its prototype chain (set below), which the interface tells TypeScript.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface LightResponse extends Response {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class LightResponse {
  #real: Response | undefined;

  constructor(
    readonly statusCode: number,
    /** Header names in lower case. */
    readonly headerRecord: Record<string, string>,
  ) {}

  /** True once the Web `Response` was built: from then on it is the one to read. */
  get isRealized(): boolean {
    return this.#real !== undefined;
  }

  protected abstract webBody(): BodyInit | null;

  /** The Web `Response` behind this one, built on first use. */
  realize(): Response {
    this.#real ??= new Response(this.webBody(), { status: this.statusCode, headers: this.headerRecord });
    return this.#real;
  }
}

Object.setPrototypeOf(LightResponse.prototype, Response.prototype);
Object.defineProperty(LightResponse.prototype, 'status', {
  get(this: LightResponse) {
    return this.isRealized ? this.realize().status : this.statusCode;
  },
});
Object.defineProperty(LightResponse.prototype, 'ok', {
  get(this: LightResponse) {
    return this.status >= 200 && this.status < 300;
  },
});
for (const key of ['body', 'bodyUsed', 'headers', 'redirected', 'statusText', 'type', 'url'] as const) {
  Object.defineProperty(LightResponse.prototype, key, {
    get(this: LightResponse) {
      return this.realize()[key];
    },
  });
}
for (const key of ['arrayBuffer', 'blob', 'bytes', 'clone', 'formData', 'json', 'text'] as const) {
  Object.defineProperty(LightResponse.prototype, key, {
    value(this: LightResponse, ...args: unknown[]) {
      const real = this.realize() as unknown as Record<string, (...args: unknown[]) => unknown>;
      return real[key]?.(...args);
    },
  });
}

/** A complete body (JSON, mostly), already serialised. */
export class TextResponse extends LightResponse {
  constructor(
    status: number,
    headers: Record<string, string>,
    readonly bodyText: string | null,
  ) {
    super(status, headers);
  }

  protected webBody(): BodyInit | null {
    return this.bodyText;
  }
}

/** A body produced a piece at a time: server-sent events in any protocol, or an export. */
export class PulledResponse extends LightResponse {
  constructor(
    status: number,
    headers: Record<string, string>,
    readonly puller: TextPuller,
  ) {
    super(status, headers);
  }

  protected webBody(): BodyInit {
    return pulledStream(this.puller);
  }
}

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  // no-transform keeps compression middleware and proxies from buffering the stream.
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  // No `connection` header: Node's own honours a client's `Connection: close` (and HTTP/2 forbids one).
};
